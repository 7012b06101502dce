/** Health of the server and of each client. */
@NullMarked
package io.packetstream.spring.health;

import org.jspecify.annotations.NullMarked;
