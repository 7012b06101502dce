package io.packetstream.spring.handler;

/**
 * A bean that brings peers' requests to the {@link PacketHandler} methods over connections of its
 * own, besides the starter's server and clients: the test module's in-memory transport is one. The
 * starter warns at start-up when there are handler methods and nothing to serve them; a bean of
 * this type says that something does.
 */
public interface PacketHandlerTransport {}
