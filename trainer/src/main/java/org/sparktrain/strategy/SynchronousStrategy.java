package org.sparktrain.strategy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous parameter averaging on Spark primitives. The minibatches are laid out once in one
 * partition per worker and cached deserialized; each worker keeps its network in its executor
 * between rounds ({@link WorkerNetworks}). A round broadcasts parameters and updater state, every
 * worker fits its next {@code averaging_frequency} minibatches, and the sums come back through
 * {@code treeReduce}; the driver averages them. The order of each worker's minibatches is drawn
 * anew every epoch from the job's seed, so a resumed run repeats the uninterrupted one exactly.
 */
final class SynchronousStrategy implements TrainingStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(SynchronousStrategy.class);

  private final StrategyContext ctx;
  private final MultiLayerNetwork net;
  private final int workers;
  private final int frequency;
  /** The frequency of a single worker: more minibatches than any epoch has. */
  private static final int ONE_ROUND = 1 << 30;
  private final int threads;
  private final String run = UUID.randomUUID().toString();
  private final Broadcast<String> conf;
  private JavaRDD<DataSet> layout;
  private int layoutSource = -1;
  private long[] partitionSizes = new long[0];
  private long nonFinite;
  private long broadcastBytes;
  private long collectedBytes;
  private int rounds;
  private EpochTiming lastEpoch;

  /** Where the last epoch's time went: rounds, wall seconds, mean fitting seconds per worker. */
  record EpochTiming(int rounds, double wallSeconds, double fitSeconds) {}

  /** The last epoch's timing; null before the first. */
  EpochTiming lastEpoch() {
    return lastEpoch;
  }

  SynchronousStrategy(StrategyContext ctx) {
    this.ctx = ctx;
    this.net = ctx.network;
    this.net.getUpdater(true);
    this.workers = ctx.workers();
    // One worker has nothing to average with: one round per epoch, so no time goes to rounds
    // (on the local cluster, 17 empty rounds cost 3.6-5.2 s of a 22 s epoch).
    this.frequency = workers == 1 ? ONE_ROUND : ctx.spec.strategy().averagingFrequency();
    this.threads = threadsPerWorker(ctx, workers);
    this.conf = ctx.sc.broadcast(net.getLayerWiseConfigurations().toJson());
    LOG.info(
        "synchronous: {} workers, {} native threads each (from {}), {}",
        workers, threads, threadsSource(ctx),
        workers == 1 ? "one round per epoch (one worker: nothing to average)" : "averaging every " + frequency + " minibatches");
    warnIfOversubscribed(ctx, workers, threads);
  }

  /**
   * The job's threads_per_worker, else: in local mode OMP_NUM_THREADS of this JVM's environment
   * where set (ND4J reads it at start-up), else the cores over the workers (all workers share one
   * JVM); on a cluster {@code spark.executorEnv.OMP_NUM_THREADS} where set, else
   * {@code spark.task.cpus} (the cores Spark reserves for a task).
   */
  static int threadsPerWorker(StrategyContext ctx, int workers) {
    int set = ctx.spec.strategy().threadsPerWorker();
    if (set > 0) {
      return set;
    }
    if (ctx.sc.master().startsWith("local")) {
      Integer omp = positive(System.getenv("OMP_NUM_THREADS"));
      return omp != null ? omp : Math.max(1, ctx.sc.defaultParallelism() / Math.max(1, workers));
    }
    Integer omp = positive(ctx.sc.getConf().get("spark.executorEnv.OMP_NUM_THREADS", null));
    return omp != null ? omp : Math.max(1, ctx.sc.getConf().getInt("spark.task.cpus", 1));
  }

  /** Where {@link #threadsPerWorker} took its figure from, for the log. */
  static String threadsSource(StrategyContext ctx) {
    if (ctx.spec.strategy().threadsPerWorker() > 0) {
      return "strategy.threads_per_worker";
    }
    if (ctx.sc.master().startsWith("local")) {
      return positive(System.getenv("OMP_NUM_THREADS")) != null
          ? "OMP_NUM_THREADS of this JVM" : "local cores / workers";
    }
    return positive(ctx.sc.getConf().get("spark.executorEnv.OMP_NUM_THREADS", null)) != null
        ? "spark.executorEnv.OMP_NUM_THREADS" : "spark.task.cpus";
  }

  /**
   * In local mode with several workers and OMP_NUM_THREADS unset, ND4J's own loops in every worker
   * use all cores whatever BLAS is told (libnd4j 1.0.0-M2 does not take a new count in a running
   * JVM), and the workers oversubscribe the cores: says so and how to start the JVM instead.
   */
  static void warnIfOversubscribed(StrategyContext ctx, int workers, int threads) {
    if (ctx.sc.master().startsWith("local") && workers > 1 && positive(System.getenv("OMP_NUM_THREADS")) == null) {
      LOG.warn(
          "{} workers share this JVM but OMP_NUM_THREADS is unset: ND4J reads it only at start-up, so each"
              + " worker's native loops use all {} cores and the workers slow each other down. Start the JVM"
              + " with OMP_NUM_THREADS={} (cores / workers), e.g. OMP_NUM_THREADS={} java -jar trainer/target/trainer.jar"
              + " train JOB --set strategy.type=synchronous",
          workers, ctx.sc.defaultParallelism(), threads, threads);
    }
  }

  private static Integer positive(String value) {
    if (value == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(value.trim());
      return n > 0 ? n : null;
    } catch (NumberFormatException e) {
      LOG.warn("OMP_NUM_THREADS is '{}', not a positive whole number; ignoring it", value);
      return null;
    }
  }

  @Override
  public String name() {
    return "synchronous";
  }

  @Override
  public double fitEpoch(JavaRDD<DataSet> train, int epoch) {
    ensureLayout(train);
    long longest = 0;
    for (long n : partitionSizes) {
      longest = Math.max(longest, n);
    }
    int epochRounds = (int) ((longest + frequency - 1) / frequency);
    double lossSum = 0;
    long lossCount = 0;
    nonFinite = 0;
    long t0 = System.nanoTime();
    double computeSeconds = 0;
    for (int r = 0; r < epochRounds; r++) {
      RoundResult sum = round(epoch, r);
      if (sum == null) {
        continue;
      }
      computeSeconds += sum.fitNanos / 1e9 / sum.workers;
      lossSum += sum.lossSum;
      lossCount += sum.lossCount;
      nonFinite += sum.nonFinite;
    }
    rounds += epochRounds;
    double wall = (System.nanoTime() - t0) / 1e9;
    lastEpoch = new EpochTiming(epochRounds, wall, computeSeconds);
    LOG.info(
        "synchronous epoch {}: {} rounds in {} s, of which fitting {} s per worker and averaging {} s"
            + " ({} ms per round); {} MB broadcast, {} MB collected so far",
        epoch, epochRounds, String.format(java.util.Locale.ROOT, "%.2f", wall),
        String.format(java.util.Locale.ROOT, "%.2f", computeSeconds),
        String.format(java.util.Locale.ROOT, "%.2f", wall - computeSeconds),
        String.format(java.util.Locale.ROOT, "%.0f", epochRounds == 0 ? 0 : (wall - computeSeconds) * 1e3 / epochRounds),
        broadcastBytes >> 20, collectedBytes >> 20);
    return lossCount == 0 ? Double.NaN : lossSum / lossCount;
  }

  /** One averaging round; null when no worker had a minibatch left. */
  private RoundResult round(int epoch, int round) {
    INDArray updaterView = net.getUpdater(true).getStateViewArray();
    RoundState state =
        new RoundState(
            net.params().toFloatVector(),
            updaterView == null ? new float[0] : updaterView.toFloatVector(),
            net.getIterationCount());
    Broadcast<RoundState> bc = ctx.sc.broadcast(state);
    broadcastBytes += 4L * (state.params.length + state.updater.length);
    RoundTask task =
        new RoundTask(run, conf, bc, epoch, round, frequency, threads, ctx.spec.seed());
    RoundResult sum;
    try {
      // Rounds are counted from the longest partition, so at least one worker returns a result.
      sum = layout.mapPartitionsWithIndex(task, true).treeReduce(RoundResult::merge);
    } finally {
      bc.destroy();
    }
    if (sum == null || sum.workers == 0) {
      return null;
    }
    collectedBytes += sum.workers * sum.arrayBytes();
    float scale = 1f / sum.workers;
    INDArray params = Nd4j.createFromArray(sum.params).muli(scale);
    net.setParams(params.reshape(net.params().shape()));
    if (updaterView != null && sum.updater.length > 0) {
      updaterView.assign(Nd4j.createFromArray(sum.updater).muli(scale).reshape(updaterView.shape()));
    }
    net.setIterationCount(net.getIterationCount() + sum.maxFitted);
    return sum;
  }

  /** Lays the minibatches out in one cached, deserialized partition per worker (once per RDD). */
  private void ensureLayout(JavaRDD<DataSet> train) {
    if (layout != null && layoutSource == train.id()) {
      return;
    }
    if (layout != null) {
      layout.unpersist(false);
    }
    JavaRDD<DataSet> spread =
        train.getNumPartitions() == workers ? train : train.repartition(workers);
    layout = spread.mapPartitions(it -> it, true).persist(StorageLevel.MEMORY_ONLY());
    layoutSource = train.id();
    List<Long> sizes =
        layout
            .mapPartitions(it -> {
              long n = 0;
              while (it.hasNext()) {
                it.next();
                n++;
              }
              return Collections.singletonList(n).iterator();
            })
            .collect();
    partitionSizes = sizes.stream().mapToLong(Long::longValue).toArray();
    LOG.info("synchronous: minibatches per worker {}", sizes);
  }

  /**
   * The order in which a worker fits its {@code n} minibatches in an epoch: a permutation drawn
   * from the job's seed, the epoch and the partition.
   */
  static int[] order(long seed, int epoch, int partition, int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Random r = new Random(Dl4jMasterStrategy.epochSeed(seed, epoch) * 31 + partition);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    return idx;
  }

  @Override
  public long nonFiniteLosses() {
    return nonFinite;
  }

  @Override
  public MultiLayerNetwork network() {
    return net;
  }

  @Override
  public int workers() {
    return workers;
  }

  /** Bytes of parameters and updater state broadcast so far (one copy, before Spark's chunking). */
  long broadcastBytes() {
    return broadcastBytes;
  }

  /** Averaging rounds so far. */
  int rounds() {
    return rounds;
  }

  @Override
  public void close() {
    if (layout != null) {
      layout.unpersist(false);
    }
    conf.destroy();
    // Local mode: the executors are this JVM. On a cluster a later run drops them (WorkerNetworks).
    WorkerNetworks.forget(run);
  }

  /**
   * Parameters, updater state and iteration count at the start of a round. A class, not a record:
   * Spark broadcasts it with Kryo, which cannot build records.
   */
  static final class RoundState implements Serializable {
    private static final long serialVersionUID = 1L;
    final float[] params;
    final float[] updater;
    final int iteration;

    RoundState(float[] params, float[] updater, int iteration) {
      this.params = params;
      this.updater = updater;
      this.iteration = iteration;
    }
  }

  /** What each worker runs in a round: its next minibatches from the round's parameters. */
  private record RoundTask(
      String run,
      Broadcast<String> conf,
      Broadcast<RoundState> state,
      int epoch,
      int round,
      int frequency,
      int threads,
      long seed)
      implements org.apache.spark.api.java.function.Function2<
          Integer, Iterator<DataSet>, Iterator<RoundResult>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<RoundResult> call(Integer partition, Iterator<DataSet> it) {
      List<DataSet> batches = new ArrayList<>();
      it.forEachRemaining(batches::add);
      int[] order = order(seed, epoch, partition, batches.size());
      int from = round * frequency;
      int to = Math.min(order.length, from + frequency);
      if (from >= to) {
        return Collections.emptyIterator();
      }
      NativeThreads.set(threads);
      RoundState s = state.value();
      MultiLayerNetwork net = WorkerNetworks.take(run, partition, conf.value());
      net.setParams(Nd4j.createFromArray(s.params).reshape(net.params().shape()));
      INDArray view = net.getUpdater(true).getStateViewArray();
      if (view != null && s.updater.length > 0) {
        view.assign(Nd4j.createFromArray(s.updater).reshape(view.shape()));
      }
      net.setIterationCount(s.iteration);
      double lossSum = 0;
      long lossCount = 0;
      long bad = 0;
      long t0 = System.nanoTime();
      for (int i = from; i < to; i++) {
        net.fit(batches.get(order[i]));
        double score = net.score();
        if (Double.isFinite(score)) {
          lossSum += score;
          lossCount++;
        } else {
          bad++;
        }
      }
      RoundResult out =
          new RoundResult(
              net.params().toFloatVector(), view == null ? new float[0] : view.toFloatVector());
      out.workers = 1;
      out.maxFitted = to - from;
      out.fitted = to - from;
      out.lossSum = lossSum;
      out.lossCount = lossCount;
      out.nonFinite = bad;
      out.fitNanos = System.nanoTime() - t0;
      WorkerNetworks.give(run, partition, net);
      return Collections.singletonList(out).iterator();
    }
  }
}
