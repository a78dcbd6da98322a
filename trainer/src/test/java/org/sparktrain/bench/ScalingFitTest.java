package org.sparktrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparktrain.strategy.StrategyAdvisor;

/** The scaling table's arithmetic on made-up epochs whose answers are known. */
class ScalingFitTest {
  private static final double STATE = 6.4e6;

  /** An epoch as the synchronous strategy reports it. */
  private static Map<String, Double> epoch(double fitting, double perWorker, double rounds, double averaging, double waiting) {
    return Map.of("wall", 0.0, "fitting", fitting, "minibatches_per_worker", perWorker, "rounds", rounds,
        "averaging", averaging, "waiting", waiting, "setup", 0.0, "validating", 0.0, "state_bytes", STATE);
  }

  /** A run of {@code epochs} epochs: a slow first one (the warm-up), then the given epoch repeated. */
  private static ScalingFit.Run run(int workers, int epochs, double seconds, Map<String, Double> steady) {
    List<Double> s = new ArrayList<>();
    List<Map<String, Double>> b = new ArrayList<>();
    for (int e = 0; e < epochs; e++) {
      s.add(e == 0 ? seconds * 3 : seconds);
      b.add(e == 0 ? epoch(steady.get("fitting") * 3, steady.get("minibatches_per_worker"), steady.get("rounds"),
          steady.get("averaging"), steady.get("waiting")) : steady);
    }
    return new ScalingFit.Run(workers, 50, s, b);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> runs(Map<String, Object> fit) {
    return (List<Map<String, Object>>) fit.get("runs");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> model(Map<String, Object> fit) {
    return (Map<String, Object>) fit.get("model");
  }

  private static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  @Test
  void measuredRowsLeaveOutTheWarmUpAndSplitTheEpoch() {
    // one worker: 1000 minibatches of 10 ms, one round, 0.3 s of rest; two: 500 of 11 ms, 10 rounds of 20 ms,
    // 0.2 s waiting, 0.4 s of rest
    ScalingFit.Run one = run(1, 4, 10.3, epoch(10.0, 1000, 1, 0.0, 0.0));
    ScalingFit.Run two = run(2, 4, 6.3, epoch(5.5, 500, 10, 0.2, 0.2));
    Map<String, Object> fit = ScalingFit.fit(List.of(one, two), 1000, STATE, 2);
    List<Map<String, Object>> rows = runs(fit);
    assertEquals("3-4", rows.get(0).get("epochs_averaged"));
    assertEquals(10.3, num(rows.get(0).get("epoch_seconds")), 1e-9);
    assertEquals(0.010, num(rows.get(0).get("seconds_per_minibatch")), 1e-12);
    assertEquals(0.3, num(rows.get(0).get("fixed_seconds")), 1e-9);
    assertEquals(1.0, num(rows.get(0).get("efficiency")), 1e-12);

    Map<String, Object> r2 = rows.get(1);
    assertEquals(0.011, num(r2.get("seconds_per_minibatch")), 1e-12);
    assertEquals(1.1, num(r2.get("minibatch_cost_ratio")), 1e-9);
    assertEquals(0.020, num(r2.get("round_seconds")), 1e-12);
    assertEquals(0.4, num(r2.get("fixed_seconds")), 1e-9);
    assertEquals(10.3 / 6.3, num(r2.get("speedup")), 1e-9);
    assertEquals(10.3 / (2 * 6.3), num(r2.get("efficiency")), 1e-9);
    // with one multi-worker run the common J is its own: the model gives the run back exactly
    assertEquals(6.3, num(r2.get("model_epoch_seconds")), 1e-9);
    assertEquals(0.0, num(r2.get("model_error")), 1e-9);
  }

  @Test
  void theModelIsFittedAndExtrapolatedWithACorePerWorker() {
    // the lone worker's one round per epoch (15 ms) exchanges nothing: it must not count in a
    ScalingFit.Run one = run(1, 3, 10.315, epoch(10.0, 1000, 1, 0.015, 0.0));
    ScalingFit.Run two = run(2, 3, 6.3, epoch(5.5, 500, 10, 0.2, 0.2));
    ScalingFit.Run three = run(3, 3, 4.6, epoch(3.34, 334, 7, 0.21, 0.3));
    Map<String, Object> fit = ScalingFit.fit(List.of(one, two, three), 1000, STATE, 1);
    Map<String, Object> m = model(fit);
    double j3 = 4.6 - 3.34 - 0.21 - 0.3;
    assertEquals(0.4, num(m.get("fixed_seconds")), 1e-9, "the least of the multi-worker runs' rests (" + j3 + ")");
    double omega = 0.3 / 3.34;
    assertEquals(omega, num(m.get("waiting_share")), 1e-9, "the largest run's waiting over its fitting");
    assertEquals(0.3, num(m.get("one_worker_fixed_seconds")), 1e-9);
    // the measured rounds (20 and 30 ms) are faster than 6.4 MB at 1 Gbit/s: no fixed part left
    assertEquals(0.0, num(m.get("round_fixed_seconds")), 1e-12);
    // a slow round of the same state between two workers leaves its excess over the link's time
    ScalingFit.Run slow = run(2, 3, 7.3, epoch(5.5, 500, 10, 1.2, 0.2));
    double excess = 0.12 - ScalingFit.transfer(STATE, 2);
    assertEquals(excess, num(model(ScalingFit.fit(List.of(one, slow), 1000, STATE, 1)).get("round_fixed_seconds")), 1e-12);
    // J is shared now: each run's model differs from its measured epoch by the common J less its own
    assertEquals(0.0, num(runs(fit).get(1).get("model_error")), 1e-9);
    assertEquals((0.4 - j3) / 4.6, num(runs(fit).get(2).get("model_error")), 1e-9);

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> p = (List<Map<String, Object>>) m.get("predictions");
    assertEquals(ScalingFit.PREDICT_AT.size() * ScalingFit.DATA_SCALES.size(), p.size());
    Map<String, Object> at8 = p.get(0);
    assertEquals(8, at8.get("workers"));
    assertEquals(125L, at8.get("minibatches_per_worker"));
    double r8 = 2 * STATE * 7 / 8 / ScalingFit.LINK_BYTES_PER_SECOND;
    assertEquals(r8, num(at8.get("round_seconds")), 1e-12);
    int k = StrategyAdvisor.frequency(125, 0.010, r8);
    assertEquals(k, at8.get("averaging_frequency"));
    long rounds = (125 + k - 1) / k;
    double t = num(m.get("fixed_seconds")) + 125 * 0.010 * (1 + omega) + rounds * r8;
    assertEquals(t, num(at8.get("epoch_seconds")), 1e-9);
    assertEquals((0.3 + 1000 * 0.010) / (8 * t), num(at8.get("efficiency")), 1e-9);
    // efficiency falls with the workers and rises with the data
    for (int i = 1; i < ScalingFit.PREDICT_AT.size(); i++) {
      assertTrue(num(p.get(i).get("efficiency")) < num(p.get(i - 1).get("efficiency")), p.toString());
    }
    int n = ScalingFit.PREDICT_AT.size();
    for (int i = 0; i < n; i++) {
      assertEquals(10, p.get(n + i).get("data_scale"));
      assertTrue(num(p.get(n + i).get("efficiency")) > num(p.get(i).get("efficiency")), p.toString());
    }
    String md = ScalingFit.markdown(fit);
    assertTrue(md.contains("| 2 | 50 | 2-3 | 6.30 (6.30-6.30) | 1.64 | 0.82 |"), md);
    assertTrue(md.contains("| 1x | 32 | 32 |"), md);
  }

  @Test
  void oneWorkerAloneHasNoRoundsAndAWarmUpBeyondTheRunKeepsItsLastEpoch() {
    ScalingFit.Run one = run(1, 2, 10.3, epoch(10.0, 1000, 0, 0.0, 0.0));
    Map<String, Object> fit = ScalingFit.fit(List.of(one), 1000, STATE, 5);
    Map<String, Object> row = runs(fit).get(0);
    assertEquals("2-2", row.get("epochs_averaged"));
    assertNull(row.get("round_seconds"));
    assertEquals(0.3, num(model(fit).get("fixed_seconds")), 1e-9);
    assertTrue(ScalingFit.markdown(fit).contains("| 0 x — |"), ScalingFit.markdown(fit));
  }

  @Test
  void aBreakdownWithoutTheStrategysFiguresIsRefusedByName() {
    ScalingFit.Run bare = new ScalingFit.Run(2, 50, List.of(1.0), List.of(Map.of("wall", 1.0)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ScalingFit.fit(List.of(bare), 10, STATE, 0));
    assertTrue(e.getMessage().contains("lacks 'fitting'"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ScalingFit.fit(List.of(new ScalingFit.Run(1, 50, List.of(), List.of())), 10, STATE, 0));
  }
}
