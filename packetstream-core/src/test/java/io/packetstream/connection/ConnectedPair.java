package io.packetstream.connection;

import java.io.IOException;
import java.nio.channels.Pipe;

/** Two connections talking over a pair of real OS pipes, closed together at the end of a test. */
final class ConnectedPair implements AutoCloseable {

  final PacketConnection left;
  final PacketConnection right;
  private final Pipe leftToRight;
  private final Pipe rightToLeft;

  ConnectedPair(PacketConnection.Builder left, PacketConnection.Builder right) throws IOException {
    leftToRight = Pipe.open();
    rightToLeft = Pipe.open();
    this.left = left.name("left").open(rightToLeft.source(), leftToRight.sink());
    this.right = right.name("right").open(leftToRight.source(), rightToLeft.sink());
  }

  @Override
  public void close() throws IOException {
    left.abort();
    right.abort();
    leftToRight.sink().close();
    leftToRight.source().close();
    rightToLeft.sink().close();
    rightToLeft.source().close();
  }
}
