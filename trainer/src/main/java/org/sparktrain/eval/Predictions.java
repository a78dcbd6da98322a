package org.sparktrain.eval;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.data.Datasets;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.data.FeatureRow;
import org.sparktrain.data.SequenceRow;
import org.sparktrain.data.Sequences;
import org.sparktrain.dl4j.BroadcastNetwork;
import org.sparktrain.model.ModelArchive;

/**
 * Scores rows where they are: one output row per input row with its key columns, the prediction
 * (class name or value) and, for classifiers, one probability column per class.
 */
public final class Predictions {
  private static final int BATCH = 256;
  /** The column predict writes for an autoencoder: the row's mean squared error over its scaled features. */
  public static final String RECONSTRUCTION_ERROR = "reconstruction_error";

  private Predictions() {}

  public static Dataset<Row> score(
      SparkSession spark, ModelArchive.Loaded model, String dataPath, List<String> keys) {
    FeaturePipelineModel pipeline = model.pipeline();
    if (Datasets.scoresSequences(model.spec(), pipeline)) {
      return scoreSequences(spark, model, dataPath, keys);
    }
    JavaRDD<FeatureRow> rows =
        Datasets.featureRows(spark, model.spec().data(), dataPath, pipeline, keys);
    return score(spark, model, rows, keys.isEmpty() && "idx".equals(model.spec().data().format()) ? List.of("index") : keys);
  }

  /**
   * Scores a caller's DataFrame of feature rows (tabular models): one output row per input row
   * with the key columns, the prediction and, for classifiers, one probability column per class.
   */
  public static Dataset<Row> score(SparkSession spark, ModelArchive.Loaded model, Dataset<Row> rows, List<String> keys) {
    if (Datasets.scoresSequences(model.spec(), model.pipeline())) {
      throw new org.sparktrain.data.DataException(
          "this model scores whole sequences, not single rows of a DataFrame; score it with the predict command from its files");
    }
    return score(spark, model, Datasets.featureRows(rows, model.pipeline(), keys), keys);
  }

  private static Dataset<Row> score(
      SparkSession spark, ModelArchive.Loaded model, JavaRDD<FeatureRow> rows, List<String> outKeys) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    FeaturePipelineModel pipeline = model.pipeline();
    BroadcastNetwork network = BroadcastNetwork.of(sc, model.network());
    JavaRDD<Row> out =
        rows.mapPartitions((Iterator<FeatureRow> it) -> scorePartition(it, network, pipeline));
    return spark.createDataFrame(out, schema(outKeys, pipeline));
  }

  /**
   * One output row per sequence (keyed by its id) or, for text, per input row (keyed by {@code
   * keys}): sequences are padded and masked as in training.
   */
  private static Dataset<Row> scoreSequences(SparkSession spark, ModelArchive.Loaded model, String dataPath, List<String> keys) {
    FeaturePipelineModel pipeline = model.pipeline();
    if ("reconstruct".equals(pipeline.labelKind())) {
      throw new org.sparktrain.data.DataException("predict scores reconstruction error for feature vectors, not sequences");
    }
    boolean text = pipeline.params().text();
    List<String> outKeys = text ? keys : List.of(Datasets.sequenceKey(model.spec()));
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<SequenceRow> rows = Datasets.sequenceRows(spark, model.spec(), dataPath, pipeline, text ? keys : List.of());
    int length = model.spec().model().input().length();
    BroadcastNetwork network = BroadcastNetwork.of(sc, model.network());
    JavaRDD<Row> out = rows.mapPartitions((Iterator<SequenceRow> it) -> inBatches(it, network,
        (net, batch) -> {
          List<float[][]> steps = new ArrayList<>(batch.size());
          batch.forEach(r -> steps.add(r.steps()));
          INDArray[] x = Sequences.padded(steps, length);
          return net.output(x[0], false, x[1], null);
        },
        (r, y) -> row(r.keys(), y, new float[0], pipeline)));
    return spark.createDataFrame(out, schema(outKeys, pipeline));
  }

  /** Mean squared difference between a reconstruction and the scaled features it reconstructs. */
  static double reconstructionError(float[] out, float[] features) {
    double sum = 0;
    for (int i = 0; i < features.length; i++) {
      double e = out[i] - features[i];
      sum += e * e;
    }
    return features.length == 0 ? 0.0 : sum / features.length;
  }

  static StructType schema(List<String> keys, FeaturePipelineModel pipeline) {
    List<StructField> fields = new ArrayList<>();
    for (String k : keys) {
      fields.add(DataTypes.createStructField(k, DataTypes.StringType, true));
    }
    if ("numeric".equals(pipeline.labelKind())) {
      fields.add(DataTypes.createStructField("prediction", DataTypes.DoubleType, false));
    } else if ("reconstruct".equals(pipeline.labelKind())) {
      fields.add(DataTypes.createStructField(RECONSTRUCTION_ERROR, DataTypes.DoubleType, false));
    } else {
      fields.add(DataTypes.createStructField("prediction", DataTypes.StringType, false));
      for (String c : pipeline.classNames()) {
        fields.add(DataTypes.createStructField("probability_" + c, DataTypes.DoubleType, false));
      }
    }
    return DataTypes.createStructType(fields);
  }

  private static Iterator<Row> scorePartition(
      Iterator<FeatureRow> it, BroadcastNetwork network, FeaturePipelineModel pipeline) {
    return inBatches(it, network,
        (net, batch) -> {
          float[][] x = new float[batch.size()][];
          for (int i = 0; i < x.length; i++) {
            x[i] = batch.get(i).features();
          }
          return net.output(Nd4j.create(x), false);
        },
        (r, y) -> row(r.keys(), y, r.features(), pipeline));
  }

  /**
   * Scores a partition in batches of {@link #BATCH} with one network rebuilt from {@code network}: {@code output} gives a batch's network output, {@code row} one output row
   * from an input and its probabilities.
   */
  private static <T> Iterator<Row> inBatches(
      Iterator<T> it, BroadcastNetwork network,
      java.util.function.BiFunction<MultiLayerNetwork, List<T>, INDArray> output,
      java.util.function.BiFunction<T, float[], Row> row) {
    if (!it.hasNext()) {
      return java.util.Collections.emptyIterator();
    }
    MultiLayerNetwork net = network.network();
    // One batch at a time as Spark pulls rows, so that a partition never sits in memory whole.
    return new Iterator<Row>() {
      private final List<Row> ready = new ArrayList<>(BATCH);
      private int next;

      @Override
      public boolean hasNext() {
        return next < ready.size() || it.hasNext();
      }

      @Override
      public Row next() {
        if (next == ready.size()) {
          if (!it.hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          List<T> batch = new ArrayList<>(BATCH);
          while (batch.size() < BATCH && it.hasNext()) {
            batch.add(it.next());
          }
          float[][] y = ArrayRows.of(org.sparktrain.model.Losses.probabilities(net, output.apply(net, batch)));
          ready.clear();
          next = 0;
          for (int i = 0; i < y.length; i++) {
            ready.add(row.apply(batch.get(i), y[i]));
          }
        }
        return ready.get(next++);
      }
    };
  }

  private static Row row(String[] keys, float[] out, float[] features, FeaturePipelineModel pipeline) {
    List<Object> values = new ArrayList<>(List.of((Object[]) keys));
    List<String> classes = pipeline.classNames();
    switch (pipeline.labelKind()) {
      case "numeric" -> values.add(pipeline.unscaleLabel(out[0]));
      case "reconstruct" -> values.add(reconstructionError(out, features));
      case "multi_label" -> {
        List<String> positive = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
          if (out[i] >= 0.5f) {
            positive.add(classes.get(i));
          }
        }
        values.add(String.join(",", positive));
        for (float p : out) {
          values.add((double) p);
        }
      }
      case "binary" -> {
        values.add(classes.get(out[0] >= 0.5f ? 1 : 0));
        values.add(1.0 - out[0]);
        values.add((double) out[0]);
      }
      default -> {
        int best = 0;
        for (int i = 1; i < out.length; i++) {
          if (out[i] > out[best]) {
            best = i;
          }
        }
        values.add(classes.get(best));
        for (float p : out) {
          values.add((double) p);
        }
      }
    }
    return RowFactory.create(values.toArray());
  }
}
