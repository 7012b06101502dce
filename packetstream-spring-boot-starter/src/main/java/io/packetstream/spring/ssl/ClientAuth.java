package io.packetstream.spring.ssl;

/** Whether a TLS server asks its peers for a certificate (mutual TLS). */
public enum ClientAuth {
  /** Does not ask. */
  NONE,
  /** Asks; a peer without one is served all the same. */
  WANT,
  /** Asks; a peer without a trusted one is refused. */
  NEED
}
