/** TLS for the server and the clients through Spring Boot's SSL bundles. */
@NullMarked
package io.packetstream.spring.ssl;

import org.jspecify.annotations.NullMarked;
