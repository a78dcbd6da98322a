package org.sparktrain.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** bench.md: the systems of a bench.json as a Markdown table. */
final class BenchTable {
  private BenchTable() {}

  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> bench) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Bench: ").append(bench.get("suite")).append("\n\n");
    sb.append("`").append(bench.get("command")).append("`\n\n");
    sb.append(String.format(Locale.ROOT,
        "%s training examples, %s parameters, batch %s, %s epochs; master %s, %s cores;"
            + " SGEMM %.1f GFLOP/s; load average %.1f at start, %.1f at end.%n%n",
        bench.get("train_examples"), bench.get("parameters"), bench.get("batch_size"), bench.get("epochs"),
        bench.get("master"), bench.get("cores"), num(bench.get("sgemm_gflops")),
        num(bench.get("load_average_start")), num(bench.get("load_average_end"))));
    String metric = String.valueOf(bench.getOrDefault("metric", "accuracy"));
    String label = metric.equals("accuracy") ? "acc." : metric;
    sb.append("| system | native threads | s/epoch | CPU s/epoch | samples/s | ratio to single | time to ")
        .append(bench.get("target_" + metric))
        .append(" val. ").append(label).append(" (s) | test ").append(metric).append(" | model FLOP/s / SGEMM | peak heap MB | peak off-heap MB | peak RSS MB | broadcast MB | shuffle MB |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, Object> s : (List<Map<String, Object>>) bench.get("systems")) {
      sb.append(String.format(Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          s.get("name"), threads(s), f(s.get("epoch_seconds"), "%.2f"), f(s.get("cpu_seconds_per_epoch"), "%.1f"),
          f(s.get("samples_per_second"), "%.0f"),
          f(s.get("ratio_to_single"), "%.2f"), s.get("time_to_target_seconds") == null ? "not reached"
              : f(s.get("time_to_target_seconds"), "%.1f"),
          f(s.get("test_" + metric), "%.4f"), f(s.get("model_flops_fraction"), "%.3f"),
          mb(s.get("peak_heap_bytes")), mb(s.get("peak_offheap_bytes")), mb(s.get("peak_resident_bytes")),
          mb(s.get("broadcast_bytes")), mb(s.get("shuffle_bytes"))));
    }
    sb.append("\nModel FLOP/s = ").append(bench.get("model_flops_formula")).append(".\n");
    for (Map<String, Object> s : (List<Map<String, Object>>) bench.get("systems")) {
      sb.append("\n- ").append(s.get("name")).append(": ").append(s.get("settings"));
      if (s.get("note") != null) {
        sb.append("; ").append(s.get("note"));
      }
    }
    sb.append("\n");
    if (bench.get("scaling") instanceof Map<?, ?> scaling) {
      sb.append(ScalingFit.markdown((Map<String, Object>) scaling));
    }
    return sb.toString();
  }

  /** The system's native threads, and the OMP_NUM_THREADS its JVM started with where set. */
  @SuppressWarnings("unchecked")
  private static String threads(Map<String, Object> s) {
    Object n = s.get("native_threads");
    if (n == null && s.get("settings") instanceof Map<?, ?> settings) {
      n = ((Map<String, Object>) settings).get("native_threads");
    }
    String t = n == null ? "—" : n.toString();
    return s.get("omp_num_threads") == null ? t : t + " (OMP " + s.get("omp_num_threads") + ")";
  }

  /** A JSON number as a double; NaN for null. */
  static double num(Object o) {
    return o == null ? Double.NaN : ((Number) o).doubleValue();
  }

  /** A JSON number formatted; a dash for null. */
  static String f(Object o, String format) {
    return o == null ? "—" : String.format(Locale.ROOT, format, ((Number) o).doubleValue());
  }

  private static String mb(Object o) {
    return o == null ? "—" : String.format(Locale.ROOT, "%.0f", ((Number) o).doubleValue() / (1 << 20));
  }
}
