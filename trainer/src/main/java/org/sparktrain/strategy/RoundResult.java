package org.sparktrain.strategy;

import java.io.Serializable;

/**
 * What the workers of one averaging round send back, summed over workers: parameters and updater
 * state (to be divided by {@link #workers}), and the losses of the minibatches they fitted.
 */
final class RoundResult implements Serializable {
  private static final long serialVersionUID = 1L;
  final float[] params;
  final float[] updater;
  /** The worker (partition) that sent it, when results are combined in rank order. */
  int rank;
  int workers;
  int maxFitted;
  long fitted;
  double lossSum;
  long lossCount;
  long nonFinite;
  long fitNanos;

  RoundResult(float[] params, float[] updater) {
    this.params = params;
    this.updater = updater;
  }

  /** Adds {@code other} into this one (element-wise for the arrays) and returns this. */
  RoundResult merge(RoundResult other) {
    add(params, other.params);
    add(updater, other.updater);
    workers += other.workers;
    maxFitted = Math.max(maxFitted, other.maxFitted);
    fitted += other.fitted;
    lossSum += other.lossSum;
    lossCount += other.lossCount;
    nonFinite += other.nonFinite;
    fitNanos += other.fitNanos;
    return this;
  }

  private static void add(float[] into, float[] from) {
    for (int i = 0; i < into.length; i++) {
      into[i] += from[i];
    }
  }

  /** Bytes of parameters and updater state one worker sends. */
  long arrayBytes() {
    return 4L * (params.length + updater.length);
  }
}
