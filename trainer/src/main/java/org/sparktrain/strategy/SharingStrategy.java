package org.sparktrain.strategy;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.repartitioner.NoOpRepartitioner;
import org.nd4j.linalg.dataset.DataSet;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.sparktrain.spec.JobSpec.StrategySpec;
import org.sparktrain.dl4j.ExecutorPortSupplier;
import org.sparktrain.dl4j.ParameterServerShutdown;
import org.sparktrain.dl4j.SharedWrapperResync;
import org.sparktrain.dl4j.SharingExecutors;

/**
 * Gradient sharing (DL4J's SharedTrainingMaster): workers exchange threshold-encoded updates over
 * Aeron UDP after every minibatch. The controller runs on the driver.
 *
 * <p>DL4J keeps one training wrapper per JVM, which hangs with two tasks or two threads in one JVM
 * (seen in local mode: the third epoch of jobs/churn.yaml with two tasks never ended; and the third
 * epoch of jobs/mnist-mlp.yaml with two threads; see {@link SharingExecutors}). So each JVM trains
 * with exactly one task and one thread per epoch: local mode has one worker, and a cluster one per
 * executor (with {@code spark.task.cpus} equal to the executor's cores, so that Spark never runs
 * two tasks at once in one executor). The other work-arounds of DL4J it relies on are in package
 * dl4j.
 */
final class SharingStrategy extends Dl4jMasterStrategy {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SharingStrategy.class);
  private final ExecutorLossWatch losses;

  SharingStrategy(StrategyContext ctx) {
    // One master for the whole run: each new one restarts DL4J's parameter server.
    super(ctx, seed -> master(ctx, seed), false, tasks(ctx), false);
    SharingExecutors.refuseSharedExecutors(ctx.sc.getConf());
    losses = local(ctx) ? null : new ExecutorLossWatch(ctx.sc.sc());
    if (local(ctx) && ctx.workers() > 1) {
      LOG.warn(
          "Gradient sharing in local mode trains with 1 worker, not {}: DL4J's wrapper deadlocks with"
              + " several in one JVM. Use a cluster (one worker per executor) for more.",
          ctx.workers());
    }
  }

  static boolean local(StrategyContext ctx) {
    return ctx.sc.master().startsWith("local");
  }

  /**
   * Spark tasks per epoch: one per JVM. On a cluster, strategy.workers, else the executors
   * registered now (Spark's default parallelism counts cores, and is at least 2 even with one
   * executor).
   */
  private static int tasks(StrategyContext ctx) {
    if (local(ctx)) {
      return 1;
    }
    if (ctx.spec.strategy().workers() > 0) {
      return ctx.spec.strategy().workers();
    }
    int executors = ctx.sc.sc().getExecutorIds().size();
    return executors > 0 ? executors : ctx.workers();
  }

  @Override
  protected void beforeEpoch(int epoch) {
    if (losses != null) {
      requireMesh(epoch);
      losses.epochStarts();
    }
  }

  @Override
  protected RuntimeException epochFailed(int epoch, Exception e) {
    if (losses != null) {
      losses.epochEnded();
      if (losses.lost() != null) {
        return lostWorker(epoch, e);
      }
    }
    return null;
  }

  @Override
  protected void afterEpoch(int epoch) {
    if (losses != null) {
      losses.epochEnded();
      // An epoch that ended after a loss was trained by a mesh whose driver had stopped applying
      // updates: it is not kept.
      requireMesh(epoch);
    }
  }

  private void requireMesh(int epoch) {
    if (losses.lost() != null) {
      throw lostWorker(epoch, null);
    }
  }

  private WorkerLostException lostWorker(int epoch, Exception cause) {
    return new WorkerLostException(
        "gradient sharing lost "
            + losses.lost()
            + " in epoch "
            + epoch
            + ": DL4J's parameter-server mesh cannot drop a member (the driver keeps resending"
            + " updates to it and applies no more), so the epoch is not kept. A new Spark"
            + " application with fresh executors resumes from the newest checkpoint"
            + " (checkpoint.auto_resume); by hand, run the same command with --resume",
        cause);
  }

  @Override
  public void close() {
    try {
      if (losses != null) {
        losses.close();
      }
    } finally {
      try {
        ParameterServerShutdown.afterRun();
      } finally {
        super.close();
      }
    }
  }

  @Override
  protected int pathPartitions() {
    return tasks(ctx);
  }

  @Override
  protected JavaRDD<DataSet> directLayout(JavaRDD<DataSet> train) {
    return train.coalesce(tasks(ctx));
  }

  private static SharedTrainingMaster master(StrategyContext ctx, long seed) {
    StrategySpec s = ctx.spec.strategy();
    VoidConfiguration.VoidConfigurationBuilder voidConf =
        VoidConfiguration.builder()
            .unicastPort(s.port())
            // One UDP port per executor: DL4J's default gives all the same one.
            .portSupplier(new ExecutorPortSupplier(s.port()));
    if (s.networkMask() != null) {
      voidConf.networkMask(s.networkMask());
    } else {
      // Executors can reach the driver at the address Spark itself uses for it.
      voidConf.controllerAddress(ctx.sc.getConf().get("spark.driver.host", "127.0.0.1"));
    }
    int batch = ctx.batchSizePerWorker();
    int tasks = tasks(ctx);
    int threadsPerTask = 1;
    return new SharedTrainingMaster.Builder(voidConf.build(), tasks, threshold(s), batch)
        // The partitions are already one per JVM (pathPartitions, directLayout). DL4J's default
        // repartitioner would make a partition, a task and a training round of every minibatch.
        .repartitioner(new NoOpRepartitioner())
        // The caller persists the training RDD itself.
        .storageLevel(null)
        .batchSizePerWorker(batch)
        .workersPerNode(threadsPerTask)
        .workerPrefetchNumBatches(prefetch(ctx))
        .rddTrainingApproach(approach(s.approach()))
        .exportDirectory(ctx.exportDir)
        .rngSeed(seed)
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

  private org.apache.spark.broadcast.Broadcast<float[]> epochParams;
  /** Minibatches the tasks handed to the training wrapper (the progress line's count). */
  private org.apache.spark.util.LongAccumulator fed;

  /**
   * Before a worker reads its first minibatch of an epoch, its replica is set to the driver's
   * parameters ({@link SharedWrapperResync} says why).
   */
  @Override
  protected <T> JavaRDD<T> beforeTraining(JavaRDD<T> input) {
    if (epochParams != null) {
      epochParams.destroy();
    }
    epochParams = ctx.sc.broadcast(network().params().toFloatVector());
    if (fed == null) {
      fed = ctx.sc.sc().longAccumulator(FedMinibatches.ACCUMULATOR);
    }
    return FedMinibatches.counted(SharedWrapperResync.beforeEachPartition(input, epochParams), fed);
  }
}
