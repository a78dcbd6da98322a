package org.sparktrain.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The figures of one system in a benchmark run. */
final class SystemResult {
  final String name;
  /** The suite's quality measure: accuracy (classification) or r2 (regression); higher is better. */
  String metric = "accuracy";
  final Map<String, Object> settings = new LinkedHashMap<>();
  final List<Double> epochSeconds = new ArrayList<>();
  final List<Double> valMetric = new ArrayList<>();
  /** CPU seconds this process used in each entry of epochSeconds (all threads, this JVM). */
  final List<Double> cpuSeconds = new ArrayList<>();
  /** Passes over the training split behind each entry of epochSeconds (MLlib: L-BFGS iterations). */
  final List<Integer> passes = new ArrayList<>();
  /** Per entry of epochSeconds, where the strategy says the epoch's time went (empty: it does not say). */
  final List<Map<String, Double>> breakdown = new ArrayList<>();
  long trainExamples;
  long parameters;
  double testMetric = Double.NaN;
  Double timeToTarget;
  long peakHeap;
  long peakOffHeap;
  long peakPhysical;
  long peakJavacpp;
  long broadcastBytes;
  long shuffleBytes;
  String note = "";

  SystemResult(String name) {
    this.name = name;
  }

  /** Median seconds per epoch over the epochs after the first (the first when there is only one). */
  double epochSecondsMedian() {
    int from = epochSeconds.size() > 1 ? 1 : 0;
    if (epochSeconds.isEmpty()) {
      return Double.NaN;
    }
    double[] v = new double[epochSeconds.size() - from];
    for (int i = from; i < epochSeconds.size(); i++) {
      v[i - from] = epochSeconds.get(i) / Math.max(1, passes.get(i));
    }
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Median CPU seconds per pass, over entries after the first; less sensitive to other load than wall time. */
  double cpuSecondsMedian() {
    int from = cpuSeconds.size() > 1 ? 1 : 0;
    double[] v = new double[Math.max(0, cpuSeconds.size() - from)];
    for (int i = from; i < cpuSeconds.size(); i++) {
      v[i - from] = cpuSeconds.get(i) / Math.max(1, passes.get(i));
    }
    if (v.length == 0 || Double.isNaN(v[0])) {
      return Double.NaN;
    }
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  double samplesPerSecond() {
    return trainExamples / epochSecondsMedian();
  }

  /** Approximate training FLOP/s of a dense network: 6 x parameters x samples per second. */
  double modelFlops() {
    return 6.0 * parameters * samplesPerSecond();
  }

  double totalTrainSeconds() {
    return epochSeconds.stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Records one epoch; the time to target is the training time until the first epoch that reaches it. */
  void epoch(double seconds, double accuracy, double target) {
    epoch(seconds, 1, accuracy, target);
  }

  /** Records {@code passes} passes over the training split that took {@code seconds} together. */
  void epoch(double seconds, int passes, double accuracy, double target) {
    epoch(seconds, Double.NaN, passes, accuracy, target);
  }

  /** As above, with the process CPU seconds the entry used. */
  void epoch(double seconds, double cpu, int passes, double accuracy, double target) {
    epochSeconds.add(seconds);
    cpuSeconds.add(cpu);
    this.passes.add(passes);
    valMetric.add(accuracy);
    if (timeToTarget == null && accuracy >= target) {
      // Summed after this entry was added.
      timeToTarget = totalTrainSeconds();
    }
  }

  Map<String, Object> toMap(SystemResult single, double sgemmGflops) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("epoch_seconds", finite(epochSecondsMedian()));
    m.put("samples_per_second", finite(samplesPerSecond()));
    m.put("time_to_target_seconds", timeToTarget);
    m.put("test_" + metric, finite(testMetric));
    m.put("final_val_" + metric, valMetric.isEmpty() ? null : finite(valMetric.get(valMetric.size() - 1)));
    m.put("cpu_seconds_per_epoch", finite(cpuSecondsMedian()));
    m.put("ratio_to_single", single == null ? null : finite(epochSecondsMedian() / single.epochSecondsMedian()));
    m.put("model_flops_per_second", finite(modelFlops()));
    m.put("model_flops_fraction", finite(modelFlops() / (sgemmGflops * 1e9)));
    m.put("peak_heap_bytes", peakHeap);
    m.put("peak_offheap_bytes", peakOffHeap);
    m.put("peak_resident_bytes", peakPhysical);
    m.put("peak_javacpp_bytes", peakJavacpp);
    m.put("broadcast_bytes", broadcastBytes);
    m.put("shuffle_bytes", shuffleBytes);
    if (single != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("epoch_seconds", finite(epochSecondsMedian() / single.epochSecondsMedian()));
      r.put("samples_per_second", finite(samplesPerSecond() / single.samplesPerSecond()));
      r.put("cpu_seconds_per_epoch", finite(cpuSecondsMedian() / single.cpuSecondsMedian()));
      r.put("time_to_target", timeToTarget == null || single.timeToTarget == null ? null
          : finite(timeToTarget / single.timeToTarget));
      r.put("test_" + metric, finite(testMetric / single.testMetric));
      r.put("peak_heap", ratio(peakHeap, single.peakHeap));
      r.put("peak_offheap", ratio(peakOffHeap, single.peakOffHeap));
      r.put("peak_resident", ratio(peakPhysical, single.peakPhysical));
      r.put("broadcast_bytes", ratio(broadcastBytes, single.broadcastBytes));
      r.put("shuffle_bytes", ratio(shuffleBytes, single.shuffleBytes));
      m.put("ratios", r);
    }
    m.put("epochs", passes.stream().mapToInt(Integer::intValue).sum());
    m.put("epoch_seconds_each", epochSeconds);
    m.put("val_" + metric + "_each", valMetric);
    m.put("total_train_seconds", totalTrainSeconds());
    if (breakdown.stream().anyMatch(b -> !b.isEmpty())) {
      m.put("epoch_breakdown_each", breakdown);
    }
    m.put("settings", settings);
    if (!note.isEmpty()) {
      m.put("note", note);
    }
    return m;
  }

  private static Double ratio(long a, long b) {
    return b == 0 ? null : (double) a / b;
  }

  /** JSON has no NaN or infinity. */
  static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
