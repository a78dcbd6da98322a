package org.sparktrain.strategy;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.spec.JobSpec.StrategySpec;

/**
 * Synchronous parameter averaging (DL4J's ParameterAveragingTrainingMaster): each worker fits
 * {@code averaging_frequency} minibatches, then parameters and updater state are averaged.
 */
final class AveragingStrategy extends Dl4jMasterStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(AveragingStrategy.class);
  private final boolean export;
  private int exportedRdd = -1;
  private List<String> exported;
  private JavaRDD<String> epochPaths;

  AveragingStrategy(StrategyContext ctx) {
    super(ctx, master(ctx), ctx.workers());
    this.export = approach(ctx.spec.strategy().approach()) == RDDTrainingApproach.Export;
  }

  /**
   * With the export approach the minibatches are written once per training RDD and their names
   * handed to DL4J in one partition, which makes its averaging rounds exactly full (see {@link
   * MinibatchExport}). Only the last incomplete round of an epoch is left out, a different one
   * every epoch because DL4J draws the rounds anew.
   */
  @Override
  public double fitEpoch(JavaRDD<DataSet> train) {
    if (!export) {
      return super.fitEpoch(train);
    }
    if (exported == null || exportedRdd != train.id()) {
      exported = MinibatchExport.write(ctx.sc, train, ctx.exportDir + "/rdd-" + train.id());
      exportedRdd = train.id();
      int round = workers() * ctx.spec.strategy().averagingFrequency();
      LOG.info(
          "Exported {} minibatches: {} averaging rounds of {} per epoch, {} left out of each epoch",
          exported.size(), exported.size() / round, round, exported.size() % round);
    }
    if (epochPaths != null) {
      epochPaths.unpersist(false);
    }
    epochPaths = ctx.sc.parallelize(exported, 1);
    sparkNet.fitPaths(epochPaths);
    return sparkNet.getScore();
  }

  private static ParameterAveragingTrainingMaster master(StrategyContext ctx) {
    StrategySpec s = ctx.spec.strategy();
    int batch = ctx.batchSizePerWorker();
    return new ParameterAveragingTrainingMaster.Builder(ctx.workers(), batch)
        .batchSizePerWorker(batch)
        .averagingFrequency(s.averagingFrequency())
        .workerPrefetchNumBatches(s.prefetch())
        .saveUpdater(true)
        // The caller persists the training RDD itself; a second storage level would be refused.
        .storageLevel(null)
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
