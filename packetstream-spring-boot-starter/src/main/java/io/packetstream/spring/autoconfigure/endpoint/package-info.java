/** Auto-configuration of the {@code packetstream} actuator endpoint. */
@NullMarked
package io.packetstream.spring.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
