package org.sparktrain.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The top-level command; subcommands do the work. */
@Command(
    name = "trainer",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Distributed training of neural networks on Apache Spark with Deeplearning4j.",
    subcommands = {
      TrainCommand.class,
      ValidateCommand.class,
      EvaluateCommand.class,
      PredictCommand.class,
      CheckpointsCommand.class,
      ReportCommand.class,
      BenchCommand.class,
      HelpCommand.class
    })
final class TrainerCommand implements Runnable {
  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "a command is required: train, validate, evaluate, predict, checkpoints, report or bench");
  }
}
