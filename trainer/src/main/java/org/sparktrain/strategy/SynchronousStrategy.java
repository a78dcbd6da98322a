package org.sparktrain.strategy;

import java.io.Serializable;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.spec.SpecException;

/**
 * Synchronous parameter averaging on Spark primitives, one Spark job per epoch. The epoch's start
 * state (parameters, updater state, iteration) goes out in one broadcast, unless every worker kept
 * it from the last epoch's stage (a worker that finds its network gone fails the stage, which runs
 * again with the broadcast); the workers, one task
 * each of a barrier stage, stream their partitions through a seeded bounded shuffle buffer, fit
 * {@code averaging_frequency} minibatches at a time and average parameters and updater state among
 * themselves after each such round over TCP ({@link AllReduce}); worker 0 returns the final state.
 * A worker whose partition ran out joins each remaining round with weight 0, so a round's mean is
 * over the workers that fitted in it. Sums run in rank order, so the result does not depend on
 * timing, and the order of each worker's minibatches is drawn anew every epoch from the job's
 * seed: a resumed run repeats the uninterrupted one exactly.
 *
 * <p>A failed barrier stage (a worker's task failed or its executor was lost) is run again from
 * the epoch's start state, up to {@link #BARRIER_ATTEMPTS} times. When the cluster offers fewer task
 * slots than workers after an executor was lost (a barrier stage needs all its tasks at once), the
 * epoch runs from its start as one Spark job per round, which computes the same numbers; before
 * the first epoch too few slots is refused (exit 2).
 */
final class SynchronousStrategy implements TrainingStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(SynchronousStrategy.class);

  private final StrategyContext ctx;
  private final MultiLayerNetwork net;
  private final int workers;
  private int frequency;
  /** The frequency of a single worker: more minibatches than any epoch has. */
  private static final int ONE_ROUND = 1 << 30;
  /** Minibatches each worker's shuffle buffer holds: bounds its memory, not its partition's size. */
  static final int SHUFFLE_BUFFER = 64;
  /** Spark setting: seconds a worker waits for another in any socket operation of the averaging. */
  static final String PEER_TIMEOUT = "spark.sparktrain.synchronous.peerTimeout";
  static final long DEFAULT_PEER_TIMEOUT_SECONDS = 300;
  /** Before the first epoch on a cluster: how long to wait for executors to offer the slots. */
  static final long SLOT_WAIT_MILLIS = 30_000;
  /** How long a running epoch waits with too few slots (an executor lost) before it changes plan. */
  static final long SLOT_LOSS_GRACE_MILLIS = 5_000;
  /** Attempts of an epoch's barrier stage before its failure fails the run (as spark.task.maxFailures' default). */
  static final int BARRIER_ATTEMPTS = 4;
  /** In the failure of a worker that kept no network and was sent no state (see {@link EpochTask}). */
  static final String NO_KEPT_STATE = "kept no network from the last epoch and was sent no start state";
  private static final SecureRandom TOKENS = new SecureRandom();
  private final int threads;
  private final String run = UUID.randomUUID().toString();
  private final Broadcast<String> conf;
  private final int shuffleBuffer;
  private final long peerTimeoutMillis;
  private final String jobGroup = "sparktrain-synchronous-" + run;
  private final LongAccumulator minibatchCount;
  private final LongAccumulator nonFiniteCount;
  private boolean slotsChecked;
  private JavaRDD<DataSet> layout;
  /** Whether this strategy cached {@link #layout} itself (and so unpersists it). */
  private boolean layoutCached;
  private int layoutSource = -1;
  private long[] partitionSizes = new long[0];
  private long nonFinite;
  /**
   * The last barrier stage whose final state the driver applied, with that state: while the
   * driver's network still holds it, the workers' kept networks do too and skip restoring it.
   */
  private long appliedToken;
  private RoundState applied;
  /** Worker tasks that found their state already in their kept network, over the run. */
  private long statesKept;
  private long broadcastBytes;
  private long collectedBytes;
  private int rounds;
  private EpochTiming lastEpoch;
  /** Scores the validation minibatches after an epoch's last round in its stage; null for none. */
  private ValidationScorer scorer;
  private JavaRDD<DataSet> validationSource;
  /** The validation minibatches, one partition per worker; null until the first epoch. */
  private JavaRDD<DataSet> validationLayout;
  private boolean validationLayoutCached;
  /** The caller's cached validation RDD, to drop once a stage has filled the spread copy; null for none. */
  private JavaRDD<DataSet> validationToDrop;
  private java.util.Optional<EpochValidation> epochValidation = java.util.Optional.empty();

  /**
   * Where the last epoch's time went: rounds, wall seconds, mean fitting seconds per worker (reading
   * included) and of them reading minibatches, the most minibatches a worker had, the averaging
   * seconds over all rounds, and per worker the seconds waiting for slower ones and setting up.
   */
  record EpochTiming(
      int rounds, double wallSeconds, double fitSeconds, double readSeconds, long minibatchesPerWorker, double averagingSeconds,
      double waitSeconds, double setupSeconds) {}

  /** The last epoch's timing; null before the first. */
  EpochTiming lastEpoch() {
    return lastEpoch;
  }

  @Override
  public Map<String, Double> epochBreakdown() {
    EpochTiming t = lastEpoch;
    if (t == null) {
      return Map.of();
    }
    Map<String, Double> m = new java.util.LinkedHashMap<>();
    m.put("wall", t.wallSeconds());
    m.put("fitting", t.fitSeconds());
    m.put("minibatches_per_worker", (double) t.minibatchesPerWorker());
    m.put("rounds", (double) t.rounds());
    m.put("averaging", t.averagingSeconds());
    m.put("waiting", t.waitSeconds());
    m.put("setup", t.setupSeconds());
    m.put("validating", epochValidation.map(EpochValidation::seconds).orElse(0.0));
    m.put("state_bytes", (double) stateFloats() * 4);
    m.put("native_threads_per_worker", (double) threads);
    return m;
  }

  /** Averages every {@code k} minibatches from the next epoch on (several workers only). */
  void averagingFrequency(int k) {
    if (workers > 1 && k >= 1) {
      frequency = k;
    }
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
    this.shuffleBuffer = SHUFFLE_BUFFER;
    this.peerTimeoutMillis = 1000L * ctx.sc.getConf().getLong(PEER_TIMEOUT, DEFAULT_PEER_TIMEOUT_SECONDS);
    // Named as the workers' loss listener of the other strategies names them: the progress line counts these.
    this.minibatchCount = ctx.sc.sc().longAccumulator("sparktrain.train_loss_count");
    this.nonFiniteCount = ctx.sc.sc().longAccumulator("sparktrain.train_loss_non_finite");
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
  public void validateAlong(JavaRDD<DataSet> batches, ValidationScorer scorer) {
    dropValidationLayout();
    this.validationSource = batches;
    this.scorer = scorer;
  }

  @Override
  public java.util.Optional<EpochValidation> epochValidation() {
    return epochValidation;
  }

  @Override
  public double fitEpoch(JavaRDD<DataSet> train, int epoch) {
    epochValidation = java.util.Optional.empty();
    ensureLayout(train);
    ensureValidationLayout();
    long longest = 0;
    for (long n : partitionSizes) {
      longest = Math.max(longest, n);
    }
    int epochRounds = (int) ((longest + frequency - 1) / frequency);
    if (!slotsChecked) {
      requireSlots();
      slotsChecked = true;
    }
    nonFinite = 0;
    long t0 = System.nanoTime();
    EpochOutcome out = null;
    for (int attempt = 1; out == null && waitForSlots(); attempt++) {
      try {
        // After a failure every worker restores the broadcast start state.
        out = barrierEpoch(epoch, epochRounds, attempt > 1);
        if (out == null) {
          break; // slots lost while the stage waited
        }
      } catch (RuntimeException e) {
        // Spark aborts a failed barrier result stage rather than retrying it: retry it here, from
        // the epoch's start state, unless the failure is bad input (the same every time).
        if (attempt >= BARRIER_ATTEMPTS || badInput(e)) {
          throw e;
        }
        if (String.valueOf(e.getMessage()).contains(NO_KEPT_STATE)) {
          LOG.info("synchronous epoch {}: a worker's executor no longer holds its network from the last epoch (a new or"
              + " restarted executor); training the epoch again with the start state broadcast", epoch);
        } else {
          LOG.warn("synchronous epoch {}: the barrier stage failed (attempt {} of {}), training the epoch again from"
              + " its start: {}", epoch, attempt, BARRIER_ATTEMPTS, e.getMessage());
        }
      }
    }
    if (out == null) {
      LOG.warn(
          "synchronous epoch {}: the cluster now offers {} task slots for {} workers (an executor was lost);"
              + " training this epoch from its start with one Spark job per averaging round instead of one barrier"
              + " stage (the same result, more slowly)", epoch, slots(), workers);
      out = roundsEpoch(epoch, epochRounds);
    }
    rounds += epochRounds;
    double wall = (System.nanoTime() - t0) / 1e9;
    lastEpoch = new EpochTiming(epochRounds, wall, out.fitSeconds, out.readSeconds, longest, out.averagingSeconds,
        out.waitSeconds, out.setupSeconds);
    LOG.info(
        "synchronous epoch {}: {} rounds in {} s ({}), of which fitting {} s per worker ({}{} s of it reading"
            + " minibatches), averaging {} ms per round (the all-reduce of {} MB, as the last worker to arrive saw it),"
            + " waiting for slower workers {} s per worker, workers' set-up (peers, state, network) {} s ({} of {}"
            + " kept their state from the last epoch), {}start-up and the rest {} s{}",
        epoch, epochRounds, fmt("%.2f", wall), out.mode, fmt("%.2f", out.fitSeconds),
        out.fitMax > 0 ? "from " + fmt("%.2f", out.fitMin) + " to " + fmt("%.2f", out.fitMax) + "; " : "", fmt("%.2f", out.readSeconds),
        fmt("%.1f", epochRounds == 0 ? 0 : out.averagingSeconds * 1e3 / epochRounds),
        fmt("%.1f", stateFloats() * 4 / 1e6), fmt("%.2f", out.waitSeconds), fmt("%.2f", out.setupSeconds),
        out.stateKept, workers,
        epochValidation.map(v -> "validating " + fmt("%.2f", v.seconds()) + " s, ").orElse(""),
        fmt("%.2f", Math.max(0, wall - out.fitSeconds - out.averagingSeconds - out.waitSeconds - out.setupSeconds
            - epochValidation.map(EpochValidation::seconds).orElse(0.0))),
        out.launchSeconds < 0 ? "" : " (the driver's start state and broadcast " + fmt("%.2f", out.driverBeforeSeconds)
            + " s, launching the stage and its results' way back " + fmt("%.2f", out.launchSeconds)
            + " s, taking worker 0's state " + fmt("%.2f", out.driverAfterSeconds) + " s)");
    return out.lossCount == 0 ? Double.NaN : out.lossSum / out.lossCount;
  }

  private static String fmt(String f, double v) {
    return String.format(java.util.Locale.ROOT, f, v);
  }

  private long stateFloats() {
    INDArray view = net.getUpdater(true).getStateViewArray();
    return net.numParams() + (view == null ? 0 : view.length());
  }

  /** How an epoch went, for the log and the loss. */
  private static final class EpochOutcome {
    String mode;
    double lossSum;
    long lossCount;
    double fitSeconds;
    /**
     * The least and the most fitting of one worker: a gap the faster ones wait out whatever the
     * averaging frequency. Left at their start values (no range logged) by an epoch of Spark jobs
     * per round, which keeps no per-worker figures.
     */
    double fitMin = Double.POSITIVE_INFINITY;
    double fitMax;
    double averagingSeconds;
    double waitSeconds;
    double setupSeconds;
    double readSeconds;
    /** Workers whose kept network already held the start state (no broadcast fetched). */
    int stateKept;
    /**
     * Of the rest (barrier stage only, else -1): the driver's start state and broadcast; the
     * stage's launch and its results' way back (the stage's wall time less its longest task); the
     * driver taking worker 0's state.
     */
    double driverBeforeSeconds = -1;
    double launchSeconds = -1;
    double driverAfterSeconds = -1;
  }

  /**
   * Whether the cluster offers a slot per worker, waiting up to {@link #SLOT_LOSS_GRACE_MILLIS}
   * for them (an executor lost just now may be replaced).
   */
  private boolean waitForSlots() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SLOT_LOSS_GRACE_MILLIS);
    while (slots() < workers) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for task slots", e);
      }
    }
    return true;
  }

  /** Bad input in a cause chain: a job, data or model error that a retry would meet again. */
  private static boolean badInput(Throwable t) {
    for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof SpecException || c instanceof org.sparktrain.data.DataException
          || c instanceof org.sparktrain.model.ModelException) {
        return true;
      }
    }
    return false;
  }

  /** Task slots the cluster offers now (all executors, default resource profile). */
  private int slots() {
    return slots(ctx.sc);
  }

  /** Task slots {@code sc}'s cluster offers now: how many tasks a barrier stage may have. */
  static int slots(org.apache.spark.api.java.JavaSparkContext sc) {
    org.apache.spark.SparkContext c = sc.sc();
    return c.maxNumConcurrentTasks(c.resourceProfileManager().defaultResourceProfile());
  }

  /**
   * Before the first epoch: the barrier stage needs every worker's task at once. On a cluster,
   * executors may still be registering, so this waits up to {@link #SLOT_WAIT_MILLIS}; then refuses
   * with what was seen and how to fix it (exit 2) instead of leaving Spark to retry and fail.
   */
  private void requireSlots() {
    boolean local = ctx.sc.master().startsWith("local");
    long deadline = System.currentTimeMillis() + (local ? 0 : SLOT_WAIT_MILLIS);
    int slots = slots();
    while (slots < workers && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for executors to register", e);
      }
      slots = slots();
    }
    if (slots < workers) {
      int taskCpus = ctx.sc.getConf().getInt("spark.task.cpus", 1);
      throw new SpecException(
          "strategy.workers",
          "synchronous training runs its " + workers + " workers as one barrier stage, which needs " + workers
              + " task slots at once, but " + (local ? "this local master (" + ctx.sc.master() + ")" : "the cluster")
              + " offers " + slots + " (executor cores / spark.task.cpus " + taskCpus + ")"
              + (local ? "" : " after waiting " + SLOT_WAIT_MILLIS / 1000 + " s for executors")
              + "; set strategy.workers to at most " + Math.max(1, slots) + " (0: Spark's default parallelism)"
              + (local ? " or start with a larger local[N]" : " or give the application more executors or cores"));
    }
  }

  /** The network's parameters, updater state and iteration count, for a broadcast. */
  private RoundState state() {
    INDArray updaterView = net.getUpdater(true).getStateViewArray();
    RoundState s =
        new RoundState(
            FlatState.toFloats(net.params()),
            updaterView == null ? new float[0] : FlatState.toFloats(updaterView),
            net.getIterationCount());
    return s;
  }

  /** Broadcasts a start state, counting its bytes. */
  private Broadcast<RoundState> broadcast(RoundState s) {
    broadcastBytes += 4L * (s.params.length + s.updater.length);
    return ctx.sc.broadcast(s);
  }

  /** Sets the network to averaged parameters and updater state. */
  private void apply(float[] params, float[] updater, int iteration) {
    restore(net, new RoundState(params, updater, iteration));
  }

  /**
   * The epoch as one barrier stage: every worker trains through its partition and the workers
   * average among themselves every {@code frequency} minibatches ({@link AllReduce}). Returns null
   * when the stage cannot run because the cluster lost task slots while it waited (the caller then
   * trains the epoch round by round). The start state is broadcast unless the workers kept it from
   * the last stage and {@code broadcast} is false.
   */
  private EpochOutcome barrierEpoch(int epoch, int epochRounds, boolean broadcast) {
    long t0 = System.nanoTime();
    RoundState start = state();
    long kept = applied != null && applied.sameAs(start) ? appliedToken : 0;
    Broadcast<RoundState> bc = kept == 0 || broadcast ? broadcast(start) : null;
    long token = TOKENS.nextLong();
    while (token == 0) {
      token = TOKENS.nextLong();
    }
    EpochTask task =
        new EpochTask(run, conf, bc, epoch, epochRounds, frequency, threads, ctx.spec.seed(), shuffleBuffer,
            peerTimeoutMillis, token, kept, minibatchCount, nonFiniteCount, validationLayout == null ? null : scorer);
    org.apache.spark.rdd.RDD<EpochResult> stage =
        inputs().rdd().barrier().mapPartitions(task, false, scala.reflect.ClassTag$.MODULE$.apply(EpochResult.class));
    ctx.sc.setJobGroup(jobGroup, "synchronous epoch " + epoch + " (barrier stage, " + workers + " workers)", true);
    List<EpochResult> results;
    long t1 = System.nanoTime();
    long t2;
    try {
      org.apache.spark.api.java.JavaFutureAction<List<EpochResult>> f =
          new JavaRDD<>(stage, scala.reflect.ClassTag$.MODULE$.apply(EpochResult.class)).collectAsync();
      results = await(f, epoch);
    } finally {
      t2 = System.nanoTime();
      ctx.sc.clearJobGroup();
      if (bc != null) {
        bc.destroy();
      }
    }
    if (results == null) {
      return null;
    }
    EpochOutcome out = new EpochOutcome();
    out.mode = "one barrier stage";
    out.driverBeforeSeconds = (t1 - t0) / 1e9;
    long longestTask = 0;
    EpochResult first = null;
    double[] allReduce = new double[epochRounds];
    java.util.Arrays.fill(allReduce, Double.POSITIVE_INFINITY);
    double waitSum = 0;
    for (EpochResult r : results) {
      if (r.rank == 0) {
        first = r;
      }
      out.lossSum += r.lossSum;
      out.lossCount += r.lossCount;
      nonFinite += r.nonFinite;
      out.fitSeconds += r.fitNanos / 1e9 / workers;
      out.fitMin = Math.min(out.fitMin, r.fitNanos / 1e9);
      out.fitMax = Math.max(out.fitMax, r.fitNanos / 1e9);
      out.setupSeconds += r.setupNanos / 1e9 / workers;
      out.readSeconds += r.readNanos / 1e9 / workers;
      longestTask = Math.max(longestTask, r.taskNanos);
      double sum = 0;
      for (int i = 0; i < epochRounds; i++) {
        allReduce[i] = Math.min(allReduce[i], r.allReduceNanos[i] / 1e9);
        sum += r.allReduceNanos[i] / 1e9;
      }
      waitSum += sum;
    }
    for (double a : allReduce) {
      out.averagingSeconds += a;
    }
    out.waitSeconds = Math.max(0, waitSum / workers - out.averagingSeconds);
    if (first == null) {
      throw new IllegalStateException("synchronous epoch " + epoch + ": the barrier stage returned no result from worker 0");
    }
    collectedBytes += first.arrayBytes();
    applied = new RoundState(first.params, first.updater, first.iteration);
    restore(net, applied);
    appliedToken = token;
    for (EpochResult r : results) {
      out.stateKept += r.stateKept ? 1 : 0;
    }
    if (task.scorer != null) {
      List<Serializable> counters = new ArrayList<>();
      long validating = 0;
      for (EpochResult r : results.stream().sorted(java.util.Comparator.comparingInt(r -> r.rank)).toList()) {
        counters.add(r.validation);
        validating = Math.max(validating, r.validationNanos);
      }
      epochValidation = java.util.Optional.of(new EpochValidation(scorer.metrics(counters), validating / 1e9));
      if (validationToDrop != null) {
        validationToDrop.unpersist(false); // the spread copy is complete now
        validationToDrop = null;
      }
    }
    out.launchSeconds = Math.max(0, (t2 - t1 - longestTask) / 1e9);
    out.driverAfterSeconds = (System.nanoTime() - t2) / 1e9;
    statesKept += out.stateKept;
    if (LOG.isDebugEnabled()) {
      for (EpochResult r : results) {
        LOG.debug("synchronous epoch {} worker {}: fit ms per round {}, all-reduce ms per round {}", epoch, r.rank,
            millis(r.fitNanosPerRound), millis(r.allReduceNanos));
      }
    }
    return out;
  }

  private static String millis(long[] nanos) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < nanos.length; i++) {
      b.append(i == 0 ? "" : ", ").append(fmt("%.1f", nanos[i] / 1e6));
    }
    return b.append(']').toString();
  }

  /**
   * Waits for the barrier stage. Should the cluster offer fewer slots than workers for {@link
   * #SLOT_LOSS_GRACE_MILLIS} (an executor lost: Spark retries a failed barrier stage as a whole, and
   * the retry waits for slots that may never come), cancels it and returns null.
   */
  private List<EpochResult> await(org.apache.spark.api.java.JavaFutureAction<List<EpochResult>> f, int epoch) {
    long shortSince = -1;
    while (true) {
      try {
        return f.get(500, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (slots() >= workers) {
          shortSince = -1;
        } else if (shortSince < 0) {
          shortSince = System.nanoTime();
        } else if (System.nanoTime() - shortSince > TimeUnit.MILLISECONDS.toNanos(SLOT_LOSS_GRACE_MILLIS)) {
          ctx.sc.cancelJobGroup(jobGroup);
          try {
            f.get();
          } catch (Exception cancelled) {
            LOG.info("synchronous epoch {}: barrier stage cancelled ({})", epoch, cancelled.toString());
          }
          return null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ctx.sc.cancelJobGroup(jobGroup);
        throw new IllegalStateException("interrupted while synchronous epoch " + epoch + " trained", e);
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(
            "synchronous epoch " + epoch + ": the barrier stage failed: " + cause.getMessage(), cause);
      }
    }
  }

  /**
   * The epoch as one Spark job per averaging round, each worker streaming its partition to its
   * round's minibatches: what the barrier stage computes, bit for bit (the same order of minibatches,
   * the same sums in rank order), for when the cluster has fewer task slots than workers.
   */
  private EpochOutcome roundsEpoch(int epoch, int epochRounds) {
    EpochOutcome out = new EpochOutcome();
    out.mode = "one Spark job per round";
    for (int r = 0; r < epochRounds; r++) {
      Broadcast<RoundState> bc = broadcast(state());
      RoundTask task =
          new RoundTask(run, conf, bc, epoch, r, frequency, threads, ctx.spec.seed(), shuffleBuffer);
      long t0 = System.nanoTime();
      List<RoundResult> results;
      try {
        results = new ArrayList<>(layout.mapPartitionsWithIndex(task, true).collect());
      } finally {
        bc.destroy();
      }
      if (results.isEmpty()) {
        continue;
      }
      results.sort(java.util.Comparator.comparingInt(x -> x.rank));
      float[][] params = new float[results.size()][];
      float[][] updater = new float[results.size()][];
      double[] weights = new double[results.size()];
      int[] zeros = new int[results.size()];
      int maxFitted = 0;
      double fit = 0;
      for (int i = 0; i < results.size(); i++) {
        RoundResult x = results.get(i);
        params[i] = x.params;
        updater[i] = x.updater;
        weights[i] = x.fitted > 0 ? 1 : 0;
        maxFitted = Math.max(maxFitted, x.maxFitted);
        out.lossSum += x.lossSum;
        out.lossCount += x.lossCount;
        nonFinite += x.nonFinite;
        fit += x.fitNanos / 1e9 / workers;
        collectedBytes += x.arrayBytes();
      }
      float[] p = new float[params[0].length];
      float[] u = new float[updater[0].length];
      AllReduce.combine(params, zeros, weights, p, 0, p.length);
      AllReduce.combine(updater, zeros, weights, u, 0, u.length);
      apply(p, u, net.getIterationCount() + maxFitted);
      out.fitSeconds += fit;
      out.averagingSeconds += Math.max(0, (System.nanoTime() - t0) / 1e9 - fit);
    }
    return out;
  }

  /**
   * The minibatch RDD with one partition per worker, counted once per RDD. The caller's RDD is
   * used as it is when it has that many partitions and its stage can run as a barrier stage
   * (nothing is cached a second time); otherwise its minibatches are spread over the workers by one
   * shuffle sorted by their positions (so that each worker's order is the same in every run).
   * When the caller cached its RDD, the spread copy takes its place in the cache at the same
   * storage level (the caller's copy is dropped once the new one is complete): every epoch then
   * reads its minibatches from the cache, where reading the shuffle's files again sorts them all
   * on the reduce side before the first minibatch (1.0-1.8 s per epoch for MNIST's 180 MB on one
   * worker of the standalone cluster). Uncached data keeps reading the shuffle's files, its copy on
   * disk.
   */
  private void ensureLayout(JavaRDD<DataSet> train) {
    if (layout != null && layoutSource == train.id()) {
      return;
    }
    dropCachedLayout();
    org.apache.spark.storage.StorageLevel cached = train.getStorageLevel();
    boolean cache = false;
    int parts = train.getNumPartitions();
    boolean direct = parts == workers && barrierSafe(train.rdd(), parts);
    if (direct) {
      layout = train;
    } else {
      // A barrier stage needs every RDD of its stage to have its partitions: shuffle once.
      layout = spread(train, workers);
      cache = cached.isValid() && !cached.equals(org.apache.spark.storage.StorageLevel.NONE());
      if (cache) {
        layout.persist(cached);
        layoutCached = true;
      }
    }
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
    LOG.info("synchronous: minibatches per worker {} ({})", sizes,
        direct ? "the training data's partitions as they are"
            : "spread from " + parts + " partitions by one shuffle" + (cache ? ", cached at " + cached.description() + " in place of the training data" : ""));
    if (cache) {
      train.unpersist(false);
    }
  }

  /** {@code rdd}'s minibatches spread over {@code w} partitions by one shuffle, in the same order every time. */
  private static JavaRDD<DataSet> spread(JavaRDD<DataSet> rdd, int w) {
    return rdd.mapPartitionsWithIndex(
            (Integer p, Iterator<DataSet> it) -> {
              List<scala.Tuple2<Long, DataSet>> keyed = new ArrayList<>();
              long i = 0;
              while (it.hasNext()) {
                keyed.add(new scala.Tuple2<>(((long) p << 32) | i++, it.next()));
              }
              return keyed.iterator();
            },
            false)
        .mapToPair(t -> t)
        .repartitionAndSortWithinPartitions(new RoundRobin(w))
        .values();
  }

  /**
   * The validation minibatches with one partition per worker, for the barrier stage to score
   * after its last round: the caller's RDD as it is when it has that many partitions and can
   * join a barrier stage, else spread by one shuffle and, when the caller cached it, cached in its
   * place (the first stage fills the copy, on the executors where the workers run, and the caller's
   * copy is dropped after it).
   */
  private void ensureValidationLayout() {
    if (validationSource == null || validationLayout != null) {
      return;
    }
    int parts = validationSource.getNumPartitions();
    if (parts == workers && barrierSafe(validationSource.rdd(), workers)) {
      validationLayout = validationSource;
      LOG.info("synchronous: each worker validates its partition of the validation data after its epoch's last round");
      return;
    }
    validationLayout = spread(validationSource, workers);
    org.apache.spark.storage.StorageLevel cached = validationSource.getStorageLevel();
    if (cached.isValid() && !cached.equals(org.apache.spark.storage.StorageLevel.NONE())) {
      validationLayout.persist(cached);
      validationLayoutCached = true;
      validationToDrop = validationSource;
    }
    LOG.info("synchronous: each worker validates its share of the validation data after its epoch's last round (spread from"
        + " {} partitions by one shuffle{})", parts, validationLayoutCached ? ", cached at " + cached.description() + " in place of the caller's copy" : "");
  }

  private void dropValidationLayout() {
    if (validationLayoutCached) {
      validationLayout.unpersist(false);
      validationLayoutCached = false;
    }
    validationLayout = null;
    validationToDrop = null;
  }

  /**
   * What each task of the barrier stage reads: its training partition and, when the stage
   * validates, its validation partition (zipped: the same task reads both, where the worker runs).
   */
  private JavaRDD<Inputs> inputs() {
    if (validationLayout == null) {
      return layout.mapPartitions(it -> Collections.singletonList(new Inputs(it, Collections.emptyIterator())).iterator(), true);
    }
    return layout.zipPartitions(validationLayout, (a, b) -> Collections.singletonList(new Inputs(a, b)).iterator());
  }

  /** A barrier task's training and validation minibatches; never leaves its task. */
  private record Inputs(Iterator<DataSet> train, Iterator<DataSet> validation) {}

  private void dropCachedLayout() {
    if (layoutCached) {
      layout.unpersist(false);
      layoutCached = false;
    }
  }

  /**
   * Whether a barrier stage may start at {@code rdd}: Spark requires every RDD of the stage (up to
   * the last shuffle) to have the same number of partitions and no partition pruning.
   */
  static boolean barrierSafe(org.apache.spark.rdd.RDD<?> rdd, int partitions) {
    if (rdd.getNumPartitions() != partitions || rdd instanceof org.apache.spark.rdd.PartitionPruningRDD) {
      return false;
    }
    for (org.apache.spark.Dependency<?> d : scala.collection.JavaConverters.seqAsJavaList(rdd.dependencies())) {
      if (!(d instanceof org.apache.spark.ShuffleDependency) && !barrierSafe(d.rdd(), partitions)) {
        return false;
      }
    }
    return true;
  }

  /** Minibatch keys (partition, position) spread over the workers in turn. */
  private static final class RoundRobin extends org.apache.spark.Partitioner {
    private static final long serialVersionUID = 1L;
    private final int n;

    RoundRobin(int n) {
      this.n = n;
    }

    @Override
    public int numPartitions() {
      return n;
    }

    @Override
    public int getPartition(Object key) {
      long k = (Long) key;
      return (int) (((k >>> 32) * 7919 + (k & 0xffffffffL)) % n);
    }
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

  /** The id under which executors keep this run's worker networks ({@link WorkerNetworks}). */
  String runId() {
    return run;
  }

  /** Bytes of parameters and updater state broadcast so far (one copy, before Spark's chunking). */
  long broadcastBytes() {
    return broadcastBytes;
  }

  /** Averaging rounds so far. */
  int rounds() {
    return rounds;
  }

  /** Worker tasks so far that started an epoch from the state kept in their network. */
  long statesKept() {
    return statesKept;
  }

  @Override
  public void close() {
    dropCachedLayout();
    dropValidationLayout();
    conf.destroy();
    // Local mode: the executors are this JVM. On a cluster a later run drops them (WorkerNetworks).
    WorkerNetworks.forget(run);
  }

  /**
   * Parameters, updater state and iteration count at the start of an epoch or round. A class, not
   * a record: Spark broadcasts it with Kryo, which cannot build records.
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

    /** Whether {@code o} holds exactly this state (bit for bit). */
    boolean sameAs(RoundState o) {
      return iteration == o.iteration && java.util.Arrays.equals(params, o.params) && java.util.Arrays.equals(updater, o.updater);
    }
  }

  /** A worker's network for this run, set to a broadcast state. */
  private static MultiLayerNetwork network(String run, int partition, String conf, RoundState s) {
    MultiLayerNetwork net = WorkerNetworks.take(run, partition, conf);
    restore(net, s);
    return net;
  }

  /** Sets a network's parameters, updater state and iteration count. */
  private static void restore(MultiLayerNetwork net, RoundState s) {
    FlatState.copyIn(s.params, 0, net.params());
    INDArray view = net.getUpdater(true).getStateViewArray();
    if (view != null && s.updater.length > 0) {
      FlatState.copyIn(s.updater, 0, view);
    }
    net.setIterationCount(s.iteration);
  }


  /** Losses of the minibatches a worker fitted. */
  private static final class Losses {
    double sum;
    long count;
    long nonFinite;

    void add(double score) {
      if (Double.isFinite(score)) {
        sum += score;
        count++;
      } else {
        nonFinite++;
      }
    }
  }

  /**
   * One worker's epoch in the barrier stage: connects to the other workers (addresses exchanged
   * with {@code allGather}), then fits {@code frequency} minibatches at a time from its shuffled
   * stream and averages with the others after each, {@code rounds} times (a worker whose partition
   * ran out joins with weight 0). Worker 0 returns the final state; every worker its losses and
   * timings.
   */
  private static final class EpochTask
      extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Inputs>, scala.collection.Iterator<EpochResult>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String run;
    private final Broadcast<String> conf;
    /** The start state; null when every worker is to have kept it from the last stage. */
    private final Broadcast<RoundState> state;
    private final int epoch;
    private final int rounds;
    private final int frequency;
    private final int threads;
    private final long seed;
    private final int buffer;
    private final long timeoutMillis;
    private final long token;
    /** The stage whose final state the epoch starts from, when workers may still hold it (else 0). */
    private final long keptToken;
    private final LongAccumulator fittedCount;
    private final LongAccumulator nonFiniteCount;
    /** Scores the worker's validation partition after the last round; null: no validation. */
    final ValidationScorer scorer;

    EpochTask(String run, Broadcast<String> conf, Broadcast<RoundState> state, int epoch, int rounds, int frequency,
        int threads, long seed, int buffer, long timeoutMillis, long token, long keptToken, LongAccumulator fittedCount,
        LongAccumulator nonFiniteCount, ValidationScorer scorer) {
      this.run = run;
      this.conf = conf;
      this.state = state;
      this.epoch = epoch;
      this.rounds = rounds;
      this.frequency = frequency;
      this.threads = threads;
      this.seed = seed;
      this.buffer = buffer;
      this.timeoutMillis = timeoutMillis;
      this.token = token;
      this.keptToken = keptToken;
      this.fittedCount = fittedCount;
      this.nonFiniteCount = nonFiniteCount;
      this.scorer = scorer;
    }

    @Override
    public scala.collection.Iterator<EpochResult> apply(scala.collection.Iterator<Inputs> data) {
      Inputs in = data.next();
      BarrierTaskContext tc = BarrierTaskContext.get();
      int rank = tc.partitionId();
      String host = host(tc.getTaskInfos()[rank].address());
      EpochResult out = new EpochResult(rank, rounds);
      long started = System.nanoTime();
      try {
        try (AllReduce peers = AllReduce.join(tc, host, token, timeoutMillis)) {
          NativeThreads.set(threads);
          WorkerNetworks.Kept kept = WorkerNetworks.takeKept(run, rank, conf.value());
          MultiLayerNetwork net = kept.net();
          int iteration;
          if (keptToken != 0 && kept.token() == keptToken) {
            // This network ended the stage the driver's state came from: no fetch, no restore.
            out.stateKept = true;
            iteration = net.getIterationCount();
          } else if (state == null) {
            // Fails the stage; the driver runs it again with the state broadcast.
            throw new IllegalStateException("synchronous epoch " + epoch + ", worker " + rank + " on " + host + ": "
                + "this executor " + NO_KEPT_STATE);
          } else {
            RoundState s = state.value();
            restore(net, s);
            iteration = s.iteration;
          }
          Iterator<DataSet> order =
              new ShuffleBuffer<>(in.train(), buffer,
                  ShuffleBuffer.seed(seed, epoch, rank));
          Losses losses = new Losses();
          FlatState flatState = new FlatState();
          out.setupNanos = System.nanoTime() - started;
          for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            int fitted = 0;
            while (fitted < frequency) {
              long w0 = System.nanoTime();
              if (!order.hasNext()) {
                out.readNanos += System.nanoTime() - w0;
                break;
              }
              DataSet next = order.next();
              out.readNanos += System.nanoTime() - w0;
              tc.killTaskIfInterrupted();
              net.fit(next);
              double score = net.score();
              losses.add(score);
              if (Double.isFinite(score)) {
                fittedCount.add(1);
              } else {
                nonFiniteCount.add(1);
              }
              fitted++;
            }
            long t1 = System.nanoTime();
            float[] flat = flatState.read(net);
            AllReduce.Round round = peers.average(flat, fitted > 0 ? 1 : 0, fitted);
            iteration += round.maxFitted();
            FlatState.write(net, flat);
            net.setIterationCount(iteration);
            out.fitNanosPerRound[r] = t1 - t0;
            out.allReduceNanos[r] = System.nanoTime() - t1;
            out.fitNanos += t1 - t0;
          }
          out.lossSum = losses.sum;
          out.lossCount = losses.count;
          out.nonFinite = losses.nonFinite;
          if (scorer != null) {
            // Every worker holds the epoch's final state now: score this worker's share with it.
            long v0 = System.nanoTime();
            out.validation = scorer.score(in.validation(), net);
            out.validationNanos = System.nanoTime() - v0;
          }
          if (rank == 0) {
            out.params = FlatState.toFloats(net.params());
            INDArray view = net.getUpdater(true).getStateViewArray();
            out.updater = view == null ? new float[0] : FlatState.toFloats(view);
            out.iteration = iteration;
          }
          WorkerNetworks.give(run, rank, net, token);
        }
        out.taskNanos = System.nanoTime() - started;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(
            "synchronous epoch " + epoch + ", worker " + rank + " on " + host + ": averaging with the other workers failed: "
                + e.getMessage(), e);
      }
      return scala.collection.JavaConverters.asScalaIterator(Collections.singletonList(out).iterator());
    }
  }

  /** The host of a barrier task's address ({@code host:port}). */
  static String host(String address) {
    int colon = address.lastIndexOf(':');
    return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
  }

  /** What a worker of the barrier stage returns: worker 0's state, every worker's losses and timings. */
  static final class EpochResult implements Serializable {
    private static final long serialVersionUID = 1L;
    final int rank;
    float[] params = new float[0];
    float[] updater = new float[0];
    int iteration;
    double lossSum;
    long lossCount;
    long nonFinite;
    long fitNanos;
    /** From the task's start to its first minibatch: joining the peers, the state, the network. */
    long setupNanos;
    /** Whether the worker's kept network already held the epoch's start state. */
    boolean stateKept;
    /** Of fitNanos, waiting for the next minibatch (reading and deserializing it, the shuffle buffer). */
    long readNanos;
    /** The task's whole run, from its start to its result. */
    long taskNanos;
    /** The worker's validation counters ({@link ValidationScorer#score}); null without validation. */
    Serializable validation;
    long validationNanos;
    final long[] fitNanosPerRound;
    final long[] allReduceNanos;

    EpochResult(int rank, int rounds) {
      this.rank = rank;
      this.fitNanosPerRound = new long[rounds];
      this.allReduceNanos = new long[rounds];
    }

    long arrayBytes() {
      return 4L * (params.length + updater.length);
    }
  }

  /**
   * One worker's part of one averaging round when the epoch runs as a job per round: streams its
   * partition in the epoch's order to the round's minibatches and fits them from the round's state.
   */
  private record RoundTask(
      String run,
      Broadcast<String> conf,
      Broadcast<RoundState> state,
      int epoch,
      int round,
      int frequency,
      int threads,
      long seed,
      int buffer)
      implements org.apache.spark.api.java.function.Function2<
          Integer, Iterator<DataSet>, Iterator<RoundResult>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<RoundResult> call(Integer partition, Iterator<DataSet> it) {
      Iterator<DataSet> order = new ShuffleBuffer<>(it, buffer, ShuffleBuffer.seed(seed, epoch, partition));
      long skip = (long) round * frequency;
      for (long i = 0; i < skip && order.hasNext(); i++) {
        order.next();
      }
      if (!order.hasNext()) {
        return Collections.emptyIterator();
      }
      NativeThreads.set(threads);
      MultiLayerNetwork net = network(run, partition, conf.value(), state.value());
      Losses losses = new Losses();
      long t0 = System.nanoTime();
      int fitted = 0;
      while (fitted < frequency && order.hasNext()) {
        net.fit(order.next());
        losses.add(net.score());
        fitted++;
      }
      INDArray view = net.getUpdater(true).getStateViewArray();
      RoundResult out =
          new RoundResult(FlatState.toFloats(net.params()), view == null ? new float[0] : FlatState.toFloats(view));
      out.rank = partition;
      out.workers = 1;
      out.maxFitted = fitted;
      out.fitted = fitted;
      out.lossSum = losses.sum;
      out.lossCount = losses.count;
      out.nonFinite = losses.nonFinite;
      out.fitNanos = System.nanoTime() - t0;
      WorkerNetworks.give(run, partition, net);
      return Collections.singletonList(out).iterator();
    }
  }
}
