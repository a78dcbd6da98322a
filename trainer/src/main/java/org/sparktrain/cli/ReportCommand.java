package org.sparktrain.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparktrain.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Writes a finished run's HTML report and charts, without Spark. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write report.html and PNG charts (loss, validation metrics, confusion matrix) into a"
          + " finished run's directory, from its metrics.jsonl and summary.json.",
      "Prints the report's path. Exit 2 when RUN_DIR does not hold a finished run."
    })
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin CommonOptions common;

  @Parameters(
      index = "0",
      paramLabel = "RUN_DIR",
      description = "The --output directory of a train run (any Hadoop URI).")
  String runDir;

  @Override
  public Integer call() {
    common.applyLogging();
    Path report = RunReport.write(runDir, new Configuration());
    command.commandLine().getOut().println(report);
    command.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
