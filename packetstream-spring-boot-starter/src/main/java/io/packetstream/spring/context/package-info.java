/**
 * The starter's server and connections in the application context: the server's lifecycle,
 * connection events, and the builders and customizers every connection is made with.
 */
@NullMarked
package io.packetstream.spring.context;

import org.jspecify.annotations.NullMarked;
