package org.sparktrain.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.eval.Predictions;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.runtime.SparkRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Scores a dataset with a saved model on Spark. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Score data with a saved model and its saved feature pipeline.",
      "Writes one row per input row (per sequence for sequence models): the key columns, the prediction and, for classifiers, class probabilities."
    })
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A model.zip written by train.")
  String model;

  @Parameters(index = "1", paramLabel = "DATA", description = "Data in the job's format (any Hadoop URI); a label column is not needed.")
  String data;

  @Option(names = "--output", required = true, paramLabel = "OUT", description = "Output directory (any Hadoop URI); must not exist.")
  String output;

  @Option(names = "--format", defaultValue = "parquet", description = "parquet or csv (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--keys", split = ",", paramLabel = "COLUMN", description = "Input columns copied to the output (default: the job's dropped columns, which are usually identifiers; for idx: the image index).")
  List<String> keys;

  /** Refuses an existing output, so that nothing already written there is replaced. */
  private static void requireNew(String output, org.apache.hadoop.conf.Configuration conf) {
    try {
      Path out = new Path(output);
      if (out.getFileSystem(conf).exists(out)) {
        throw new org.sparktrain.spec.SpecException(
            List.of(
                new org.sparktrain.spec.Violation(
                    "--output",
                    "'" + output + "' already exists; expected a new directory; choose another --output or delete that one")));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("checking output " + output, e);
    }
  }

  @Override
  public Integer call() {
    common.applyLogging();
    if (!format.equals("parquet") && !format.equals("csv")) {
      throw new picocli.CommandLine.ParameterException(
          command.commandLine(), "--format must be parquet or csv, got '" + format + "'");
    }
    SparkSession spark = SparkRuntime.start("trainer: predict", common.master);
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      requireNew(output, sc.hadoopConfiguration());
      ModelArchive.Loaded loaded = ModelArchive.load(new Path(model), sc.hadoopConfiguration());
      if (keys != null && loaded.spec().data().sequence().rows()) {
        throw new org.sparktrain.spec.SpecException(
            List.of(
                new org.sparktrain.spec.Violation(
                    "--keys",
                    "this model scores whole sequences: each output row is keyed by its sequence ('"
                        + org.sparktrain.data.Datasets.sequenceKey(loaded.spec()) + "'), not by other columns; remove --keys")));
      }
      List<String> keyColumns =
          keys != null ? keys : new ArrayList<>(loaded.spec().data().features().drop());
      var predictions = Predictions.score(spark, loaded, data, keyColumns);
      var writer = predictions.write().mode(SaveMode.ErrorIfExists);
      if (format.equals("csv")) {
        writer.option("header", "true").csv(output);
      } else {
        writer.parquet(output);
      }
      command.commandLine().getOut().printf("predictions written to %s%n", output);
      return ExitCodes.OK;
    } finally {
      spark.stop();
    }
  }
}
