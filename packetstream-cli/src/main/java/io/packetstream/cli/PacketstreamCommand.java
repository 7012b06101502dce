package io.packetstream.cli;

import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code packetstream} tool: the entry point of {@code packetstream.jar}, one subcommand per
 * job. The conformance and load commands follow {@code CONFORMANCE.md} to the letter (names,
 * options, output lines) so that scripts outside the project can drive them.
 *
 * <pre>
 * java -jar packetstream.jar call --port 9000 --type 0 --text hello
 * java -jar packetstream.jar serve --port 9002 --replies replies.txt
 * java -jar packetstream.jar conformance-server --port 9000
 * java -jar packetstream.jar conformance-client --port 9000 --scenario all
 * java -jar packetstream.jar rr-server --port 9001
 * java -jar packetstream.jar rr-client --port 9001 --requests 500000 --window 256 --payload 32
 * java -jar packetstream.jar conn-load --port 9001 --steps 1000,5000 --active 1000 --window 4
 * java -jar packetstream.jar soak --requests 1000000 --connections 100 --window 16
 * java -jar packetstream.jar rr-server --port 9001 --heap-requests 2&gt;server.log
 * java -jar packetstream.jar hostile --port 9001 --server-log server.log --attack-seconds 60
 * </pre>
 */
@Command(
    name = "packetstream",
    mixinStandardHelpOptions = true,
    version = "packetstream 0.1.0",
    description =
        "Talk packetstream: one-off calls, a mock peer with canned replies, the conformance "
            + "service and client, the rr load, the connection-scale load, the soak, the "
            + "hostile-peer run.",
    subcommands = {
      CallCommand.class,
      ServeCommand.class,
      ConformanceServerCommand.class,
      ConformanceClientCommand.class,
      RrServerCommand.class,
      RrClientCommand.class,
      ConnLoadCommand.class,
      SoakCommand.class,
      HostileCommand.class,
    })
public final class PacketstreamCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the tool and exits with the command's status. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The tool's command line, ready to {@code execute}; tests capture its output. */
  static CommandLine commandLine() {
    return new CommandLine(new PacketstreamCommand())
        .setExecutionExceptionHandler(PacketstreamCommand::report)
        .setParameterExceptionHandler(PacketstreamCommand::badUsage);
  }

  /**
   * Reports an option picocli cannot take (unknown, missing, or not of its type) in one line, as
   * the tool's own checks do, pointing at the command's help rather than printing all of it.
   */
  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    cli.getErr()
        .println(
            cli.getCommandName()
                + ": "
                + e.getMessage()
                + " ('"
                + cli.getCommandSpec().qualifiedName()
                + " --help' lists the options)");
    return cli.getCommandSpec().exitCodeOnInvalidInput();
  }

  /**
   * Reports a command's failure in one line rather than a stack trace when it is the user's or the
   * network's doing: a bad value (exit 2) or an I/O error such as a refused connection (exit 1).
   */
  private static int report(Exception e, CommandLine cli, CommandLine.ParseResult parsed)
      throws Exception {
    if (e instanceof IllegalArgumentException) {
      cli.getErr().println(cli.getCommandName() + ": " + e.getMessage());
      return 2;
    }
    if (e instanceof IOException) {
      cli.getErr().println(cli.getCommandName() + ": " + e);
      return 1;
    }
    throw e;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
