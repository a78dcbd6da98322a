package org.sparktrain.strategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.eval.DistributedEvaluator;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.StrategySpec;

/**
 * {@code strategy.type: auto}: before the first epoch, a short probe on the executors measures the
 * time of a minibatch alone and with every worker busy, and the time of an averaging round;
 * {@link StrategyAdvisor} picks workers, threads and averaging frequency, and the run continues
 * with {@link SynchronousStrategy}. The choice and its reason are logged.
 */
final class AutoStrategy implements TrainingStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(AutoStrategy.class);
  private static final int WARM_UP = 3;
  private static final int MEASURED = 8;

  private final StrategyContext ctx;
  private TrainingStrategy chosen;
  private StrategyAdvisor.Choice choice;

  AutoStrategy(StrategyContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String name() {
    return chosen == null
        ? "auto"
        : "auto (" + chosen.name() + ", " + choice.workers() + " workers x " + choice.threads()
            + " threads, averaging every " + choice.averagingFrequency() + ")";
  }

  /** The choice made before the first epoch; null before it. */
  StrategyAdvisor.Choice choice() {
    return choice;
  }

  @Override
  public double fitEpoch(JavaRDD<DataSet> train, int epoch) {
    if (chosen == null) {
      choice = StrategyAdvisor.decide(probe(train));
      LOG.info("auto: {}", choice.reason());
      StrategySpec s = ctx.spec.strategy();
      StrategySpec picked =
          new StrategySpec("synchronous", choice.workers(), s.batchSizePerWorker(),
              choice.averagingFrequency(), choice.threads(), s.prefetch(), s.approach(),
              s.exportDir(), s.threshold(), s.port(), s.networkMask());
      JobSpec spec = ctx.spec;
      JobSpec resolved =
          new JobSpec(spec.name(), spec.seed(), spec.data(), spec.model(), spec.training(), picked,
              spec.output(), spec.checkpoint(), spec.earlyStopping());
      chosen =
          new SynchronousStrategy(
              StrategyContext.builder().sparkContext(ctx.sc).spec(resolved).network(ctx.network)
                  .exportDir(ctx.exportDir).build());
    }
    return chosen.fitEpoch(train, epoch);
  }

  /** Measures the probe's figures on the executors with the run's network and minibatches. */
  private StrategyAdvisor.Probe probe(JavaRDD<DataSet> train) {
    int workers = ctx.workers();
    boolean local = ctx.sc.master().startsWith("local");
    int cores = local ? ctx.sc.defaultParallelism() : Math.max(1, ctx.sc.getConf().getInt("spark.task.cpus", 1));
    int share = SynchronousStrategy.threadsPerWorker(ctx, workers);
    LOG.info("auto: probing {} workers with {} native threads each (from {})", workers, share,
        SynchronousStrategy.threadsSource(ctx));
    long minibatches = train.count();
    MultiLayerNetwork net = ctx.network;
    Broadcast<String> conf = ctx.sc.broadcast(net.getLayerWiseConfigurations().toJson());
    Broadcast<float[]> params = ctx.sc.broadcast(net.params().toFloatVector());
    int restore = NativeThreads.current();
    try {
      double alone = timeMinibatch(train, conf, params, 1, cores);
      double together = timeMinibatch(train, conf, params, workers, share);
      long stateBytes = 4L * (net.numParams() + updaterLength(net));
      double round = timeRound(workers, (int) (stateBytes / 4));
      return new StrategyAdvisor.Probe(
          workers, cores, minibatches, alone, together, share, round, stateBytes);
    } finally {
      conf.destroy();
      params.destroy();
      NativeThreads.set(restore);
    }
  }

  private static long updaterLength(MultiLayerNetwork net) {
    var view = net.getUpdater(true).getStateViewArray();
    return view == null ? 0 : view.length();
  }

  /**
   * Mean seconds per minibatch over the first {@code tasks} partitions training at once, each
   * with {@code threads} native threads, after a warm-up.
   */
  private double timeMinibatch(
      JavaRDD<DataSet> train, Broadcast<String> conf, Broadcast<float[]> params, int tasks, int threads) {
    JavaRDD<DataSet> spread = train.getNumPartitions() >= tasks ? train : train.repartition(tasks);
    List<Double> times =
        spread
            .mapPartitionsWithIndex(
                (Integer i, Iterator<DataSet> it) -> {
                  if (i >= tasks) {
                    return Collections.<Double>emptyIterator();
                  }
                  NativeThreads.set(threads);
                  List<DataSet> batches = new ArrayList<>();
                  while (it.hasNext() && batches.size() < WARM_UP + MEASURED) {
                    batches.add(it.next());
                  }
                  if (batches.isEmpty()) {
                    return Collections.<Double>emptyIterator();
                  }
                  MultiLayerNetwork n = DistributedEvaluator.rebuild(conf.value(), params.value());
                  long t0 = 0;
                  int timed = 0;
                  for (int b = 0; b < batches.size(); b++) {
                    if (b == Math.min(WARM_UP, batches.size() - 1)) {
                      t0 = System.nanoTime();
                      timed = 0;
                    }
                    n.fit(batches.get(b));
                    timed++;
                  }
                  return Collections.singletonList((System.nanoTime() - t0) / 1e9 / timed).iterator();
                },
                false)
            .collect();
    return times.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** Fastest of three empty averaging rounds: broadcast, one task per worker, arrays summed back. */
  private double timeRound(int workers, int floats) {
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      slots.add(i);
    }
    JavaRDD<Integer> tasks = ctx.sc.parallelize(slots, workers);
    double best = Double.POSITIVE_INFINITY;
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      Broadcast<float[]> bc = ctx.sc.broadcast(new float[floats]);
      RoundResult sum =
          tasks
              .map(i -> {
                RoundResult r = new RoundResult(bc.value().clone(), new float[0]);
                r.workers = 1;
                return r;
              })
              .treeReduce(RoundResult::merge);
      float[] avg = sum.params;
      for (int i = 0; i < avg.length; i++) {
        avg[i] /= sum.workers;
      }
      bc.destroy();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  @Override
  public long nonFiniteLosses() {
    return chosen == null ? 0 : chosen.nonFiniteLosses();
  }

  @Override
  public MultiLayerNetwork network() {
    return chosen == null ? ctx.network : chosen.network();
  }

  @Override
  public int workers() {
    return chosen == null ? ctx.workers() : chosen.workers();
  }

  @Override
  public void close() {
    if (chosen != null) {
      chosen.close();
    }
  }
}
