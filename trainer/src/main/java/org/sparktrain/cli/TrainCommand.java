package org.sparktrain.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparktrain.files.Json;
import org.sparktrain.runtime.SparkRuntime;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;
import org.sparktrain.train.RestartingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Trains the network a job file describes. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train the network a job file describes, on Spark.",
      "Writes DIR/metrics.jsonl (one line per epoch), DIR/summary.json (test metrics) and DIR/model.zip."
    })
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "JOB", description = "The job file (YAML).")
  Path job;

  @Option(names = "--output", paramLabel = "DIR", description = "Output directory (any Hadoop URI); default: output.dir of the job file.")
  String output;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a field, e.g. training.epochs=2 or data.path=file:///tmp/x.csv. Repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--resume",
      description =
          "Continue the unfinished run in the output directory from its newest good checkpoint (from"
              + " epoch 1 only when it recorded no epoch yet). Refused for a finished run (summary.json)."
              + " The job may differ only in training.epochs and early_stopping.")
  boolean resume;

  @Override
  public Integer call() {
    common.applyLogging();
    JobSpec spec = JobSpecLoader.load(job, overrides);
    String dir = output != null ? output : spec.output().dir();
    if (dir == null) {
      throw new SpecException(
          List.of(new Violation("output.dir", "no output directory; pass --output DIR or set output.dir in the job file")));
    }
    String appName = "trainer: " + spec.name();
    Map<String, Object> summary =
        RestartingRun.run(spec, dir, resume, () -> SparkRuntime.start(appName, common.master));
    @SuppressWarnings("unchecked")
    Map<String, Object> test = (Map<String, Object>) summary.get("test");
    command.commandLine().getOut().println(Json.write(org.sparktrain.eval.MetricsAccumulator.withoutChartData(test)));
    return ExitCodes.OK;
  }
}
