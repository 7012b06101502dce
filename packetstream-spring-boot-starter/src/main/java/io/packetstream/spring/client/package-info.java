/**
 * Named clients: connections to peers that reconnect, and their beans.
 */
@NullMarked
package io.packetstream.spring.client;

import org.jspecify.annotations.NullMarked;
