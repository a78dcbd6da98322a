package org.sparktrain.eval;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.dl4j.BroadcastNetwork;
import org.sparktrain.model.Losses;
import org.sparktrain.strategy.DenseStackFit;
import org.sparktrain.strategy.ValidationScorer;

/**
 * Evaluates a network where the minibatches live: the network is broadcast ({@link
 * BroadcastNetwork}), each partition
 * scores its own minibatches, and only metric counters come back. A plain dense network (what
 * {@code DenseStackFit.forInference} takes) is scored by that class's forward pass in Java arrays;
 * any other, and any minibatch with masks, by DL4J's {@code score} and {@code output}.
 */
public final class DistributedEvaluator {
  private DistributedEvaluator() {}

  /** Loss and task metrics of {@code net} over {@code batches}. */
  public static Map<String, Object> evaluate(
      JavaSparkContext sc,
      MultiLayerNetwork net,
      JavaRDD<DataSet> batches,
      FeaturePipelineModel pipeline) {
    BroadcastNetwork network = BroadcastNetwork.of(sc, net);
    try {
      MetricsAccumulator total =
          batches
              .mapPartitions(
                  (Iterator<DataSet> it) ->
                      Collections.singletonList(
                              it.hasNext() ? score(it, network.network(), pipeline) : empty(pipeline))
                          .iterator())
              .reduce(MetricsAccumulator::merge);
      return total.metrics();
    } finally {
      network.destroy();
    }
  }

  /** {@link #score} and {@link MetricsAccumulator#merge} for a strategy that validates along with its epochs. */
  public static ValidationScorer scorer(FeaturePipelineModel pipeline) {
    return new Scorer(pipeline);
  }

  private record Scorer(FeaturePipelineModel pipeline) implements ValidationScorer {
    private static final long serialVersionUID = 1L;

    @Override
    public java.io.Serializable score(Iterator<DataSet> batches, MultiLayerNetwork net) {
      return DistributedEvaluator.score(batches, net, pipeline);
    }

    @Override
    public Map<String, Object> metrics(java.util.List<java.io.Serializable> counters) {
      MetricsAccumulator total = empty(pipeline);
      for (java.io.Serializable c : counters) {
        total = total.merge((MetricsAccumulator) c);
      }
      return total.metrics();
    }
  }

  /** Counters of no minibatch, to merge others into. */
  public static MetricsAccumulator empty(FeaturePipelineModel pipeline) {
    return new MetricsAccumulator(pipeline.labelKind(), pipeline.numOutputs());
  }

  /**
   * Scores {@code batches} with {@code net} where they are (in a task); {@link
   * MetricsAccumulator#merge} the partitions' counters and take their {@link
   * MetricsAccumulator#metrics}. Leaves the network's parameters as they are.
   */
  public static MetricsAccumulator score(
      Iterator<DataSet> batches, MultiLayerNetwork net, FeaturePipelineModel pipeline) {
    String kind = pipeline.labelKind();
    MetricsAccumulator acc = empty(pipeline);
    if (!batches.hasNext()) {
      return acc;
    }
    DenseStackFit dense = DenseStackFit.forInference(net);
    double regularization = dense != null ? net.calcRegularizationScore(true) : 0;
    boolean numeric = "numeric".equals(kind);
    while (batches.hasNext()) {
      DataSet ds = batches.next();
      int n = ds.numExamples();
      float[][] outRows;
      float[][] labelRows;
      if (dense != null
          && dense.fits(ds.getFeatures(), ds.getLabels(), ds.getFeaturesMaskArray(), ds.getLabelsMaskArray())) {
        // A plain dense network: one forward pass in Java arrays, no ND4J arrays per minibatch.
        float[] out = dense.output(ds.getFeatures());
        float[] labels = ArrayRows.flat(ds.getLabels());
        acc.addLoss(dense.lossSum(out, labels) / n + regularization, n);
        outRows = ArrayRows.rows(out, n, dense.outputs());
        labelRows = ArrayRows.rows(labels, n, dense.outputs());
      } else {
        acc.addLoss(net.score(ds, false), n);
        INDArray out =
            Losses.probabilities(
                net, net.output(ds.getFeatures(), false, ds.getFeaturesMaskArray(), ds.getLabelsMaskArray()));
        outRows = ArrayRows.of(out);
        labelRows = ArrayRows.of(ds.getLabels());
      }
      for (int i = 0; i < n; i++) {
        if (numeric) {
          outRows[i][0] = (float) pipeline.unscaleLabel(outRows[i][0]);
          labelRows[i][0] = (float) pipeline.unscaleLabel(labelRows[i][0]);
        }
        acc.add(outRows[i], labelRows[i]);
      }
    }
    return acc;
  }
}
