package org.sparktrain.bench;

import static org.sparktrain.bench.BenchTable.f;
import static org.sparktrain.bench.BenchTable.num;
import static org.sparktrain.bench.SystemResult.finite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.strategy.StrategyAdvisor;

/**
 * The figures of {@code bench --scaling}: the synchronous strategy run at several worker counts,
 * each epoch split by the strategy's own timing, and the cost model of {@code docs/performance.md}
 * fitted to those runs and extrapolated. Pure arithmetic on the measured epochs.
 *
 * <p>Per epoch of {@code B} minibatches on {@code N} workers averaging every {@code K}:
 *
 * <pre>
 * T(N) = J + m c_N + ceil(m / K) r_N + w        m = ceil(B / N), w = ω m c_N
 * r_N  = a + 2 S (N - 1) / N / BW                efficiency E(N) = T(1) / (N T(N))
 * </pre>
 *
 * <p>{@code c_N}: a worker's seconds per minibatch (reading included) while {@code N} train;
 * {@code r_N}: one averaging round (the all-reduce as the last worker to arrive saw it); {@code w}:
 * a worker's seconds waiting for slower ones; {@code J}: the rest of the epoch (the Spark stage's
 * launch and result, the workers' set-up, the driver's part). Measured: each run's {@code c_N},
 * rounds, {@code r_N}, {@code w} and {@code J}, as means over the epochs after the warm-up ones (the
 * JVMs compile for several epochs). Fitted: {@code J} as the least of the multi-worker runs' (workers
 * sharing cores only add to it: three workers on two cores wait for the third in their stage's
 * launch), the waiting's share {@code ω} of the fitting as the largest run's (workers whose cores run
 * at unequal speeds wait a share of their fitting, and the slowest of more workers is slower), {@code a} as the multi-worker runs' rounds less what their bytes take at
 * {@code BW} = 1 Gbit/s (at least 0). Extrapolated with a core per worker ({@code c_N = c_1}) and the
 * averaging frequency auto would pick ({@link StrategyAdvisor#frequency}).
 */
final class ScalingFit {
  /** A 1 Gbit/s link's payload, bytes per second. */
  static final double LINK_BYTES_PER_SECOND = 117e6;

  /** Worker counts the fitted model is extrapolated to. */
  static final List<Integer> PREDICT_AT = List.of(8, 32, 128);

  /** Data sizes, as multiples of the suite's, the model is extrapolated to. */
  static final List<Integer> DATA_SCALES = List.of(1, 10);

  private ScalingFit() {}

  /**
   * One worker count's run.
   *
   * @param epochSeconds the bench's wall seconds per epoch (training only)
   * @param breakdown per epoch, the strategy's {@code epochBreakdown()}
   */
  record Run(int workers, int frequency, List<Double> epochSeconds, List<Map<String, Double>> breakdown) {}

  /** A run's steady-state means. */
  record Measured(
      int workers, int frequency, int firstEpoch, int lastEpoch, double seconds, double fastest, double slowest,
      double minibatchesPerWorker, double secondsPerMinibatch, double rounds, double roundSeconds, double waiting,
      double fixed) {

    /** The model's epoch with this run's own {@code c_N}, rounds, {@code r_N} and waiting but a common {@code J}. */
    double model(double j) {
      return j + minibatchesPerWorker * secondsPerMinibatch + (rounds > 0 ? rounds * roundSeconds : 0) + waiting;
    }
  }

  /** Means of epochs {@code warmUp + 1 ..} of one run (its last epoch when it has no more). */
  static Measured measure(Run run, int warmUp) {
    int n = Math.min(run.epochSeconds().size(), run.breakdown().size());
    if (n == 0) {
      throw new IllegalArgumentException("the run with " + run.workers() + " workers has no timed epoch");
    }
    int from = Math.min(Math.max(0, warmUp), n - 1);
    double seconds = 0, fastest = Double.POSITIVE_INFINITY, slowest = 0;
    double fitting = 0, perWorker = 0, rounds = 0, averaging = 0, waiting = 0;
    for (int i = from; i < n; i++) {
      Map<String, Double> b = run.breakdown().get(i);
      double s = run.epochSeconds().get(i);
      seconds += s;
      fastest = Math.min(fastest, s);
      slowest = Math.max(slowest, s);
      fitting += get(b, "fitting");
      perWorker += get(b, "minibatches_per_worker");
      rounds += get(b, "rounds");
      averaging += get(b, "averaging");
      waiting += get(b, "waiting");
    }
    int k = n - from;
    seconds /= k;
    fitting /= k;
    perWorker /= k;
    rounds /= k;
    averaging /= k;
    waiting /= k;
    double fixed = Math.max(0, seconds - fitting - averaging - waiting);
    return new Measured(run.workers(), run.frequency(), from + 1, n, seconds, fastest, slowest, perWorker,
        perWorker > 0 ? fitting / perWorker : Double.NaN, rounds, rounds > 0 ? averaging / rounds : Double.NaN,
        waiting, fixed);
  }

  /**
   * bench.json's {@code scaling} object: the measured runs (in the order given; the first is the
   * base of speed-up and efficiency), the fitted model and its predictions.
   *
   * @param minibatches {@code B}, minibatches per epoch
   * @param stateBytes {@code S}, parameters and updater state
   * @param warmUp epochs of each run left out of the means
   */
  static Map<String, Object> fit(List<Run> runs, long minibatches, double stateBytes, int warmUp) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to fit");
    }
    List<Measured> measured = new ArrayList<>();
    for (Run r : runs) {
      measured.add(measure(r, warmUp));
    }
    Measured base = measured.get(0);
    double j = Double.POSITIVE_INFINITY;
    Measured largest = base;
    double a = 0;
    int timedRounds = 0;
    for (Measured m : measured) {
      if (m.workers() > 1) {
        j = Math.min(j, m.fixed());
      }
      if (m.workers() > largest.workers()) {
        largest = m;
      }
      // a lone worker's one round per epoch exchanges nothing
      if (m.workers() > 1 && m.rounds() > 0 && Double.isFinite(m.roundSeconds())) {
        a += Math.max(0, m.roundSeconds() - transfer(stateBytes, m.workers()));
        timedRounds++;
      }
    }
    j = Double.isFinite(j) ? j : base.fixed();
    a = timedRounds > 0 ? a / timedRounds : 0;
    double omega = largest.minibatchesPerWorker() * largest.secondsPerMinibatch() > 0
        ? largest.waiting() / (largest.minibatchesPerWorker() * largest.secondsPerMinibatch()) : 0;
    double c1 = base.secondsPerMinibatch();

    List<Map<String, Object>> rows = new ArrayList<>();
    for (Measured m : measured) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("workers", m.workers());
      row.put("averaging_frequency", m.frequency());
      row.put("epochs_averaged", m.firstEpoch() + "-" + m.lastEpoch());
      row.put("epoch_seconds", m.seconds());
      row.put("epoch_seconds_fastest", m.fastest());
      row.put("epoch_seconds_slowest", m.slowest());
      row.put("speedup", finite(base.seconds() / m.seconds()));
      row.put("efficiency", finite(base.workers() * base.seconds() / (m.workers() * m.seconds())));
      row.put("minibatches_per_worker", m.minibatchesPerWorker());
      row.put("seconds_per_minibatch", finite(m.secondsPerMinibatch()));
      row.put("minibatch_cost_ratio", finite(m.secondsPerMinibatch() / c1));
      row.put("rounds", m.rounds());
      row.put("round_seconds", finite(m.roundSeconds()));
      row.put("waiting_seconds", m.waiting());
      row.put("fixed_seconds", m.fixed());
      double model = m.workers() > 1 ? m.model(j) : m.model(m.fixed());
      row.put("model_epoch_seconds", finite(model));
      row.put("model_error", finite(model / m.seconds() - 1));
      rows.add(row);
    }

    Map<String, Object> model = new LinkedHashMap<>();
    model.put("formula", "T(N) = J + m c_N + ceil(m / K) r_N + w, m = ceil(B / N), w = ω m c_N; r_N = a + 2 S (N - 1) / N / BW;"
        + " E(N) = T(1) / (N T(N)); predictions with c_N = c_1 (a core per worker) and K as auto picks it");
    model.put("minibatches_per_epoch", minibatches);
    model.put("state_bytes", stateBytes);
    model.put("seconds_per_minibatch", finite(c1));
    model.put("fixed_seconds", j);
    model.put("one_worker_fixed_seconds", base.workers() == 1 ? base.fixed() : j);
    model.put("waiting_share", omega);
    model.put("round_fixed_seconds", a);
    model.put("link_bytes_per_second", LINK_BYTES_PER_SECOND);
    List<Map<String, Object>> predictions = new ArrayList<>();
    for (int scale : DATA_SCALES) {
      long b = minibatches * scale;
      double alone = (base.workers() == 1 ? base.fixed() : j) + b * c1;
      for (int n : PREDICT_AT) {
        long perWorker = (b + n - 1) / n;
        double r = a + transfer(stateBytes, n);
        int k = StrategyAdvisor.frequency(perWorker, c1, r);
        long rounds = (perWorker + k - 1) / k;
        double t = j + perWorker * c1 * (1 + omega) + rounds * r;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("data_scale", scale);
        p.put("workers", n);
        p.put("minibatches_per_worker", perWorker);
        p.put("averaging_frequency", k);
        p.put("rounds", rounds);
        p.put("round_seconds", r);
        p.put("epoch_seconds", t);
        p.put("efficiency", finite(alone / (n * t)));
        predictions.add(p);
      }
    }
    model.put("predictions", predictions);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("warm_up_epochs", warmUp);
    out.put("runs", rows);
    out.put("model", model);
    return out;
  }

  /** Seconds a round's bytes take on a 1 Gbit/s link: each worker sends and receives 2 S (N - 1) / N. */
  static double transfer(double stateBytes, int workers) {
    return 2 * stateBytes * (workers - 1) / workers / LINK_BYTES_PER_SECOND;
  }

  /** The scaling tables of bench.md. */
  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> scaling) {
    StringBuilder sb = new StringBuilder();
    List<Map<String, Object>> runs = (List<Map<String, Object>>) scaling.get("runs");
    sb.append("\n## Scaling: ").append(scaling.getOrDefault("system", "synchronous")).append(" at ").append(runs.size())
        .append(" worker counts\n\n");
    sb.append("Means over each run's epochs after the first ").append(scaling.get("warm_up_epochs"))
        .append(" (the JVMs' warm-up); speed-up and efficiency against the first row.\n\n");
    sb.append("| workers | K | epochs | s/epoch (fastest-slowest) | speed-up | efficiency | minibatches per worker"
        + " | ms per minibatch (x first row's) | rounds x ms | waiting s | rest s (J) | model s (error) |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, Object> r : runs) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s (%s-%s) | %s | %s | %s | %s (%s) | %s x %s | %s | %s | %s (%s) |%n",
          r.get("workers"), r.get("averaging_frequency"), r.get("epochs_averaged"),
          f(r.get("epoch_seconds"), "%.2f"), f(r.get("epoch_seconds_fastest"), "%.2f"), f(r.get("epoch_seconds_slowest"), "%.2f"),
          f(r.get("speedup"), "%.2f"), f(r.get("efficiency"), "%.2f"), f(r.get("minibatches_per_worker"), "%.0f"),
          f(scaled(r.get("seconds_per_minibatch"), 1e3), "%.2f"), f(r.get("minibatch_cost_ratio"), "%.2f"),
          f(r.get("rounds"), "%.0f"), f(scaled(r.get("round_seconds"), 1e3), "%.1f"),
          f(r.get("waiting_seconds"), "%.2f"), f(r.get("fixed_seconds"), "%.2f"),
          f(r.get("model_epoch_seconds"), "%.2f"), pct(r.get("model_error"))));
    }
    Map<String, Object> m = (Map<String, Object>) scaling.get("model");
    sb.append(String.format(Locale.ROOT,
        "%nCost model: %s.%nFitted: c_1 = %s ms, J = %s s (one worker: %s s), ω = %s, a = %s ms, S = %.2f MB,"
            + " BW = 1 Gbit/s (%.0f MB/s), B = %s minibatches.%n%n",
        m.get("formula"), f(scaled(m.get("seconds_per_minibatch"), 1e3), "%.2f"), f(m.get("fixed_seconds"), "%.2f"),
        f(m.get("one_worker_fixed_seconds"), "%.2f"), f(m.get("waiting_share"), "%.3f"),
        f(scaled(m.get("round_fixed_seconds"), 1e3), "%.1f"), num(m.get("state_bytes")) / 1e6,
        num(m.get("link_bytes_per_second")) / 1e6, m.get("minibatches_per_epoch")));
    sb.append("| data | workers | minibatches per worker | K | rounds x ms | predicted s/epoch | predicted efficiency |\n");
    sb.append("|---|---|---|---|---|---|---|\n");
    for (Map<String, Object> p : (List<Map<String, Object>>) m.get("predictions")) {
      sb.append(String.format(Locale.ROOT, "| %sx | %s | %s | %s | %s x %s | %s | %s |%n",
          p.get("data_scale"), p.get("workers"), p.get("minibatches_per_worker"), p.get("averaging_frequency"),
          p.get("rounds"), f(scaled(p.get("round_seconds"), 1e3), "%.1f"), f(p.get("epoch_seconds"), "%.2f"),
          f(p.get("efficiency"), "%.2f")));
    }
    return sb.toString();
  }

  private static double get(Map<String, Double> b, String key) {
    Double v = b.get(key);
    if (v == null) {
      throw new IllegalArgumentException("the strategy's epoch breakdown lacks '" + key + "': " + b);
    }
    return v;
  }

  private static Object scaled(Object o, double factor) {
    return o instanceof Number n ? n.doubleValue() * factor : null;
  }

  private static String pct(Object o) {
    return o instanceof Number n ? String.format(Locale.ROOT, "%+.0f%%", n.doubleValue() * 100) : "—";
  }
}
