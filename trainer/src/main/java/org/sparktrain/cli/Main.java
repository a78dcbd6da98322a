package org.sparktrain.cli;

import picocli.CommandLine;

/** Entry point; the only place that exits. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Before anything loads ND4J: the generic native build on a CPU without AVX2.
    org.sparktrain.runtime.NativeBuild.choose();
    // In local mode with several workers, train in a JVM whose native threads are each worker's
    // share of the cores (see NativeThreadsRelaunch); tests that call execute() run in their own.
    java.util.OptionalInt child = NativeThreadsRelaunch.runIfNeeded(args);
    System.exit(child.isPresent() ? child.getAsInt() : execute(args));
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
