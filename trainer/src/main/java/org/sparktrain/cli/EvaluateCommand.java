package org.sparktrain.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.data.Datasets;
import org.sparktrain.eval.DistributedEvaluator;
import org.sparktrain.files.Json;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.runtime.SparkRuntime;
import org.sparktrain.strategy.StrategyContext;
import org.sparktrain.files.AtomicFiles;
import org.sparktrain.files.RunLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Scores a saved model on a labelled dataset with its saved feature pipeline. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a saved model on labelled data, with the feature pipeline saved in the model.",
      "For idx data, DATA is a directory and its t10k files are read."
    })
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A model.zip written by train.")
  String model;

  @Parameters(index = "1", paramLabel = "DATA", description = "Labelled data in the job's format (any Hadoop URI).")
  String data;

  @Option(
      names = "--split",
      defaultValue = "all",
      paramLabel = "SPLIT",
      description =
          "Rows of DATA to evaluate: all, or train, validation or test chosen as train chose them"
              + " (the job's split fractions and seed). Default: ${DEFAULT-VALUE}.")
  String split;

  @Option(names = "--output", paramLabel = "FILE", description = "Where to write the metrics JSON (default: evaluation.json beside MODEL).")
  String output;

  @Override
  public Integer call() {
    common.applyLogging();
    SparkSession spark = SparkRuntime.start("trainer: evaluate", common.master);
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      ModelArchive.Loaded loaded = ModelArchive.load(new Path(model), sc.hadoopConfiguration());
      JavaRDD<DataSet> batches =
          Datasets.labelledBatches(
              spark,
              loaded.spec(),
              data,
              split,
              loaded.pipeline(),
              StrategyContext.batchSizePerWorker(loaded.spec()));
      Map<String, Object> metrics =
          DistributedEvaluator.evaluate(sc, loaded.network(), batches, loaded.pipeline());
      String json = Json.write(metrics);
      Path target = new Path(output != null ? output : RunLayout.evaluationBeside(new Path(model)).toString());
      AtomicFiles.write(target, json, sc.hadoopConfiguration());
      command.commandLine().getOut().println(Json.write(org.sparktrain.eval.MetricsAccumulator.withoutChartData(metrics)));
      return ExitCodes.OK;
    } finally {
      spark.stop();
    }
  }
}
