/** The {@code packetstream} actuator endpoint: every connection of the server and the clients. */
@NullMarked
package io.packetstream.spring.endpoint;

import org.jspecify.annotations.NullMarked;
