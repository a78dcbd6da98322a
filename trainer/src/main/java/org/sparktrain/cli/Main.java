package org.sparktrain.cli;

import picocli.CommandLine;

/** Entry point; the only place that exits. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (0 ok, 1 failure, 2 bad input). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    return new CommandLine(new TrainerCommand())
        .setExecutionExceptionHandler(new ExitCodes())
        .setParameterExceptionHandler(new ExitCodes.UsageErrors());
  }
}
