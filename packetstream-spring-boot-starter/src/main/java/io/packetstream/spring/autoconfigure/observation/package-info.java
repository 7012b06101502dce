/** Auto-configuration of the packetstream request observations. */
@NullMarked
package io.packetstream.spring.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
