/** Auto-configuration of the {@code packetstream} health contributor. */
@NullMarked
package io.packetstream.spring.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
