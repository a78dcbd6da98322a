package org.sparktrain.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.data.PreparedData;
import org.sparktrain.eval.ArrayRows;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.LayerSpec;

/**
 * Spark MLlib's MultilayerPerceptronClassifier with the job's layer sizes on the same examples.
 * MLlib's network has sigmoid hidden layers and a softmax output, and trains with L-BFGS over the
 * whole training split per iteration. It runs in chunks of iterations, each starting from the
 * weights of the last, with validation between chunks, until the target accuracy or the budget.
 */
final class MllibBench {
  private static final Logger LOG = LoggerFactory.getLogger(MllibBench.class);

  private MllibBench() {}

  static SystemResult run(
      SparkSession spark, JobSpec spec, PreparedData data, double budgetSeconds, int chunk, double target) {
    SystemResult r = new SystemResult("mllib (MultilayerPerceptronClassifier, L-BFGS)");
    List<Integer> sizes = new ArrayList<>();
    sizes.add(data.pipeline().numInputs());
    for (LayerSpec l : spec.model().layers()) {
      if ("dense".equals(l.type()) || "output".equals(l.type())) {
        sizes.add(l.units());
      } else {
        r.note = "layer type " + l.type() + " has no MLlib counterpart; MLlib not run";
        return r;
      }
    }
    if (!"class_index".equals(data.pipeline().labelKind()) && !"binary".equals(data.pipeline().labelKind())) {
      r.note = "MLlib's perceptron only classifies; label kind " + data.pipeline().labelKind() + " not run";
      return r;
    }
    int[] layers = sizes.stream().mapToInt(Integer::intValue).toArray();
    Dataset<Row> train = frame(spark, data.train()).cache();
    Dataset<Row> validation = frame(spark, data.validation()).cache();
    Dataset<Row> test = frame(spark, data.test()).cache();
    train.count();
    validation.count();
    test.count();
    MulticlassClassificationEvaluator accuracy =
        new MulticlassClassificationEvaluator().setMetricName("accuracy");
    MultilayerPerceptronClassifier mlp =
        new MultilayerPerceptronClassifier()
            .setLayers(layers)
            .setSeed(spec.seed())
            .setMaxIter(chunk)
            .setTol(0.0)
            .setBlockSize(128);
    r.settings.put("layers", sizes);
    r.settings.put("solver", "l-bfgs");
    r.settings.put("hidden_activation", "sigmoid (MLlib's only choice)");
    r.settings.put("block_size", 128);
    r.settings.put("iterations_per_chunk", chunk);
    r.settings.put("budget_seconds", budgetSeconds);
    r.settings.put("epoch_seconds_means", "seconds per L-BFGS iteration, each a pass over the training split (plus line-search passes)");
    MultilayerPerceptronClassificationModel model = null;
    try {
      while (r.totalTrainSeconds() < budgetSeconds && (r.timeToTarget == null)) {
        if (model != null) {
          mlp.setInitialWeights(model.weights());
        }
        long t0 = System.nanoTime();
        long c0 = Bench.cpuNanos();
        model = mlp.fit(train);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (Bench.cpuNanos() - c0) / 1e9;
        int iterations = Math.max(1, model.summary().totalIterations());
        double acc = accuracy.evaluate(model.transform(validation));
        r.epoch(seconds, cpu, iterations, acc, target);
        LOG.info("mllib: {} iterations in {} s, validation accuracy {}", iterations,
            String.format(Locale.ROOT, "%.1f", seconds), String.format(Locale.ROOT, "%.4f", acc));
      }
      r.testMetric = accuracy.evaluate(model.transform(test));
      if (r.timeToTarget == null) {
        r.note = String.format(Locale.ROOT, "target not reached within %.0f s of training", r.totalTrainSeconds());
      }
    } finally {
      train.unpersist();
      validation.unpersist();
      test.unpersist();
    }
    return r;
  }

  /** Rows of (label, features) from the minibatches: the same examples, the class as a double. */
  private static Dataset<Row> frame(SparkSession spark, JavaRDD<DataSet> batches) {
    StructType schema =
        new StructType()
            .add("label", DataTypes.DoubleType, false)
            .add("features", SQLDataTypes.VectorType(), false);
    JavaRDD<Row> rows =
        batches.flatMap(
            (DataSet ds) -> {
              float[][] x = ArrayRows.of(ds.getFeatures());
              float[][] y = ArrayRows.of(ds.getLabels());
              List<Row> out = new ArrayList<>(x.length);
              for (int i = 0; i < x.length; i++) {
                double[] f = new double[x[i].length];
                for (int j = 0; j < f.length; j++) {
                  f[j] = x[i][j];
                }
                out.add(RowFactory.create((double) argmax(y[i]), Vectors.dense(f)));
              }
              Iterator<Row> it = out.iterator();
              return it;
            });
    return spark.createDataFrame(rows, schema);
  }

  /** The class of a label row: its index of the largest value (a single 0/1 column: the value). */
  private static int argmax(float[] y) {
    if (y.length == 1) {
      return y[0] >= 0.5f ? 1 : 0;
    }
    int best = 0;
    for (int i = 1; i < y.length; i++) {
      if (y[i] > y[best]) {
        best = i;
      }
    }
    return best;
  }
}
