/**
 * Test support for applications of the packetstream starter: {@link PacketStreamTester}, a peer
 * with a fluent API, and {@link LocalPacketStreamServerPort}.
 */
@NullMarked
package io.packetstream.test;

import org.jspecify.annotations.NullMarked;
