package io.packetstream.connection;

import java.net.SocketAddress;

/**
 * What the transports on an {@link EventLoop} share ({@link ChannelIo}, {@link TlsChannelIo}):
 * registration on the loop when started, pausing and resuming reading through the interest set, and
 * handing a read or resume failure to the connection.
 *
 * <p>Threads: the loop thread alone reads, changes the interest set and the {@code paused} flag;
 * other threads ask it to through {@link EventLoop#execute}.
 */
abstract class LoopIo extends Io implements EventLoop.Ready {

  /** Reads per readiness event, so that one busy connection cannot hold its loop for long. */
  static final int READS_PER_EVENT = 16;

  final EventLoop loop;
  PacketConnection connection;
  boolean paused; // loop thread
  volatile boolean closed;

  LoopIo(SocketAddress remote, EventLoop loop) {
    super(remote);
    this.loop = loop;
  }

  @Override
  final void start(PacketConnection connection) {
    this.connection = connection;
    loop.execute(this::register);
  }

  /** Registers the channel with the loop and starts reading; loop thread, once. */
  abstract void register();

  /** Sets the interest set from the flags; loop thread. */
  abstract void updateInterest();

  /**
   * Reading resumed, outside the resume's batch: what the transport does next (TLS unwraps the
   * records read before the pause). Loop thread.
   */
  abstract void resumed();

  /**
   * In the resume's batch, once the kept frames went on and reading may go on: a transport that
   * read the end of its input while paused hands it on here. Loop thread.
   */
  void resumedInput() {
    // nothing kept back by default
  }

  @Override
  final boolean nonBlocking() {
    return true;
  }

  @Override
  public final void failed(Throwable error) {
    connection.ioFailed(error);
  }

  /** Runs {@code task} on the loop thread: at once when called there. */
  final void onLoop(Runnable task) {
    if (loop.inLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  @Override
  final void pauseReading() {
    onLoop(
        () -> {
          paused = true;
          updateInterest();
        });
  }

  @Override
  final void resumeReading() {
    loop.execute(
        () -> {
          if (closed || !paused) {
            return;
          }
          paused = false;
          connection.beginBatch();
          boolean more;
          try {
            more = connection.resumeInput();
            if (more) {
              resumedInput();
            }
          } finally {
            connection.endBatch();
          }
          if (!more) {
            paused = true;
          }
          resumed();
        });
  }
}
