package io.packetstream.connection;

import java.util.concurrent.CompletionStage;

/** A reply that arrives when a stage completes; made by {@link Reply#later}. */
record DeferredReply(CompletionStage<Response> stage) implements Reply {}
