package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code call}: sends one request to a packetstream peer and prints its answer, three lines:
 *
 * <pre>
 * ok: true
 * flags: 17
 * payload: dlrow olleh
 * </pre>
 *
 * <p>The payload is printed as text when it is valid UTF-8 with no control characters other than
 * tab, CR and LF, else as {@code payload (hex): ...}. The exit status is 0 for an ok answer, 1 for
 * a not-ok one, 2 when the peer cannot be reached or gives no answer within {@code
 * --timeout-seconds} (at least 1). With {@code --hold-seconds S} the connection stays open S
 * seconds after the answer is printed, so that the peer's view of it (such as its meters) can be
 * looked at while it lasts.
 */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    description = "Send one request and print the answer (ok, flags, payload).")
final class CallCommand implements Callable<Integer> {

  static final int NOT_OK = 1;
  static final int NO_ANSWER = 2;

  @Mixin Endpoint endpoint;

  @Option(names = "--type", required = true, description = "The request type.")
  long type;

  @Option(names = "--flags", defaultValue = "0", description = "The request flags (default 0).")
  long flags;

  @Option(
      names = "--timeout-seconds",
      defaultValue = "30",
      description = "How long to wait for the answer (default ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--hold-seconds",
      defaultValue = "0",
      description =
          "Keep the connection open this long after printing the answer, e.g. to look at"
              + " its meters on the peer (default ${DEFAULT-VALUE}; ends early if the peer closes).")
  long holdSeconds;

  @ArgGroup(exclusive = true, multiplicity = "1")
  PayloadSource source;

  @Spec CommandSpec spec;

  /** Where the request's payload comes from: exactly one of the three. */
  static final class PayloadSource {
    @Option(names = "--text", description = "The payload: this text in UTF-8.")
    String text;

    @Option(names = "--file", description = "The payload: this file's bytes.")
    Path file;

    @Option(names = "--stdin", description = "The payload: everything on standard input.")
    boolean stdin;
  }

  @Override
  public Integer call() throws Exception {
    if (timeoutSeconds < 1) {
      // the core reads a zero timeout as no limit at all
      throw new IllegalArgumentException("--timeout-seconds " + timeoutSeconds + " is below 1");
    }
    if (holdSeconds < 0) {
      throw new IllegalArgumentException("--hold-seconds " + holdSeconds + " is negative");
    }
    // every way the call can fail ends in the one line on stderr this command prints: the
    // library's own log of the same fault would only repeat it
    java.util.logging.Logger library = java.util.logging.Logger.getLogger("io.packetstream");
    java.util.logging.Level level = library.getLevel();
    library.setLevel(java.util.logging.Level.OFF);
    try {
      return callQuietly();
    } finally {
      library.setLevel(level);
    }
  }

  private Integer callQuietly() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    byte[] payload;
    try {
      payload = payload();
    } catch (IOException e) {
      err.println("call: cannot read the payload: " + e);
      return NO_ANSWER;
    }
    // the library's messages start with the connection's name: the peer's, not the command's
    String peer = endpoint.host + ":" + endpoint.port;
    PacketConnection connection;
    try {
      connection =
          PacketClient.connect(
              endpoint.host,
              endpoint.port,
              endpoint.configure(
                  PacketConnection.builder().name(peer).closeTimeout(Duration.ofSeconds(5))));
    } catch (IOException e) {
      err.println("call: cannot connect to " + peer + ": " + reason(e));
      return NO_ANSWER;
    }
    // not try-with-resources: it would close (and await the peer's EOF) before the catch
    try {
      Response response;
      try {
        response = connection.call(0, type, flags, payload, Duration.ofSeconds(timeoutSeconds));
      } catch (TimeoutException e) {
        // a peer that does not answer is not waited for at close either
        connection.abort();
        err.println("call: no answer within " + timeoutSeconds + " s");
        return NO_ANSWER;
      } catch (IOException e) {
        err.println("call: the request failed: " + e.getMessage());
        return NO_ANSWER;
      }
      out.println("ok: " + response.ok());
      out.println("flags: " + response.flags());
      String text = printable(response.payload());
      out.println(
          text != null
              ? "payload: " + text
              : "payload (hex): " + HexFormat.of().formatHex(response.payload()));
      out.flush();
      if (holdSeconds > 0) {
        err.println("call: keeping the connection open for " + holdSeconds + " s");
        err.flush();
        hold(connection);
      }
      return response.ok() ? 0 : NOT_OK;
    } finally {
      connection.close();
    }
  }

  /** Waits {@code --hold-seconds}, or less if the peer ends the connection first. */
  private void hold(PacketConnection connection) {
    try {
      connection.join(Duration.ofSeconds(holdSeconds));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Why a connect failed, in words: an unknown host's exception says only the host's name. */
  static String reason(IOException e) {
    if (e instanceof UnknownHostException) {
      return "no such host";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private byte[] payload() throws IOException {
    if (source.text != null) {
      return source.text.getBytes(StandardCharsets.UTF_8);
    }
    if (source.file != null) {
      try (InputStream in = Files.newInputStream(source.file)) {
        return atMostAFrame(in, source.file.toString());
      }
    }
    return atMostAFrame(System.in, "stdin");
  }

  /**
   * All of {@code in}, refused once it is longer than the longest frame a peer takes by default: an
   * endless input ({@code yes |}, {@code /dev/zero}) is not read until the heap runs out.
   */
  private static byte[] atMostAFrame(InputStream in, String what) throws IOException {
    int limit = PacketCodec.DEFAULT_MAX_FRAME_LENGTH;
    byte[] bytes = in.readNBytes(limit + 1);
    if (bytes.length > limit) {
      throw new IllegalArgumentException(
          "the payload from " + what + " is over " + limit + " bytes, a peer's frame limit");
    }
    return bytes;
  }

  /**
   * The bytes as a string if they are valid UTF-8 without control characters (C0, DEL, C1) other
   * than tab, CR and LF, else null: text that prints as itself.
   */
  static String printable(byte[] bytes) {
    String text = utf8(bytes);
    if (text == null) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (Character.isISOControl(ch) && ch != '\t' && ch != '\r' && ch != '\n') {
        return null;
      }
    }
    return text;
  }

  /** The bytes decoded as UTF-8, or null when they are not valid UTF-8. */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
