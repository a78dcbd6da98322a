package org.sparktrain.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.runtime.JavaOptions;
import org.sparktrain.files.Json;

/**
 * Runs each bench system in its own JVM, started with its own native thread setting, and merges
 * their results into one bench.json and bench.md.
 *
 * <p>ND4J 1.0.0-M2 reads {@code OMP_NUM_THREADS} once at start-up; changing the thread count in a
 * running JVM only reaches BLAS. So the single machine runs with the machine's default threads
 * ({@code OMP_NUM_THREADS} removed from its environment) and each distributed system with
 * {@code OMP_NUM_THREADS} = cores / workers, set in the child's environment. Each child is this
 * trainer's {@code bench --in-process} for one system, with the same class path, JVM options and
 * Spark master; its output goes to {@code DIR/systems/NAME/} and its log to
 * {@code DIR/systems/NAME.log}.
 */
public final class SeparateJvms {
  private static final Logger LOG = LoggerFactory.getLogger(SeparateJvms.class);

  private final String master; // null: the trainer's default
  private final int workers; // 0: from the master
  private final String command;
  private final double mllibSeconds; // 0: as long as the slowest system before it trained

  public SeparateJvms(String master, int workers, String command, double mllibSeconds) {
    this.master = master;
    this.workers = workers;
    this.command = command;
    this.mllibSeconds = mllibSeconds;
  }

  /** Cores of this machine. */
  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * Workers of the strategies on this master: --workers, else local[N]'s N, local's 1, local[*]'s
   * (and by default) the cores; 0 on a cluster master (the executors' own settings apply there).
   */
  static int workersOf(String master, int workers) {
    if (workers > 0) {
      return workers;
    }
    if (master == null || master.equals("local[*]")) {
      return cores();
    }
    if (master.equals("local")) {
      return 1;
    }
    var m = java.util.regex.Pattern.compile("local\\[(\\d+)(,\\d+)?]").matcher(master);
    if (m.matches()) {
      return Integer.parseInt(m.group(1));
    }
    return 0;
  }

  /**
   * OMP_NUM_THREADS for a system's JVM: null (the machine's default) for the single machine,
   * cores / workers (at least 1) for a distributed one in local mode, null on a cluster master.
   */
  static Integer ompThreads(String system, String master, int workers) {
    if (system.equals("single")) {
      return null;
    }
    int w = workersOf(master, workers);
    return w <= 0 ? null : Math.max(1, cores() / w);
  }

  /**
   * Runs {@code systems} one after another, each in a child JVM given {@code argsFor(system,
   * mllibBudget)} as its trainer arguments; writes DIR/bench.json and DIR/bench.md after each.
   * Returns the names of the systems whose JVM failed (empty: all ran).
   */
  public List<String> run(Path dir, List<String> systems, BiFunction<String, Double, List<String>> argsFor)
      throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("systems"));
    double load0 = loadAverage();
    List<Map<String, Object>> children = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (String system : systems) {
      double budget = mllibSeconds;
      if (budget <= 0) {
        budget = 60;
        for (Map<String, Object> c : children) {
          budget = Math.max(budget, num(system(c).get("total_train_seconds")));
        }
      }
      Path out = dir.resolve("systems").resolve(system);
      Path log = dir.resolve("systems").resolve(system + ".log");
      List<String> cmd = new ArrayList<>();
      cmd.add(javaBinary());
      cmd.addAll(jvmOptions());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("org.sparktrain.cli.Main");
      cmd.addAll(argsFor.apply(system, budget));
      cmd.addAll(List.of("--in-process", "--systems", system, "--output", out.toString()));
      if (master != null) {
        cmd.addAll(List.of("--master", master));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      Integer omp = ompThreads(system, master, workers);
      if (omp == null) {
        pb.environment().remove("OMP_NUM_THREADS");
      } else {
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(omp));
      }
      LOG.info("Bench: {} in its own JVM, OMP_NUM_THREADS={}; log in {}", system,
          omp == null ? "unset (the machine's default)" : omp, log);
      long t0 = System.nanoTime();
      Process process = pb.start();
      // A parent stopped (Ctrl-C, kill) takes its running child with it.
      Thread stop = new Thread(process::destroy, "bench-child-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      int code;
      try {
        code = process.waitFor();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
          // This JVM is exiting and the hook is stopping the child: nothing left to undo.
          LOG.info("Bench: stopping {}'s JVM as this one exits", system);
        }
      }
      Path json = out.resolve("bench.json");
      if (code != 0 || !Files.exists(json)) {
        LOG.error("Bench: {}'s JVM exited with {} after {} s; its log {} ends:\n{}", system, code,
            String.format(Locale.ROOT, "%.0f", (System.nanoTime() - t0) / 1e9), log, tail(log, 30));
        failed.add(system);
        continue;
      }
      Map<String, Object> child = Json.mapper().readValue(json.toFile(), new TypeReference<Map<String, Object>>() {});
      Map<String, Object> s = system(child);
      s.put("omp_num_threads", omp == null ? null : omp);
      s.put("native_threads", child.get("native_threads_default"));
      s.put("sgemm_gflops", child.get("sgemm_gflops"));
      s.put("log", dir.relativize(log).toString());
      children.add(child);
      write(dir, children, failed, load0);
    }
    write(dir, children, failed, load0);
    return failed;
  }

  /** Merges the children's results: the single machine's figures are the base of every ratio. */
  private void write(Path dir, List<Map<String, Object>> children, List<String> failed, double load0)
      throws IOException {
    Map<String, Object> single = null;
    Map<String, Object> singleBench = null;
    for (Map<String, Object> c : children) {
      if (String.valueOf(system(c).get("name")).contains("single")) {
        single = system(c);
        singleBench = c;
      }
    }
    Map<String, Object> base = singleBench != null ? singleBench : children.isEmpty() ? Map.of() : children.get(0);
    Map<String, Object> out = new LinkedHashMap<>(base);
    out.put("command", command);
    out.put("isolation", "each system in its own JVM, started one after another with the same class path,"
        + " JVM options and master; the single machine with OMP_NUM_THREADS unset (the machine's default),"
        + " each distributed system with OMP_NUM_THREADS = cores / workers");
    out.put("cores", cores());
    out.put("load_average_start", load0);
    out.put("load_average_end", loadAverage());
    out.put("sgemm", "best of 5 float 1024x1024x1024 products through Nd4j.gemm, 2 n^3 operations each, in the"
        + " single machine's JVM (default native threads); each system's own is its sgemm_gflops");
    out.put("memory", "sampled every 50 ms in each system's own JVM (local mode: driver and executors in one);"
        + " peak_offheap_bytes is resident memory less the committed heap; peak_javacpp_bytes what JavaCPP tracks itself");
    double sgemm = num(base.get("sgemm_gflops"));
    List<Map<String, Object>> systems = new ArrayList<>();
    for (Map<String, Object> c : children) {
      Map<String, Object> s = new LinkedHashMap<>(system(c));
      s.put("model_flops_fraction", finite(num(s.get("model_flops_per_second")) / (sgemm * 1e9)));
      s.put("ratio_to_single", single == null ? null : ratio(s, single, "epoch_seconds"));
      if (single != null) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("epoch_seconds", ratio(s, single, "epoch_seconds"));
        r.put("samples_per_second", ratio(s, single, "samples_per_second"));
        r.put("cpu_seconds_per_epoch", ratio(s, single, "cpu_seconds_per_epoch"));
        r.put("time_to_target", ratio(s, single, "time_to_target_seconds"));
        String test = "test_" + base.getOrDefault("metric", "accuracy");
        r.put(test, ratio(s, single, test));
        r.put("peak_heap", ratio(s, single, "peak_heap_bytes"));
        r.put("peak_offheap", ratio(s, single, "peak_offheap_bytes"));
        r.put("peak_resident", ratio(s, single, "peak_resident_bytes"));
        r.put("broadcast_bytes", ratio(s, single, "broadcast_bytes"));
        r.put("shuffle_bytes", ratio(s, single, "shuffle_bytes"));
        s.put("ratios", r);
      }
      systems.add(s);
    }
    out.put("systems", systems);
    if (!failed.isEmpty()) {
      out.put("failed", failed);
    }
    Files.writeString(dir.resolve("bench.json"), Json.write(out));
    Files.writeString(dir.resolve("bench.md"), BenchTable.markdown(out));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> system(Map<String, Object> childBench) {
    return ((List<Map<String, Object>>) childBench.get("systems")).get(0);
  }

  private static Double ratio(Map<String, Object> s, Map<String, Object> single, String field) {
    return finite(num(s.get(field)) / num(single.get(field)));
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** This JVM's options (heap size, system properties) less a debugger agent, plus the opens. */
  private static List<String> jvmOptions() {
    List<String> options = new ArrayList<>();
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) {
        options.add(a);
      }
    }
    options.addAll(JavaOptions.LIST);
    return options;
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
