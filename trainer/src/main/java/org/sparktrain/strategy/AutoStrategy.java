package org.sparktrain.strategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.dl4j.BroadcastNetwork;
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
  private static final int WARM_UP = 10;
  private static final int MEASURED = 20;
  /** Timed averaging rounds of the probe, after one warm-up round. */
  static final int PROBE_ROUNDS = 8;

  private final StrategyContext ctx;
  private TrainingStrategy chosen;
  private JavaRDD<DataSet> validation;
  private ValidationScorer scorer;
  private StrategyAdvisor.Choice choice;
  /** Whether the choice came from this run's probe and has not been re-planned yet. */
  private boolean replan;

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
      java.util.Optional<StrategyAdvisor.Choice> saved = saved();
      choice = saved.orElseGet(() -> StrategyAdvisor.decide(probe(train)));
      replan = saved.isEmpty();
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
      if (scorer != null) {
        chosen.validateAlong(validation, scorer);
      }
    }
    double loss = chosen.fitEpoch(train, epoch);
    if (replan) {
      replan = false;
      replanFrequency(epoch);
    }
    return loss;
  }

  /**
   * After the first epoch of a probed run: the averaging frequency again, from that epoch's own
   * fitting and round times, for the epochs after it. A round costs a worker its all-reduce and its
   * wait for the slower workers: workers on cores of unequal or varying speed (a shared host) wait
   * at every round, and fewer rounds wait less in all. The checkpoint of this epoch saves the new
   * frequency, so a run resumed from it continues as this one does.
   */
  private void replanFrequency(int epoch) {
    if (!(chosen instanceof SynchronousStrategy sync) || choice.workers() <= 1 || sync.lastEpoch() == null) {
      return;
    }
    SynchronousStrategy.EpochTiming t = sync.lastEpoch();
    // The fitting alone, as the probe timed it: the first epoch's reading also builds the cache.
    double fitting = Math.max(0, t.fitSeconds() - t.readSeconds());
    double atRounds = t.averagingSeconds() + t.waitSeconds();
    int k = StrategyAdvisor.replan(t.minibatchesPerWorker(), fitting, t.rounds(), atRounds);
    int was = choice.averagingFrequency();
    if (k <= 0 || k == was) {
      return;
    }
    sync.averagingFrequency(k);
    int rounds = Math.max(1, t.rounds());
    String reason = String.format(java.util.Locale.ROOT,
        "averaging every %d minibatches from epoch %d on (was %d): epoch %d measured %.1f ms of fitting per minibatch on each"
            + " worker and %.1f ms per round (the all-reduce %.1f ms, waiting for slower workers %.1f ms)",
        k, epoch + 1, was, epoch, fitting / Math.max(1, t.minibatchesPerWorker()) * 1e3,
        atRounds / rounds * 1e3, t.averagingSeconds() / rounds * 1e3, t.waitSeconds() / rounds * 1e3);
    LOG.info("auto: {}", reason);
    long perWorker = Math.max(1, t.minibatchesPerWorker());
    double predicted = fitting + (perWorker + k - 1) / k * (t.rounds() == 0 ? 0 : atRounds / t.rounds());
    choice = new StrategyAdvisor.Choice(choice.workers(), choice.threads(), k, predicted,
        choice.predictedAloneSeconds(), choice.reason() + "; then " + reason);
  }

  @Override
  public void validateAlong(JavaRDD<DataSet> batches, ValidationScorer scorer) {
    this.validation = batches;
    this.scorer = scorer;
    if (chosen != null) {
      chosen.validateAlong(batches, scorer);
    }
  }

  @Override
  public java.util.Map<String, Double> epochBreakdown() {
    return chosen == null ? java.util.Map.of() : chosen.epochBreakdown();
  }

  @Override
  public java.util.Optional<EpochValidation> epochValidation() {
    return chosen == null ? java.util.Optional.empty() : chosen.epochValidation();
  }

  @Override
  public java.util.Map<String, Integer> chosenSettings() {
    if (choice == null) {
      return java.util.Map.of();
    }
    return java.util.Map.of(
        "workers", choice.workers(), "threads", choice.threads(), "averaging_frequency", choice.averagingFrequency());
  }

  /**
   * The choice of the run this one resumes, so that it continues as the uninterrupted run would;
   * empty for a new run, or when the cluster no longer offers that many task slots (then it probes
   * anew and says so).
   */
  private java.util.Optional<StrategyAdvisor.Choice> saved() {
    java.util.Map<String, Integer> c = ctx.chosen;
    Integer workers = c.get("workers");
    Integer threads = c.get("threads");
    Integer frequency = c.get("averaging_frequency");
    if (workers == null || threads == null || frequency == null) {
      return java.util.Optional.empty();
    }
    int slots = SynchronousStrategy.slots(ctx.sc);
    if (workers > slots) {
      LOG.warn("auto: the checkpoint resumed from chose {} workers, but the cluster offers {} task slots;"
          + " probing anew, so this run does not repeat the uninterrupted one exactly", workers, slots);
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new StrategyAdvisor.Choice(workers, threads, frequency, Double.NaN, Double.NaN,
        String.format(java.util.Locale.ROOT,
            "%d workers x %d threads, averaging every %d minibatches: the choice of the checkpoint resumed from (no probe)",
            workers, threads, frequency)));
  }

  /** Measures the probe's figures on the executors with the run's network and minibatches. */
  private StrategyAdvisor.Probe probe(JavaRDD<DataSet> train) {
    int workers = ctx.workers();
    int slots = SynchronousStrategy.slots(ctx.sc);
    if (workers > slots) {
      LOG.info("auto: {} workers asked for, the cluster offers {} task slots; probing {}", workers, slots, Math.max(1, slots));
      workers = Math.max(1, slots);
    }
    boolean local = ctx.sc.master().startsWith("local");
    int cores = local ? ctx.sc.defaultParallelism() : Math.max(1, ctx.sc.getConf().getInt("spark.task.cpus", 1));
    int share = SynchronousStrategy.threadsPerWorker(ctx, workers);
    LOG.info("auto: probing {} workers with {} native threads each (from {})", workers, share,
        SynchronousStrategy.threadsSource(ctx));
    long minibatches = train.count();
    MultiLayerNetwork net = ctx.network;
    BroadcastNetwork probed = BroadcastNetwork.of(ctx.sc, net);
    int restore = NativeThreads.current();
    try {
      double alone = timeMinibatch(train, probed, 1, cores);
      double together = timeMinibatch(train, probed, workers, share);
      long stateBytes = 4L * (net.numParams() + updaterLength(net));
      double round = timeRound(workers, probed);
      return new StrategyAdvisor.Probe(
          workers, cores, minibatches, alone, together, share, round, stateBytes);
    } finally {
      probed.destroy();
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
      JavaRDD<DataSet> train, BroadcastNetwork probed, int tasks, int threads) {
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
                  MultiLayerNetwork n = WorkerNetworks.probe(probed);
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

  /**
   * One averaging round as the synchronous strategy runs it: a barrier stage of {@code workers}
   * tasks connects them; each builds the network and, a few times, copies its parameters and
   * updater state out, averages them with the others' and copies them back. A round costs the
   * epoch what the last worker to arrive sees, the fastest task's time in that round; the result
   * is the mean over the rounds after a warm-up.
   */
  private double timeRound(int workers, BroadcastNetwork probed) {
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      slots.add(i);
    }
    long timeout = 1000L * ctx.sc.getConf().getLong(SynchronousStrategy.PEER_TIMEOUT, SynchronousStrategy.DEFAULT_PEER_TIMEOUT_SECONDS);
    RoundProbe probe = new RoundProbe(probed, new java.security.SecureRandom().nextLong(), timeout);
    List<double[]> perTask =
        new JavaRDD<>(
                ctx.sc.parallelize(slots, workers).rdd().barrier()
                    .mapPartitions(probe, false, scala.reflect.ClassTag$.MODULE$.apply(double[].class)),
                scala.reflect.ClassTag$.MODULE$.apply(double[].class))
            .collect();
    return roundSeconds(perTask);
  }

  /** The mean over rounds after the first of the fastest task's seconds in each round. */
  static double roundSeconds(List<double[]> perTask) {
    int rounds = perTask.stream().mapToInt(t -> t.length).min().orElse(0);
    double sum = 0;
    for (int r = 1; r < rounds; r++) {
      double fastest = Double.POSITIVE_INFINITY;
      for (double[] t : perTask) {
        fastest = Math.min(fastest, t[r]);
      }
      sum += fastest;
    }
    return rounds > 1 ? sum / (rounds - 1) : Double.NaN;
  }

  /** A task of {@link #timeRound}: one warm-up round and {@link #PROBE_ROUNDS} timed ones. */
  private static final class RoundProbe
      extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<double[]>>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final BroadcastNetwork probed;
    private final long token;
    private final long timeoutMillis;

    RoundProbe(BroadcastNetwork probed, long token, long timeoutMillis) {
      this.probed = probed;
      this.token = token;
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    public scala.collection.Iterator<double[]> apply(scala.collection.Iterator<Integer> ignored) {
      org.apache.spark.BarrierTaskContext tc = org.apache.spark.BarrierTaskContext.get();
      int rank = tc.partitionId();
      String host = SynchronousStrategy.host(tc.getTaskInfos()[rank].address());
      double[] seconds = new double[1 + PROBE_ROUNDS];
      try {
        MultiLayerNetwork net = WorkerNetworks.probe(probed);
        FlatState state = new FlatState();
        try (AllReduce peers = AllReduce.join(tc, host, token, timeoutMillis)) {
          for (int r = 0; r < seconds.length; r++) {
            long t0 = System.nanoTime();
            float[] flat = state.read(net);
            peers.average(flat, 1, 1);
            FlatState.write(net, flat);
            seconds[r] = (System.nanoTime() - t0) / 1e9;
          }
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("auto: probing an averaging round on worker " + rank + " failed: " + e.getMessage(), e);
      }
      return scala.collection.JavaConverters.asScalaIterator(Collections.singletonList(seconds).iterator());
    }
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
