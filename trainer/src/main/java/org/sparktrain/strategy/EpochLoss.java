package org.sparktrain.strategy;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * The mean training loss over every minibatch the workers fitted in an epoch, gathered with Spark
 * accumulators by a listener that travels to the workers with DL4J's training function. DL4J's own
 * score is only that of the last averaging round (and stays 0 under gradient sharing).
 */
final class EpochLoss extends BaseTrainingListener implements Serializable {
  private static final long serialVersionUID = 1L;
  private final DoubleAccumulator sum;
  private final LongAccumulator count;
  private final LongAccumulator nonFinite;

  EpochLoss(JavaSparkContext sc) {
    this.sum = sc.sc().doubleAccumulator("sparktrain.train_loss_sum");
    this.count = sc.sc().longAccumulator("sparktrain.train_loss_count");
    this.nonFinite = sc.sc().longAccumulator("sparktrain.train_loss_non_finite");
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    double score = model.score();
    if (Double.isFinite(score)) {
      sum.add(score);
      count.add(1);
    } else {
      nonFinite.add(1);
    }
  }

  /** Forgets the previous epoch. */
  void reset() {
    sum.reset();
    count.reset();
    nonFinite.reset();
  }

  /** Minibatches whose loss was NaN or infinite since the last reset. */
  long nonFinite() {
    return nonFinite.value();
  }

  /** Mean loss since the last reset, or NaN when no worker reported one. */
  double mean() {
    long n = count.value();
    return n == 0 ? Double.NaN : sum.value() / n;
  }
}
