package org.sparktrain.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.data.DataCache;
import org.sparktrain.data.Datasets;
import org.sparktrain.data.PreparedData;
import org.sparktrain.eval.DistributedEvaluator;
import org.sparktrain.files.Json;
import org.sparktrain.model.NetworkFactory;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.StrategySpec;
import org.sparktrain.strategy.NativeThreads;
import org.sparktrain.strategy.StrategyContext;
import org.sparktrain.strategy.TrainingStrategies;
import org.sparktrain.strategy.TrainingStrategy;

/**
 * Trains one job's network with each system in turn, from the same initial parameters on the same
 * minibatches, and writes {@code bench.json} and {@code bench.md}. Every system is timed for its
 * training only; validation after each epoch (for time to target) and the final test are not timed.
 */
public final class Bench {
  private static final Logger LOG = LoggerFactory.getLogger(Bench.class);

  /** Systems in the order they run by default. */
  public static final List<String> SYSTEMS =
      List.of("single", "synchronous", "auto", "averaging", "mllib", "sharing");

  /** What to run. */
  public record Options(
      String suite,
      int epochs,
      List<String> systems,
      double target,
      double mllibSeconds, // 0: as long as the slowest other system trained
      int mllibChunk,
      int averagingFrequency, // for averaging
      int synchronousFrequency,
      int workers, // 0: Spark's default parallelism
      String command,
      List<Integer> scaling, // worker counts for synchronous in place of the systems; empty: the systems
      int warmUp) { // scaling: epochs of each run left out of its means

    /** The systems side by side, as before scaling runs existed. */
    public Options(String suite, int epochs, List<String> systems, double target, double mllibSeconds, int mllibChunk,
        int averagingFrequency, int synchronousFrequency, int workers, String command) {
      this(suite, epochs, systems, target, mllibSeconds, mllibChunk, averagingFrequency, synchronousFrequency, workers,
          command, List.of(), 0);
    }

    /** The one strategy a scaling run measures: the given system, else synchronous. */
    String scalingSystem() {
      return systems.size() == 1 ? systems.get(0) : "synchronous";
    }
  }

  /** One system of the run, with the workers its strategy gets (0: Spark's default parallelism). */
  private record Entry(String system, int workers) {}

  private final SparkSession spark;
  private final JavaSparkContext sc;
  private final JobSpec spec;
  private final Options options;

  public Bench(SparkSession spark, JobSpec spec, Options options) {
    this.spark = spark;
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.spec = spec;
    this.options = options;
  }

  /** Runs every system and writes DIR/bench.json and DIR/bench.md; returns the JSON object. */
  public Map<String, Object> run(Path dir) throws java.io.IOException {
    Files.createDirectories(dir);
    int defaultThreads = NativeThreads.current();
    double load0 = loadAverage();
    double sgemm = Sgemm.gflops(1024, 5);
    LOG.info("SGEMM 1024^3: {} GFLOP/s with {} native threads", String.format(Locale.ROOT, "%.1f", sgemm), defaultThreads);
    Traffic traffic = new Traffic();
    sc.sc().addSparkListener(traffic);
    int batch = StrategyContext.batchSizePerWorker(spec);
    PreparedData data = Datasets.prepare(spark, spec, batch);
    // the job's data.cache, as train applies it: data larger than memory goes to disk or is rebuilt
    DataCache cache = DataCache.choose(spark.sparkContext(), spec, data, batch);
    JavaRDD<DataSet> train = cache.persist(data.train());
    JavaRDD<DataSet> validation = cache.persist(data.validation());
    JavaRDD<DataSet> test = cache.persist(data.test());
    long minibatches = train.count();
    validation.count();
    test.count();
    MultiLayerNetwork initial =
        NetworkFactory.network(spec, data.pipeline().numInputs(), data.pipeline().numOutputs());
    LOG.info("Bench {}: {} training examples in {} minibatches, {} parameters, {} epochs",
        options.suite(), data.trainCount(), minibatches, initial.numParams(), options.epochs());

    List<SystemResult> results = new ArrayList<>();
    SystemResult single = null;
    List<Entry> entries = new ArrayList<>();
    if (options.scaling().isEmpty()) {
      options.systems().forEach(system -> entries.add(new Entry(system, options.workers())));
    } else {
      options.scaling().forEach(n -> entries.add(new Entry(options.scalingSystem(), n)));
    }
    try {
      for (Entry entry : entries) {
        String system = entry.system();
        NativeThreads.set(defaultThreads);
        System.gc();
        Traffic.drain(sc.sc());
        traffic.reset();
        SystemResult r;
        LOG.info("Bench: {} ...", system);
        try (MemorySampler memory = new MemorySampler()) {
          r = switch (system) {
            case "single" -> single(train, validation, test, data, initial.clone());
            case "mllib" -> MllibBench.run(spark, spec, data, mllibBudget(results), options.mllibChunk(), options.target());
            default -> strategy(system, entry.workers(), train, validation, test, data, initial.clone());
          };
          r.peakHeap = memory.peakHeap();
          r.peakOffHeap = memory.peakOffHeap();
          r.peakPhysical = memory.peakPhysical();
          r.peakJavacpp = memory.peakJavacpp();
        }
        Traffic.drain(sc.sc());
        r.broadcastBytes = traffic.broadcastBytes();
        r.shuffleBytes = traffic.shuffleBytes();
        r.trainExamples = data.trainCount();
        r.parameters = initial.numParams();
        r.metric = metric(data);
        if (r.name.contains("single")) {
          single = r;
        }
        results.add(r);
        write(dir, results, single, sgemm, load0, defaultThreads, data, minibatches, batch, initial.numParams());
        LOG.info("Bench: {}: {} s/epoch, test {} {}", r.name,
            String.format(Locale.ROOT, "%.2f", r.epochSecondsMedian()), r.metric,
            String.format(Locale.ROOT, "%.4f", r.testMetric));
      }
    } finally {
      NativeThreads.set(defaultThreads);
      sc.sc().removeSparkListener(traffic);
      train.unpersist(false);
      validation.unpersist(false);
      test.unpersist(false);
    }

    Map<String, Object> out =
        write(dir, results, single, sgemm, load0, defaultThreads, data, minibatches, batch, initial.numParams());
    LOG.info("Bench results in {}", dir.resolve("bench.json"));
    return out;
  }

  /** Writes bench.json and bench.md with the systems so far (after each, so a cut-short run keeps them). */
  private Map<String, Object> write(
      Path dir, List<SystemResult> results, SystemResult single, double sgemm, double load0,
      int defaultThreads, PreparedData data, long minibatches, int batch, long parameters)
      throws java.io.IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("suite", options.suite());
    out.put("command", options.command());
    out.put("master", sc.master());
    out.put("cores", Runtime.getRuntime().availableProcessors());
    out.put("native_threads_default", defaultThreads);
    out.put("load_average_start", load0);
    out.put("load_average_end", loadAverage());
    out.put("sgemm_gflops", sgemm);
    out.put("sgemm", "best of 5 float 1024x1024x1024 products through Nd4j.gemm, 2 n^3 operations each, default native threads");
    out.put("memory", "sampled every 50 ms in this JVM (local mode: driver and executors in one); peak_offheap_bytes is resident memory less the committed heap; peak_javacpp_bytes what JavaCPP tracks itself");
    out.put("model_flops_formula", "6 x parameters x samples_per_second (forward 2, backward 4 multiply-adds per weight and example)");
    out.put("parameters", parameters);
    out.put("train_examples", data.trainCount());
    out.put("validation_examples", data.validationCount());
    out.put("test_examples", data.testCount());
    out.put("minibatches_per_epoch", minibatches);
    out.put("batch_size", batch);
    out.put("epochs", options.epochs());
    out.put("metric", metric(data));
    out.put("target_" + metric(data), options.target());
    out.put("timing", "epoch_seconds is the median over epochs after the first of the training time only (no validation); ratio_to_single is epoch_seconds over single's (below 1: faster); time_to_target_seconds sums training time until the first epoch whose validation " + metric(data) + " reaches target_" + metric(data) + " (null: not reached)");
    List<Map<String, Object>> systems = new ArrayList<>();
    for (SystemResult r : results) {
      systems.add(r.toMap(single, sgemm));
    }
    out.put("systems", systems);
    if (!options.scaling().isEmpty() && !results.isEmpty()) {
      List<ScalingFit.Run> runs = new ArrayList<>();
      double stateBytes = 0;
      for (SystemResult r : results) {
        runs.add(new ScalingFit.Run(((Number) r.settings.get("workers")).intValue(),
            ((Number) r.settings.getOrDefault("averaging_frequency", options.synchronousFrequency())).intValue(),
            r.epochSeconds, r.breakdown));
        stateBytes = r.breakdown.isEmpty() ? stateBytes : r.breakdown.get(0).getOrDefault("state_bytes", stateBytes);
      }
      Map<String, Object> scaling = ScalingFit.fit(runs, minibatches, stateBytes, options.warmUp());
      scaling.put("system", options.scalingSystem());
      out.put("scaling", scaling);
    }
    Files.writeString(dir.resolve("bench.json"), Json.write(out));
    Files.writeString(dir.resolve("bench.md"), BenchTable.markdown(out));
    return out;
  }

  /** MLlib's budget: the option, else as long as the slowest system before it trained in all. */
  private double mllibBudget(List<SystemResult> before) {
    if (options.mllibSeconds() > 0) {
      return options.mllibSeconds();
    }
    double most = 60;
    for (SystemResult r : before) {
      most = Math.max(most, r.totalTrainSeconds());
    }
    return most;
  }

  /** Plain DL4J in the driver: MultiLayerNetwork.fit over the same minibatches, in their order. */
  private SystemResult single(
      JavaRDD<DataSet> train, JavaRDD<DataSet> validation, JavaRDD<DataSet> test,
      PreparedData data, MultiLayerNetwork net) {
    SystemResult r = new SystemResult("single (DL4J MultiLayerNetwork.fit)");
    // Collected once when a quarter of ND4J's off-heap limit holds them; else streamed from Spark
    // partition by partition every epoch (the fetch then counts in single's epoch time).
    long bytes = DataCache.estimateBytes(
        data.trainCount(), data.pipeline().numInputs(), data.pipeline().numOutputs(), StrategyContext.batchSizePerWorker(spec));
    boolean collect = bytes <= org.bytedeco.javacpp.Pointer.maxBytes() / 4;
    List<DataSet> batches = collect ? train.collect() : null;
    r.settings.put("native_threads", NativeThreads.current());
    r.settings.put("minibatches", collect
        ? "collected to the driver once, fitted in order every epoch"
        : "streamed to the driver a partition at a time every epoch (an estimated "
            + DataCache.bytes(bytes) + " exceed a quarter of ND4J's off-heap limit), fitted in order");
    for (int e = 1; e <= options.epochs(); e++) {
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      java.util.Iterator<DataSet> it = collect ? batches.iterator() : train.toLocalIterator();
      while (it.hasNext()) {
        net.fit(it.next());
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuNanos() - c0) / 1e9;
      r.epoch(seconds, cpu, 1, measure(net, validation, data), options.target());
      LOG.info("single epoch {}: {} s", e, String.format(Locale.ROOT, "%.2f", seconds));
    }
    r.testMetric = measure(net, test, data);
    return r;
  }

  private SystemResult strategy(
      String type, int workers, JavaRDD<DataSet> train, JavaRDD<DataSet> validation, JavaRDD<DataSet> test,
      PreparedData data, MultiLayerNetwork net) throws java.io.IOException {
    JobSpec s = withStrategy(type, workers);
    Path export = Files.createTempDirectory("sparktrain-bench-export");
    SystemResult r;
    try (TrainingStrategy strategy =
        TrainingStrategies.create(
            StrategyContext.builder().sparkContext(sc).spec(s).network(net)
                .exportDir(export.toUri().toString()).build())) {
      StrategySpec st = s.strategy();
      r = new SystemResult(options.scaling().isEmpty() ? type : type + ", " + strategy.workers() + " workers");
      r.settings.put("workers", strategy.workers());
      switch (type) {
        case "averaging" -> {
          r.settings.put("averaging_frequency", st.averagingFrequency());
          r.settings.put("approach", st.approach());
          r.settings.put("prefetch", st.prefetch());
        }
        case "sharing" -> r.settings.put("threshold", st.threshold().algorithm() + " " + st.threshold().initial());
        case "synchronous" -> r.settings.put("averaging_frequency", st.averagingFrequency());
        default -> { }
      }
      for (int e = 1; e <= options.epochs(); e++) {
        sc.setJobDescription(type + " (epoch " + e + "/" + options.epochs() + ")");
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        strategy.fitEpoch(train, e);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - c0) / 1e9;
        r.breakdown.add(strategy.epochBreakdown());
        r.epoch(seconds, cpu, 1, measure(strategy.network(), validation, data), options.target());
        LOG.info("{} epoch {}: {} s", type, e, String.format(Locale.ROOT, "%.2f", seconds));
      }
      if (!strategy.name().equals(type)) {
        r.settings.put("chose", strategy.name());
      }
      r.settings.putAll(strategy.chosenSettings()); // auto: its workers, threads and frequency after re-planning
      r.settings.put("workers", strategy.workers());
      // the workers' own threads where the strategy says (on a cluster they are the executors'), else this JVM's
      Double workerThreads = strategy.epochBreakdown().get("native_threads_per_worker");
      r.settings.put("native_threads", workerThreads != null ? workerThreads.intValue() : NativeThreads.current());
      r.testMetric = measure(strategy.network(), test, data);
    } finally {
      sc.setJobDescription(null);
    }
    return r;
  }

  /** The bench job with strategy.type, its workers and the bench's knobs for it. */
  private JobSpec withStrategy(String type, int workers) {
    StrategySpec s = spec.strategy();
    int frequency = "synchronous".equals(type) ? options.synchronousFrequency() : options.averagingFrequency();
    StrategySpec t =
        new StrategySpec(type, workers, s.batchSizePerWorker(), frequency, s.threadsPerWorker(),
            s.prefetch(), s.approach(), s.exportDir(), s.threshold(), s.port(), s.networkMask());
    return new JobSpec(spec.name(), spec.seed(), spec.data(), spec.model(), spec.training(), t,
        spec.output(), spec.checkpoint(), spec.earlyStopping());
  }

  /** The suite's quality measure: r2 for a numeric label (regression), else accuracy. */
  static String metric(PreparedData data) {
    return "numeric".equals(data.pipeline().labelKind()) ? "r2" : "accuracy";
  }

  private double measure(MultiLayerNetwork net, JavaRDD<DataSet> batches, PreparedData data) {
    Object a = DistributedEvaluator.evaluate(sc, net, batches, data.pipeline()).get(metric(data));
    return a == null ? Double.NaN : ((Number) a).doubleValue();
  }

  /** CPU time of this whole process (every thread: driver, executors in local mode, native threads). */
  static long cpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
