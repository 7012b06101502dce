/**
 * Auto-configuration of the packetstream starter: the server, the named clients and the connection
 * builders they share, with their {@code packetstream.*} properties.
 */
@NullMarked
package io.packetstream.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
