/**
 * The {@link PacketStreamTest @PacketStreamTest} slice and {@link
 * AutoConfigurePacketStream @AutoConfigurePacketStream}, after Boot's own test slices.
 */
@NullMarked
package io.packetstream.test.autoconfigure;

import org.jspecify.annotations.NullMarked;
