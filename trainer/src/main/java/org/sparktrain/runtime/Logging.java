package org.sparktrain.runtime;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/** Console verbosity: the default shows this project's progress and warnings from Spark and DL4J. */
public final class Logging {
  private Logging() {}

  public enum Verbosity {
    QUIET,
    NORMAL,
    VERBOSE
  }

  public static void apply(Verbosity verbosity) {
    switch (verbosity) {
      case QUIET -> {
        Configurator.setRootLevel(Level.WARN);
        Configurator.setLevel("org.sparktrain", Level.WARN);
        Configurator.setLevel("org.apache.spark", Level.ERROR);
        Configurator.setLevel("org.deeplearning4j", Level.WARN);
        Configurator.setLevel("org.nd4j", Level.WARN);
        quietTaskFailures();
      }
      case NORMAL -> {
        Configurator.setRootLevel(Level.WARN);
        Configurator.setLevel("org.sparktrain", Level.INFO);
        Configurator.setLevel("org.apache.spark", Level.WARN);
        Configurator.setLevel("org.deeplearning4j", Level.INFO);
        // DL4J's Spark masters log every averaging round at INFO.
        Configurator.setLevel("org.deeplearning4j.spark", Level.WARN);
        Configurator.setLevel("org.nd4j", Level.INFO);
        // Gradient sharing's transport logs every skipped broadcast at INFO.
        Configurator.setLevel("org.nd4j.parameterserver.distributed.v2.transport", Level.WARN);
        quietTaskFailures();
      }
      case VERBOSE -> {
        Configurator.setRootLevel(Level.INFO);
        Configurator.setLevel("org.sparktrain", Level.DEBUG);
        Configurator.setLevel("org.apache.spark", Level.INFO);
        Configurator.setLevel("org.deeplearning4j", Level.DEBUG);
        Configurator.setLevel("org.nd4j", Level.INFO);
      }
    }
  }

  /**
   * A task that fails on bad data is logged by Spark's executor and task manager with a stack
   * trace; the same exception reaches the driver, which reports it once (the message alone for
   * bad input, the stack trace for a failure). Shown with --verbose.
   */
  private static void quietTaskFailures() {
    Configurator.setLevel("org.apache.spark.executor.Executor", Level.OFF);
    Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.OFF);
    Configurator.setLevel("org.apache.spark.sql.execution.datasources.FileFormatWriter", Level.OFF);
    // "Aborting task" with the stack trace, when a task writing predictions meets bad data.
    Configurator.setLevel("org.apache.spark.util.Utils", Level.OFF);
  }
}
