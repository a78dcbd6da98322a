package org.sparktrain.strategy;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.repartitioner.NoOpRepartitioner;
import org.nd4j.linalg.dataset.DataSet;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.sparktrain.spec.JobSpec.StrategySpec;
import org.sparktrain.spec.SpecException;

/**
 * Gradient sharing (DL4J's SharedTrainingMaster): workers exchange threshold-encoded updates over
 * Aeron UDP after every minibatch. The controller runs on the driver.
 *
 * <p>DL4J keeps one training wrapper per JVM. When two Spark tasks of an epoch meet in one JVM, a
 * task that joins after the wrapper has drained its queue waits forever (seen in local mode: the
 * third epoch of jobs/churn.yaml with two tasks never ended). Two training threads in one wrapper
 * deadlock too: the first holds its network's lock while it waits for the second at the update
 * barrier, and the second needs that lock to copy the network (seen in the third epoch of
 * jobs/mnist-mlp.yaml). So each JVM trains with exactly one task and one thread per epoch: local
 * mode has one worker, and a cluster one per executor (with {@code spark.task.cpus} equal to the
 * executor's cores, so that Spark never runs two tasks at once in one executor).
 */
final class SharingStrategy extends Dl4jMasterStrategy {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SharingStrategy.class);
  private final ExecutorLossWatch losses;

  SharingStrategy(StrategyContext ctx) {
    // One master for the whole run: each new one restarts DL4J's parameter server.
    super(ctx, seed -> master(ctx, seed), false, tasks(ctx), false);
    refuseSharedExecutors(ctx.sc.getConf());
    losses = local(ctx) ? null : new ExecutorLossWatch(ctx.sc.sc());
    if (local(ctx) && ctx.workers() > 1) {
      LOG.warn(
          "Gradient sharing in local mode trains with 1 worker, not {}: DL4J's wrapper deadlocks with"
              + " several in one JVM. Use a cluster (one worker per executor) for more.",
          ctx.workers());
    }
  }

  /**
   * On a cluster, an executor that can run two tasks at once can receive two training tasks of one
   * epoch, and DL4J's one wrapper per JVM then hangs (see the class comment): refuse that setup.
   */
  static void refuseSharedExecutors(SparkConf conf) {
    String master = conf.get("spark.master", "local[*]");
    if (master.startsWith("local")) {
      return;
    }
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new SpecException(
          "strategy.type",
          "sharing trains with a fixed set of executors, but spark.dynamicAllocation.enabled is"
              + " true: an executor removed for idling is a member lost to DL4J's mesh, and the"
              + " run would restart. Set --conf spark.dynamicAllocation.enabled=false, or use"
              + " strategy.type=averaging or synchronous");
    }
    if (!conf.contains("spark.executor.cores")) {
      return;
    }
    int cores = conf.getInt("spark.executor.cores", 1);
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    if (taskCpus < cores) {
      throw new SpecException(
          "strategy.type",
          "sharing needs one training task per executor at a time, but spark.executor.cores is "
              + cores
              + " and spark.task.cpus "
              + taskCpus
              + " (up to "
              + (cores / taskCpus)
              + " tasks at once); DL4J's gradient sharing hangs with two in one JVM. Set"
              + " --conf spark.task.cpus="
              + cores
              + " (ND4J still uses the cores inside the one task), or use strategy.type=averaging");
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
        var server = org.nd4j.parameterserver.distributed.v2.ModelParameterServer.getInstance();
        if (losses.lost() != null && server.isInitialized()) {
          // The driver's side of the broken mesh holds a thread resending to the lost member and
          // the controller's UDP port; closing its transport ends both before a new application
          // builds a new mesh in this JVM.
          server.shutdown();
        }
      }
    } finally {
      super.close();
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

  /**
   * Each worker JVM keeps training its own replica across epochs (DL4J never reloads it from the
   * driver), and a worker that finishes its partition first ignores the updates the others send
   * after that, while the driver applies them: replicas drift apart at every epoch boundary. Before
   * a worker reads its first minibatch of an epoch, its replica is set to the driver's parameters.
   */
  @Override
  protected <T> JavaRDD<T> beforeTraining(JavaRDD<T> input) {
    if (epochParams != null) {
      epochParams.destroy();
    }
    epochParams = ctx.sc.broadcast(network().params().toFloatVector());
    return withResync(input, epochParams);
  }

  /** Static, so that the task captures only the broadcast. */
  private static <T> JavaRDD<T> withResync(JavaRDD<T> input, org.apache.spark.broadcast.Broadcast<float[]> params) {
    return input.mapPartitions(it -> new java.util.Iterator<T>() {
      boolean synced;

      @Override
      public boolean hasNext() {
        if (!synced) {
          synced = true;
          resync(params.value());
        }
        return it.hasNext();
      }

      @Override
      public T next() {
        return it.next();
      }
    });
  }

  /** Sets this JVM's DL4J replica (if it has one from an earlier epoch) to {@code params}. */
  static void resync(float[] params) {
    try {
      Class<?> c = Class.forName("org.deeplearning4j.spark.parameterserver.pw.SharedTrainingWrapper");
      java.lang.reflect.Field instance = c.getDeclaredField("INSTANCE");
      instance.setAccessible(true);
      Object wrapper = instance.get(null);
      java.lang.reflect.Field model = c.getDeclaredField("originalModel");
      model.setAccessible(true);
      Object m = model.get(wrapper);
      // In the first epoch, or when the JVM's replica is a previous run's network (local mode runs
      // several in one JVM), DL4J builds a new replica from the broadcast anyway: nothing to set.
      if (m instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork net && net.numParams() == params.length) {
        org.nd4j.linalg.api.ndarray.INDArray p = net.params();
        org.nd4j.linalg.api.ndarray.INDArray driver = org.nd4j.linalg.factory.Nd4j.create(params).reshape(p.shape());
        double drift = p.distance2(driver);
        p.assign(driver);
        LOG.info("sharing: replica set to the driver's parameters (it had drifted by {} in L2 norm)", drift);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot reach DL4J's SharedTrainingWrapper to resync the replica", e);
    }
  }
}
