package org.sparktrain.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.files.Json;
import org.sparktrain.runtime.SparkRuntime;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;
import org.sparktrain.strategy.WorkerLostException;
import org.sparktrain.train.TrainingRun;
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
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrainCommand.class);

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
    SparkSession spark = SparkRuntime.start(appName, common.master);
    try {
      Map<String, Object> summary;
      List<String> restarts = new ArrayList<>();
      while (true) {
        try {
          summary = new TrainingRun(spark, spec, dir, resume || !restarts.isEmpty()).restarts(restarts).run();
          break;
        } catch (WorkerLostException e) {
          int allowed = spec.checkpoint().autoResume();
          if (restarts.size() >= allowed) {
            throw allowed == 0
                ? e
                : new IllegalStateException(
                    "the run lost a worker again after " + allowed + " restarts (checkpoint.auto_resume): " + e.getMessage(), e);
          }
          restarts.add(e.getMessage());
          LOG.warn(
              "{}. Restart {} of at most {}: stopping this Spark application, starting a new one and"
                  + " resuming from the newest checkpoint",
              e.getMessage(), restarts.size(), allowed);
          // A new application, so that no executor keeps the broken mesh's state.
          spark.stop();
          spark = SparkRuntime.start(appName, common.master);
        } catch (IllegalStateException e) {
          throw spark.sparkContext().isStopped() ? SparkRuntime.stoppedUnder(spark, e) : e;
        }
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> test = (Map<String, Object>) summary.get("test");
      command.commandLine().getOut().println(Json.write(org.sparktrain.eval.MetricsAccumulator.withoutChartData(test)));
      return ExitCodes.OK;
    } finally {
      spark.stop();
    }
  }
}
