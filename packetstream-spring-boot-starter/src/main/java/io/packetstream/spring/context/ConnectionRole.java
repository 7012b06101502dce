package io.packetstream.spring.context;

/** Which side opened a connection: the starter's server accepted it, or a named client made it. */
public enum ConnectionRole {
  /** Accepted by the server. */
  SERVER,
  /** Made by one of the {@code packetstream.clients}. */
  CLIENT;

  /** The role as a lower-case tag value ({@code server}, {@code client}). */
  public String tag() {
    return this == SERVER ? "server" : "client";
  }
}
