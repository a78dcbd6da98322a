package org.sparktrain.train;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How often a run restarts itself after losing an executor it cannot train without
 * (checkpoint.auto_resume), and from where: each restart is a new Spark application that resumes
 * from the newest good checkpoint of the same output directory (from epoch 1 when there is none
 * yet). The reasons, oldest first, go to summary.json as {@code restarts}.
 */
final class RestartPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(RestartPolicy.class);

  private final int allowed;
  private final List<String> reasons = new ArrayList<>();

  /** @param allowed checkpoint.auto_resume: the restarts a run may make (0: none) */
  RestartPolicy(int allowed) {
    this.allowed = allowed;
  }

  /**
   * Whether the next attempt resumes from the newest checkpoint: when the user asked for it, and
   * always after a restart.
   */
  boolean resumes(boolean asked) {
    return asked || !reasons.isEmpty();
  }

  /** Why the run restarted so far, oldest first. */
  List<String> reasons() {
    return List.copyOf(reasons);
  }

  /**
   * Takes a lost executor: when a restart is left, records it, logs it and returns the line it
   * logged; otherwise throws {@code lost} itself (auto_resume 0) or, after the last allowed
   * restart, an IllegalStateException that says so and has {@code lost} as its cause.
   */
  String restartAfter(RuntimeException lost) {
    if (reasons.size() >= allowed) {
      throw allowed == 0
          ? lost
          : new IllegalStateException(
              "the run lost a worker again after " + allowed + " restarts (checkpoint.auto_resume): "
                  + lost.getMessage(),
              lost);
    }
    reasons.add(lost.getMessage());
    String line =
        lost.getMessage() + ". Restart " + reasons.size() + " of at most " + allowed
            + ": stopping this Spark application, starting a new one and resuming from the newest checkpoint";
    LOG.warn("{}", line);
    return line;
  }
}
