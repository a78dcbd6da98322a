package org.sparktrain.strategy;

import java.util.List;
import java.util.Locale;

/**
 * The decision behind {@code strategy.type: auto}: from measured probe figures, the number of
 * workers, their native threads and the averaging frequency that the cost model predicts to be
 * fastest, or one worker when distributing would be slower. Pure arithmetic, so it is unit tested.
 *
 * <p>Cost model, per epoch of {@code B} minibatches on {@code W} workers averaging every {@code K}:
 * {@code T(W, K) = ceil(B / W) * c_W + ceil(B / (W K)) * r_W}, where {@code c_W} is the measured
 * time of one minibatch on a worker while {@code W} train at once and {@code r_W} the measured time
 * of one averaging round (an all-reduce of parameters and updater state between the workers'
 * tasks inside the epoch's one barrier stage). One worker alone takes {@code T_1 = B * c_1} with every core and no rounds.
 */
public final class StrategyAdvisor {
  /** Frequencies considered, smallest first: the smallest one that is cheap enough wins. */
  static final List<Integer> FREQUENCIES = List.of(1, 2, 5, 10, 20, 50, 100, 200, 500);

  /** Largest share of an epoch that averaging rounds may take before a larger K is preferred. */
  static final double MAX_SYNC_SHARE = 0.05;

  /**
   * Averaging less often than every {@link #FREE_FREQUENCY} minibatches is allowed only while an
   * epoch keeps at least this many rounds (workers drifting apart for long hurts accuracy); one
   * worker alone also reports its progress this many times per epoch.
   */
  static final int MIN_ROUNDS_PER_EPOCH = 4;

  /**
   * A frequency always allowed, however few minibatches a worker has per epoch: averaging every 50
   * kept test accuracy at or above one worker's on mnist-mlp and LeNet (2 workers, Adam). With
   * many workers on a small dataset each has few minibatches per epoch, and insisting on 4 rounds
   * there would make rounds, not fitting, the epoch's cost (LeNet at 32 workers: 27 minibatches
   * each, K = 5 and 6 rounds instead of one).
   */
  static final int FREE_FREQUENCY = 50;

  private StrategyAdvisor() {}

  /**
   * Measured inputs.
   *
   * @param workers the most workers available (executor task slots, or local cores)
   * @param coresPerWorkerJvm cores of the JVM the lone worker would use
   * @param minibatchesPerEpoch minibatches in one epoch
   * @param secondsAlone one minibatch on one worker with all of its JVM's cores
   * @param secondsTogether one minibatch on each worker while {@code workers} train at once
   * @param threadsTogether native threads each worker used for {@code secondsTogether}
   * @param roundSeconds one averaging round with {@code workers} workers (no fitting)
   * @param stateBytes parameters and updater state, bytes
   */
  public record Probe(
      int workers,
      int coresPerWorkerJvm,
      long minibatchesPerEpoch,
      double secondsAlone,
      double secondsTogether,
      int threadsTogether,
      double roundSeconds,
      long stateBytes) {}

  /** What auto runs, with the predicted epoch times and the reason in words. */
  public record Choice(
      int workers,
      int threads,
      int averagingFrequency,
      double predictedEpochSeconds,
      double predictedAloneSeconds,
      String reason) {

    /** Predicted speed-up over one worker alone (above 1: distributing pays). */
    public double speedup() {
      return predictedAloneSeconds / predictedEpochSeconds;
    }
  }

  /** Predicted epoch seconds on {@code W} workers averaging every {@code K} minibatches. */
  static double epochSeconds(Probe p, int k) {
    long perWorker = ceilDiv(p.minibatchesPerEpoch(), p.workers());
    long rounds = ceilDiv(perWorker, k);
    return perWorker * p.secondsTogether() + rounds * p.roundSeconds();
  }

  public static Choice decide(Probe p) {
    long b = Math.max(1, p.minibatchesPerEpoch());
    double alone = b * p.secondsAlone();
    int loneK = (int) Math.max(1, ceilDiv(b, MIN_ROUNDS_PER_EPOCH));
    if (p.workers() <= 1) {
      return new Choice(1, p.coresPerWorkerJvm(), loneK, alone, alone,
          "one worker available: no averaging needed; " + MIN_ROUNDS_PER_EPOCH + " rounds per epoch only to report progress");
    }
    long perWorker = ceilDiv(b, p.workers());
    int chosen = cheapFrequency(perWorker, p.secondsTogether(), p.roundSeconds());
    int k = chosen > 0 ? chosen : leastFrequent(perWorker);
    double together = epochSeconds(p, k);
    String figures = String.format(Locale.ROOT,
        "%d minibatches/epoch; one minibatch %.1f ms alone (%d threads), %.1f ms on each of %d workers (%d threads each);"
            + " averaging round %.1f ms for %.1f MB of parameters and updater state",
        b, p.secondsAlone() * 1e3, p.coresPerWorkerJvm(), p.secondsTogether() * 1e3, p.workers(),
        p.threadsTogether(), p.roundSeconds() * 1e3, p.stateBytes() / 1e6);
    if (together >= alone) {
      return new Choice(1, p.coresPerWorkerJvm(), loneK, alone, alone, String.format(Locale.ROOT,
          "distributing would be slower than one executor: predicted %.1f s/epoch on %d workers (every %d minibatches)"
              + " against %.1f s/epoch on one; training on one worker. %s",
          together, p.workers(), k, alone, figures));
    }
    return new Choice(p.workers(), p.threadsTogether(), k, together, alone, String.format(Locale.ROOT,
        "%d workers averaging every %d minibatches: predicted %.1f s/epoch against %.1f s/epoch on one worker"
            + " (%.2fx)%s. %s",
        p.workers(), k, together, alone, alone / together,
        chosen > 0 ? ", averaging rounds within " + Math.round(MAX_SYNC_SHARE * 100) + "% of the epoch"
            : ", rounds cost more than " + Math.round(MAX_SYNC_SHARE * 100) + "% even at the least frequent averaging allowed"
                + " (every " + FREE_FREQUENCY + ", or less often with at least " + MIN_ROUNDS_PER_EPOCH + " rounds/epoch)",
        figures));
  }

  /**
   * The smallest allowed frequency whose rounds take at most {@link #MAX_SYNC_SHARE} of the
   * fitting, for {@code perWorker} minibatches of {@code secondsPerMinibatch} and rounds of {@code
   * roundSeconds}; -1 when none does.
   */
  static int cheapFrequency(long perWorker, double secondsPerMinibatch, double roundSeconds) {
    double compute = perWorker * secondsPerMinibatch;
    for (int k : FREQUENCIES) {
      if (!allowed(perWorker, k)) {
        break;
      }
      if (ceilDiv(perWorker, k) * roundSeconds <= MAX_SYNC_SHARE * compute) {
        return k;
      }
    }
    return -1;
  }

  /** The least frequent averaging allowed for {@code perWorker} minibatches. */
  static int leastFrequent(long perWorker) {
    int largest = 1;
    for (int k : FREQUENCIES) {
      if (!allowed(perWorker, k)) {
        break;
      }
      largest = k;
    }
    return largest;
  }

  /**
   * The frequency for the next epochs from what an epoch measured: {@code perWorker} minibatches
   * fitted in {@code fitSeconds} per worker, {@code rounds} rounds that took {@code
   * averagingSeconds} of each worker's time in all (the all-reduces and the waits for slower
   * workers). The probe times a minibatch on a network the JIT has barely compiled (about twice an
   * epoch's figure), so its choice averages more often than needed.
   */
  static int replan(long perWorker, double fitSeconds, int rounds, double averagingSeconds) {
    if (perWorker <= 0 || rounds <= 0 || !(fitSeconds > 0) || !(averagingSeconds >= 0)) {
      return -1;
    }
    return frequency(perWorker, fitSeconds / perWorker, averagingSeconds / rounds);
  }

  /**
   * The averaging frequency auto picks for {@code perWorker} minibatches of {@code
   * secondsPerMinibatch} and rounds of {@code roundSeconds}: the smallest cheap enough one, else the
   * least frequent allowed.
   */
  public static int frequency(long perWorker, double secondsPerMinibatch, double roundSeconds) {
    int k = cheapFrequency(perWorker, secondsPerMinibatch, roundSeconds);
    return k > 0 ? k : leastFrequent(perWorker);
  }

  /** Whether averaging every {@code k} of {@code perWorker} minibatches is allowed. */
  static boolean allowed(long perWorker, int k) {
    return k <= FREE_FREQUENCY || ceilDiv(perWorker, k) >= MIN_ROUNDS_PER_EPOCH;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
