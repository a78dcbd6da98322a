package org.sparktrain.strategy;

import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.sparktrain.spec.JobSpec.StrategySpec;

/**
 * Synchronous parameter averaging (DL4J's ParameterAveragingTrainingMaster): each worker fits
 * {@code averaging_frequency} minibatches, then parameters and updater state are averaged.
 */
final class AveragingStrategy extends Dl4jMasterStrategy {
  AveragingStrategy(StrategyContext ctx) {
    super(ctx, master(ctx), ctx.workers());
  }

  private static ParameterAveragingTrainingMaster master(StrategyContext ctx) {
    StrategySpec s = ctx.spec.strategy();
    int batch = ctx.batchSizePerWorker();
    return new ParameterAveragingTrainingMaster.Builder(ctx.workers(), batch)
        .batchSizePerWorker(batch)
        .averagingFrequency(s.averagingFrequency())
        .workerPrefetchNumBatches(s.prefetch())
        .saveUpdater(true)
        .rddTrainingApproach(approach(s.approach()))
        .exportDirectory(ctx.exportDir)
        .rngSeed(ctx.spec.seed())
        .collectTrainingStats(false)
        .build();
  }

  static RDDTrainingApproach approach(String name) {
    return "direct".equals(name) ? RDDTrainingApproach.Direct : RDDTrainingApproach.Export;
  }

  @Override
  public String name() {
    return "averaging";
  }
}
