/** Auto-configuration of the packetstream Micrometer meters. */
@NullMarked
package io.packetstream.spring.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
