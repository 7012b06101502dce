/** Micrometer observations of every request the starter's connections answer or send. */
@NullMarked
package io.packetstream.spring.observation;

import org.jspecify.annotations.NullMarked;
