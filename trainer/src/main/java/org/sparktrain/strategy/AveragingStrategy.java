package org.sparktrain.strategy;

import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.spec.JobSpec.StrategySpec;

/**
 * Synchronous parameter averaging (DL4J's ParameterAveragingTrainingMaster): each worker fits
 * {@code averaging_frequency} minibatches, then parameters and updater state are averaged.
 */
final class AveragingStrategy extends Dl4jMasterStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(AveragingStrategy.class);

  AveragingStrategy(StrategyContext ctx) {
    super(ctx, seed -> master(ctx, seed), true, ctx.workers(), true);
  }

  /**
   * One partition: DL4J assigns minibatches to averaging rounds independently per partition, and
   * only from a single one are the rounds exactly full (see {@link org.sparktrain.dl4j.MinibatchExport}). Only the
   * last incomplete round of an epoch is left out, a different one every epoch because DL4J draws
   * the rounds anew.
   */
  @Override
  protected int pathPartitions() {
    return 1;
  }

  @Override
  protected void exported(int minibatches) {
    int round = workers() * ctx.spec.strategy().averagingFrequency();
    LOG.info(
        "{} minibatches: {} averaging rounds of {} per epoch, {} left out of each epoch",
        minibatches, minibatches / round, round, minibatches % round);
  }

  private static ParameterAveragingTrainingMaster master(StrategyContext ctx, long seed) {
    StrategySpec s = ctx.spec.strategy();
    int batch = ctx.batchSizePerWorker();
    return new ParameterAveragingTrainingMaster.Builder(ctx.workers(), batch)
        .batchSizePerWorker(batch)
        .averagingFrequency(s.averagingFrequency())
        .workerPrefetchNumBatches(prefetch(ctx))
        .saveUpdater(true)
        // The caller persists the training RDD itself; a second storage level would be refused.
        .storageLevel(null)
        .rddTrainingApproach(approach(s.approach()))
        .exportDirectory(ctx.exportDir)
        .rngSeed(seed)
        .collectTrainingStats(false)
        .build();
  }


  @Override
  public String name() {
    return "averaging";
  }
}
