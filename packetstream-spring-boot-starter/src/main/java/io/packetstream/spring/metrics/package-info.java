/** Micrometer meters of the connections. */
@NullMarked
package io.packetstream.spring.metrics;

import org.jspecify.annotations.NullMarked;
