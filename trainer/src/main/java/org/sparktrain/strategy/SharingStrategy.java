package org.sparktrain.strategy;

import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.sparktrain.spec.JobSpec.StrategySpec;

/**
 * Gradient sharing (DL4J's SharedTrainingMaster): workers exchange threshold-encoded updates over
 * Aeron UDP after every minibatch. The controller runs on the driver.
 */
final class SharingStrategy extends Dl4jMasterStrategy {
  SharingStrategy(StrategyContext ctx) {
    super(ctx, master(ctx), ctx.workers());
  }

  private static SharedTrainingMaster master(StrategyContext ctx) {
    StrategySpec s = ctx.spec.strategy();
    VoidConfiguration.VoidConfigurationBuilder voidConf =
        VoidConfiguration.builder().unicastPort(s.port());
    if (s.networkMask() != null) {
      voidConf.networkMask(s.networkMask());
    } else {
      // Executors can reach the driver at the address Spark itself uses for it.
      voidConf.controllerAddress(ctx.sc.getConf().get("spark.driver.host", "127.0.0.1"));
    }
    int batch = ctx.batchSizePerWorker();
    return new SharedTrainingMaster.Builder(voidConf.build(), ctx.workers(), threshold(s), batch)
        .batchSizePerWorker(batch)
        .workersPerNode(1)
        .workerPrefetchNumBatches(s.prefetch())
        .rddTrainingApproach(AveragingStrategy.approach(s.approach()))
        .exportDirectory(ctx.exportDir)
        .rngSeed(ctx.spec.seed())
        .collectTrainingStats(false)
        .build();
  }

  private static ThresholdAlgorithm threshold(StrategySpec s) {
    return "fixed".equals(s.threshold().algorithm())
        ? new FixedThresholdAlgorithm(s.threshold().initial())
        : new AdaptiveThresholdAlgorithm(s.threshold().initial());
  }

  @Override
  public String name() {
    return "sharing";
  }
}
