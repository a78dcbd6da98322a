package org.sparktrain.strategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.dl4j.FrozenGuard;
import org.sparktrain.dl4j.MinibatchExport;
import org.sparktrain.dl4j.WorkspacePrefetch;

/** A strategy that delegates to one of DL4J's TrainingMasters through SparkDl4jMultiLayer. */
abstract class Dl4jMasterStrategy implements TrainingStrategy {
  protected final StrategyContext ctx;
  private final java.util.function.LongFunction<TrainingMaster<?, ?>> masters;
  private final boolean masterPerEpoch;
  private SparkDl4jMultiLayer sparkNet;
  private final int workers;
  private final EpochLoss loss;
  private final boolean export;
  private int exportedRdd = -1;
  private List<String> exported;
  private JavaRDD<String> epochPaths;
  private final FrozenGuard frozen;

  /**
   * @param lossListener whether workers report their minibatch losses through a listener; only
   *     where each epoch's tasks get a fresh copy of the network (not so for gradient sharing,
   *     whose workers keep theirs, with the listener of the first epoch, for the whole run)
   */
  Dl4jMasterStrategy(
      StrategyContext ctx,
      java.util.function.LongFunction<TrainingMaster<?, ?>> masters,
      boolean masterPerEpoch,
      int workers,
      boolean lossListener) {
    this.ctx = ctx;
    this.frozen = new FrozenGuard(ctx.network);
    this.workers = workers;
    this.masters = masters;
    this.masterPerEpoch = masterPerEpoch;
    this.sparkNet = new SparkDl4jMultiLayer(ctx.sc, ctx.network, masters.apply(epochSeed(ctx.spec.seed(), 1)));
    this.export = approach(ctx.spec.strategy().approach()) == RDDTrainingApproach.Export;
    this.loss = lossListener ? new EpochLoss(ctx.sc) : null;
    if (loss != null) {
      sparkNet.setListeners(List.of(loss));
    }
  }

  @Override
  public final double fitEpoch(JavaRDD<DataSet> train, int epoch) {
    if (masterPerEpoch && epoch > 1) {
      // A master seeded by the epoch draws the same rounds whether or not the run was resumed.
      sparkNet = new SparkDl4jMultiLayer(ctx.sc, sparkNet.getNetwork(), masters.apply(epochSeed(ctx.spec.seed(), epoch)));
      if (loss != null) {
        sparkNet.setListeners(List.of(loss));
      }
    }
    if (loss == null) {
      fitWatched(train, epoch);
      frozen.restore(sparkNet.getNetwork(), epoch);
      return Double.NaN;
    }
    loss.reset();
    fitWatched(train, epoch);
    frozen.restore(sparkNet.getNetwork(), epoch);
    return loss.mean();
  }

  private void fitWatched(JavaRDD<DataSet> train, int epoch) {
    beforeEpoch(epoch);
    try {
      fit(train);
    } catch (Exception e) { // Spark's SparkException is checked, though Scala declares none
      RuntimeException instead = epochFailed(epoch, e);
      if (instead != null) {
        throw instead;
      }
      throw e;
    }
    afterEpoch(epoch);
  }

  /** Called before an epoch's first Spark job; may refuse to start it. */
  protected void beforeEpoch(int epoch) {}

  /**
   * The failure to report instead when fitting an epoch threw {@code e}; null to let {@code e}
   * through as it is.
   */
  protected RuntimeException epochFailed(int epoch, Exception e) {
    return null;
  }

  /** Called after an epoch fitted without an exception; may still reject it. */
  protected void afterEpoch(int epoch) {}

  /**
   * Fits one epoch through the training master. With the export approach the minibatches are
   * written once per training RDD (see {@link MinibatchExport}) and their names handed to DL4J in
   * {@link #pathPartitions()} partitions every epoch; with direct, the RDD in {@link
   * #directLayout}.
   */
  private void fit(JavaRDD<DataSet> train) {
    if (!export) {
      sparkNet.fit(beforeTraining(directLayout(train)));
      return;
    }
    if (exported == null || exportedRdd != train.id()) {
      exported = MinibatchExport.write(ctx.sc, train, ctx.exportDir + "/rdd-" + train.id());
      exportedRdd = train.id();
      exported(exported.size());
    }
    if (epochPaths != null) {
      epochPaths.unpersist(false);
    }
    epochPaths = ctx.sc.parallelize(exported, pathPartitions());
    sparkNet.fitPaths(beforeTraining(epochPaths));
  }

  /**
   * The epoch's input (minibatch paths, or minibatches with the direct approach) as the workers
   * read it; a strategy can run code in each task before training.
   */
  protected <T> JavaRDD<T> beforeTraining(JavaRDD<T> input) {
    return input;
  }

  /** DL4J's training approach for the job file's strategy.approach. */
  static RDDTrainingApproach approach(String name) {
    return "direct".equals(name) ? RDDTrainingApproach.Direct : RDDTrainingApproach.Export;
  }

  /** Minibatches DL4J's workers load ahead: the job's setting, or 0 (see {@link WorkspacePrefetch}). */
  static int prefetch(StrategyContext ctx) {
    return WorkspacePrefetch.prefetch(ctx.network, ctx.spec.strategy().prefetch());
  }

  /** The seed of an epoch's training master, from the job's seed. */
  static long epochSeed(long seed, int epoch) {
    long z = seed * 0x9E3779B97F4A7C15L + epoch;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** How many partitions the exported minibatch names are handed over in. */
  protected abstract int pathPartitions();

  /** The training RDD as the direct approach hands it to DL4J. */
  protected JavaRDD<DataSet> directLayout(JavaRDD<DataSet> train) {
    return train;
  }

  /** Called once the minibatches of a training RDD are exported. */
  protected void exported(int minibatches) {}

  @Override
  public double frozenDrift() {
    return frozen.maxDrift();
  }

  @Override
  public long nonFiniteLosses() {
    return loss == null ? 0 : loss.nonFinite();
  }


  @Override
  public MultiLayerNetwork network() {
    return sparkNet.getNetwork();
  }

  @Override
  public int workers() {
    return workers;
  }

  @Override
  public void close() {
    // The exported minibatches are only useful to this run.
    Path dir = new Path(ctx.exportDir);
    try {
      FileSystem fs = dir.getFileSystem(ctx.sc.hadoopConfiguration());
      if (fs.exists(dir) && !fs.delete(dir, true)) {
        throw new IOException("could not delete " + dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cleaning up exported minibatches in " + dir, e);
    }
  }
}
