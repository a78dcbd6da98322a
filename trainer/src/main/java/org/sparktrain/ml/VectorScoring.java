package org.sparktrain.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.data.DataException;
import org.sparktrain.dl4j.BroadcastNetwork;
import org.sparktrain.eval.ArrayRows;
import org.sparktrain.model.Losses;

/**
 * Scores a DataFrame's Vector column in the executors: the network goes out once as a broadcast
 * ({@link BroadcastNetwork}: configuration JSON and parameters, no Java serialization of DL4J objects), each partition
 * rebuilds it once and streams its rows through it in minibatches.
 */
final class VectorScoring {
  static final int BATCH = 512;

  /** What one appended column holds. */
  enum Output {
    RAW_PREDICTION,
    PROBABILITY,
    PREDICTION,
    VALUE
  }

  private transient MultiLayerNetwork driverNet;
  private transient SparkContext sc;
  private transient BroadcastNetwork network;

  /** The network, kept on the driver for single-row predictions. */
  VectorScoring(MultiLayerNetwork net) {
    this.driverNet = net;
  }

  /** The network's output for one row, probabilities for classifiers. */
  synchronized float[] outputOf(Vector features) {
    float[] x = floats(features, driverNet.layerInputSize(0), "features");
    return Losses.probabilities(driverNet, driverNet.output(Nd4j.create(new float[][] {x}), false)).toFloatVector();
  }

  /** The broadcast of this network to {@code current}'s executors: made once per SparkContext. */
  private synchronized void broadcast(SparkContext current) {
    if (sc != current || current.isStopped()) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(current);
      network = BroadcastNetwork.of(jsc, driverNet);
      sc = current;
    }
  }

  /**
   * {@code rows} with {@code outputs} appended as the fields of {@code schema} after the input's:
   * {@code thresholds} (classifiers, may be null) pick the prediction as MLlib does, {@code
   * labelCenter} and {@code labelScale} undo a regression target's scaling.
   */
  Dataset<Row> transform(
      Dataset<?> rows, String featuresCol, StructType schema, List<Output> outputs, double[] thresholds,
      double labelCenter, double labelScale) {
    broadcast(rows.sparkSession().sparkContext());
    Dataset<Row> df = rows.toDF();
    int featureIndex = Arrays.asList(df.columns()).indexOf(featuresCol);
    int width = driverNet.layerInputSize(0);
    BroadcastNetwork n = network;
    Output[] plan = outputs.toArray(new Output[0]);
    JavaRDD<Row> scored =
        df.javaRDD()
            .mapPartitions(
                (Iterator<Row> it) ->
                    it.hasNext()
                        ? new Scored(it, n.network(), featureIndex, width, featuresCol,
                            plan, thresholds, labelCenter, labelScale)
                        : Collections.emptyIterator());
    return rows.sparkSession().createDataFrame(scored, schema);
  }

  static float[] floats(Vector v, int width, String column) {
    if (v == null) {
      throw new DataException("features column '" + column + "': a row has no vector (null); expected a vector of size " + width + "; drop or fill such rows");
    }
    if (v.size() != width) {
      throw new DataException("features column '" + column + "': a vector of size " + v.size() + ", expected " + width
          + " (the size the model was trained with); assemble the same features as in training");
    }
    double[] d = v.toArray();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** A partition's rows with the outputs appended, scored a minibatch at a time as they are read. */
  private static final class Scored implements Iterator<Row> {
    private final Iterator<Row> in;
    private final MultiLayerNetwork net;
    private final int featureIndex;
    private final int width;
    private final String column;
    private final Output[] plan;
    private final double[] thresholds;
    private final double labelCenter;
    private final double labelScale;
    private final List<Row> ready = new ArrayList<>(BATCH);
    private int next;

    Scored(Iterator<Row> in, MultiLayerNetwork net, int featureIndex, int width, String column, Output[] plan,
        double[] thresholds, double labelCenter, double labelScale) {
      this.in = in;
      this.net = net;
      this.featureIndex = featureIndex;
      this.width = width;
      this.column = column;
      this.plan = plan;
      this.thresholds = thresholds;
      this.labelCenter = labelCenter;
      this.labelScale = labelScale;
    }

    @Override
    public boolean hasNext() {
      return next < ready.size() || in.hasNext();
    }

    @Override
    public Row next() {
      if (next == ready.size()) {
        if (!in.hasNext()) {
          throw new NoSuchElementException();
        }
        fill();
      }
      return ready.get(next++);
    }

    private void fill() {
      List<Row> batch = new ArrayList<>(BATCH);
      while (batch.size() < BATCH && in.hasNext()) {
        batch.add(in.next());
      }
      float[][] x = new float[batch.size()][];
      for (int i = 0; i < x.length; i++) {
        x[i] = floats((Vector) batch.get(i).get(featureIndex), width, column);
      }
      float[][] y = ArrayRows.of(Losses.probabilities(net, net.output(Nd4j.create(x), false)));
      ready.clear();
      next = 0;
      for (int i = 0; i < x.length; i++) {
        ready.add(row(batch.get(i), y[i]));
      }
    }

    private Row row(Row input, float[] out) {
      Object[] values = new Object[input.length() + plan.length];
      for (int i = 0; i < input.length(); i++) {
        values[i] = input.get(i);
      }
      double[] probability = probabilities(out);
      for (int k = 0; k < plan.length; k++) {
        values[input.length() + k] =
            switch (plan[k]) {
              case RAW_PREDICTION, PROBABILITY -> Vectors.dense(probability.clone());
              case PREDICTION -> (double) predict(probability, thresholds);
              case VALUE -> out[0] * labelScale + labelCenter;
            };
      }
      return RowFactory.create(values);
    }
  }

  /** One probability per class: a single sigmoid output p is the binary pair (1 - p, p). */
  static double[] probabilities(float[] out) {
    if (out.length == 1) {
      return new double[] {1.0 - out[0], out[0]};
    }
    double[] p = new double[out.length];
    for (int i = 0; i < out.length; i++) {
      p[i] = out[i];
    }
    return p;
  }

  /** The class of the largest probability, each first divided by its threshold when set (MLlib's rule). */
  static int predict(double[] probability, double[] thresholds) {
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < probability.length; i++) {
      double score;
      if (thresholds == null) {
        score = probability[i];
      } else if (thresholds[i] == 0.0) {
        score = Double.POSITIVE_INFINITY;
      } else {
        score = probability[i] / thresholds[i];
      }
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }
}
