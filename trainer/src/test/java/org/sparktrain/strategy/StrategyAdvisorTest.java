package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.strategy.StrategyAdvisor.Choice;
import org.sparktrain.strategy.StrategyAdvisor.Probe;

/** The auto strategy's decision from given probe figures. */
class StrategyAdvisorTest {
  // mnist-mlp on 2 cores: 843 minibatches, 2.1 MB of parameters and 4.3 MB of Adam state.
  private static final long STATE = 6_430_000L;

  @Test
  void distributesWhenWorkersAreFasterTogetherAndRoundsAreCheap() {
    // 14 ms alone with 2 threads, 10 ms each with 1 thread; a round costs 60 ms.
    Choice c = StrategyAdvisor.decide(new Probe(2, 2, 843, 0.014, 0.010, 1, 0.060, STATE));
    assertEquals(2, c.workers());
    assertEquals(1, c.threads());
    // 422 minibatches per worker, 4.2 s of fitting: rounds within 5% (0.21 s) means at most 3 of
    // them, fewer than the 4 per epoch required -> the least frequent allowed, K = 100 (5 rounds).
    assertEquals(100, c.averagingFrequency());
    assertEquals(422 * 0.010 + 5 * 0.060, c.predictedEpochSeconds(), 1e-9);
    assertEquals(843 * 0.014, c.predictedAloneSeconds(), 1e-9);
    assertTrue(c.speedup() > 2, "speed-up " + c.speedup());
    assertTrue(c.reason().contains("2 workers averaging every 100"), c.reason());
  }

  @Test
  void averagesOftenWhenRoundsAreNearlyFree() {
    Choice c = StrategyAdvisor.decide(new Probe(2, 2, 843, 0.014, 0.010, 1, 0.0005, STATE));
    // 0.05 x 4.22 s allows 422 rounds of 0.5 ms: every minibatch.
    assertEquals(1, c.averagingFrequency());
    assertEquals(2, c.workers());
  }

  @Test
  void staysOnOneWorkerWhenDistributingIsSlower() {
    // Workers together are no faster per minibatch than one alone (one core, or memory bound),
    // and rounds are dear: two workers cannot beat one.
    Choice c = StrategyAdvisor.decide(new Probe(2, 2, 843, 0.010, 0.021, 1, 0.5, STATE));
    assertEquals(1, c.workers());
    assertEquals(2, c.threads());
    assertTrue(c.reason().startsWith("distributing would be slower than one executor"), c.reason());
    assertEquals(843 * 0.010, c.predictedEpochSeconds(), 1e-9);
  }

  @Test
  void averagesAtLeastEveryFiftyOrFourTimesPerEpochWhenRoundsAreDear() {
    // 1,000 minibatches per worker, rounds of 2 s: even K = 500 costs more than 5%; K = 200 is the
    // least frequent with 4 rounds (5).
    Choice c = StrategyAdvisor.decide(new Probe(2, 2, 2000, 0.030, 0.010, 1, 2.0, STATE));
    assertEquals(200, c.averagingFrequency());
    assertEquals(2, c.workers());
    assertTrue(c.reason().contains("rounds cost more than 5%"), c.reason());
  }

  @Test
  void averagesOncePerEpochWhenWorkersHaveFewMinibatches() {
    // LeNet on MNIST over 32 workers: 27 minibatches of 131 ms each (3.5 s), rounds of 97 ms. 5% is
    // 0.18 s: one round. The 4-rounds rule alone would force K = 5 (6 rounds, 0.58 s).
    Choice c = StrategyAdvisor.decide(new Probe(32, 1, 843, 0.131, 0.131, 1, 0.097, STATE));
    assertEquals(50, c.averagingFrequency());
    assertEquals(27 * 0.131 + 0.097, c.predictedEpochSeconds(), 1e-9);
    // 40 minibatches per worker and dear rounds: every 50 is allowed, one round per epoch
    Choice dear = StrategyAdvisor.decide(new Probe(2, 2, 80, 0.030, 0.010, 1, 0.05, STATE));
    assertEquals(50, dear.averagingFrequency());
    assertTrue(dear.reason().contains("rounds cost more than 5%"), dear.reason());
  }

  @Test
  void picksTheSmallestFrequencyWhoseRoundsFitFivePercent() {
    // mnist-mlp as measured: 10.7 ms per minibatch on each worker, 9.2 ms per round. 4.5 s of
    // fitting allows 0.226 s of rounds: K = 10 (43 rounds, 0.40 s) is too many, K = 20 (22, 0.20 s) fits.
    Choice c = StrategyAdvisor.decide(new Probe(2, 2, 843, 0.0186, 0.0107, 1, 0.0092, STATE));
    assertEquals(20, c.averagingFrequency());
  }

  @Test
  void replansTheFrequencyFromAnEpochsOwnFigures() {
    // mnist-mlp measured: the probe saw 10.9 ms per minibatch and chose K = 20; the first epoch
    // fitted 422 minibatches in 2.45 s per worker (5.8 ms) with 22 rounds of 11.4 ms. 5% of 2.45 s
    // is 0.12 s: K = 20 (22 rounds, 0.25 s) is too many, K = 50 (9 rounds, 0.10 s) fits.
    assertEquals(50, StrategyAdvisor.replan(422, 2.45, 22, 22 * 0.0114));
    // nearly free rounds: every minibatch
    assertEquals(1, StrategyAdvisor.replan(422, 2.45, 22, 22 * 0.0002));
    // dear rounds: the least frequent allowed (every 100: 5 rounds of 422)
    assertEquals(100, StrategyAdvisor.replan(422, 2.45, 22, 22 * 2.0));
    // LeNet on the 2-vCPU standalone cluster: 422 minibatches in 20 s per worker, 9 rounds of 12 ms all-reduce,
    // and 0.9 s per worker waiting for the other at the rounds. The all-reduce alone would allow K = 10 (43 rounds,
    // 0.5 s of 1.0); with the waits a round costs 112 ms and even K = 50 (9 rounds, 1.01 s) is too dear
    assertEquals(10, StrategyAdvisor.replan(422, 20.0, 9, 9 * 0.012));
    assertEquals(100, StrategyAdvisor.replan(422, 20.0, 9, 9 * 0.012 + 0.9));
    // nothing measured: no new plan
    assertEquals(-1, StrategyAdvisor.replan(0, 2.45, 22, 0.2));
    assertEquals(-1, StrategyAdvisor.replan(422, Double.NaN, 22, 0.2));
    assertEquals(-1, StrategyAdvisor.replan(422, 2.45, 0, 0));
  }

  @Test
  void oneWorkerAvailable() {
    Choice c = StrategyAdvisor.decide(new Probe(1, 2, 843, 0.014, 0.014, 2, 0.06, STATE));
    assertEquals(1, c.workers());
    assertEquals(2, c.threads());
    assertEquals(211, c.averagingFrequency());
  }

  @Test
  void costModel() {
    Probe p = new Probe(4, 4, 1000, 0.02, 0.012, 1, 0.1, STATE);
    // 250 per worker; K = 20: 13 rounds.
    assertEquals(250 * 0.012 + 13 * 0.1, StrategyAdvisor.epochSeconds(p, 20), 1e-9);
  }

  @Test
  void aProbedRoundIsTheFastestTasksTimeAveragedOverTheRoundsAfterTheWarmUp() {
    // the last worker to arrive sees the round's own cost; the first round (warm-up) is left out
    double r = AutoStrategy.roundSeconds(java.util.List.of(new double[] {9, 0.010, 0.030}, new double[] {9, 0.020, 0.005}));
    assertEquals(0.0075, r, 1e-12);
  }
}
