package org.sparktrain.cli;

import org.sparktrain.runtime.Logging;
import picocli.CommandLine.Option;

/** Options every command shares: verbosity and the Spark master. */
final class CommonOptions {
  @Option(names = "--verbose", description = "Show Spark's and DL4J's INFO lines and our DEBUG lines.")
  boolean verbose;

  @Option(names = "--quiet", description = "Show warnings and errors only.")
  boolean quiet;

  @Option(
      names = "--master",
      description =
          "Spark master URL (default: the one spark-submit gives, else local[*]).")
  String master;

  void applyLogging() {
    Logging.apply(
        quiet ? Logging.Verbosity.QUIET : verbose ? Logging.Verbosity.VERBOSE : Logging.Verbosity.NORMAL);
  }
}
