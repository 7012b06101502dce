/**
 * Named clients: connections to peers that reconnect, and their beans; typed calls through the
 * payload codec, and interfaces of {@link io.packetstream.spring.client.PacketExchange} methods
 * that call a peer through a proxy.
 */
@NullMarked
package io.packetstream.spring.client;

import org.jspecify.annotations.NullMarked;
