package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** checkpoint.auto_resume: how many restarts, from where, and what is logged and recorded. */
class RestartPolicyTest {
  private static RuntimeException lost(int epoch) {
    return new RuntimeException("gradient sharing lost executor 1 (worker lost) in epoch " + epoch);
  }

  @Test
  void restartsAsOftenAsAllowedEachFromTheNewestCheckpoint() {
    RestartPolicy policy = new RestartPolicy(2);
    assertFalse(policy.resumes(false), "a new run starts new");
    assertTrue(policy.resumes(true), "--resume resumes");
    assertEquals(
        "gradient sharing lost executor 1 (worker lost) in epoch 3. Restart 1 of at most 2: stopping this Spark"
            + " application, starting a new one and resuming from the newest checkpoint",
        policy.restartAfter(lost(3)));
    assertTrue(policy.resumes(false), "a restart resumes");
    assertTrue(policy.restartAfter(lost(5)).contains("Restart 2 of at most 2"));
    assertEquals(
        List.of(
            "gradient sharing lost executor 1 (worker lost) in epoch 3",
            "gradient sharing lost executor 1 (worker lost) in epoch 5"),
        policy.reasons());

    RuntimeException third = lost(7);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> policy.restartAfter(third));
    assertEquals(
        "the run lost a worker again after 2 restarts (checkpoint.auto_resume): gradient sharing lost executor 1"
            + " (worker lost) in epoch 7",
        e.getMessage());
    assertSame(third, e.getCause());
    assertEquals(2, policy.reasons().size(), "the refused restart is not recorded");
  }

  @Test
  void withAutoResumeZeroTheLostExecutorEndsTheRunAsItIs() {
    RestartPolicy policy = new RestartPolicy(0);
    RuntimeException first = lost(2);
    assertSame(first, assertThrows(RuntimeException.class, () -> policy.restartAfter(first)));
    assertTrue(policy.reasons().isEmpty());
    assertFalse(policy.resumes(false));
  }

  @Test
  void theReasonsAreACopy() {
    RestartPolicy policy = new RestartPolicy(1);
    List<String> before = policy.reasons();
    policy.restartAfter(lost(1));
    assertTrue(before.isEmpty());
    assertThrows(UnsupportedOperationException.class, () -> policy.reasons().add("x"));
  }
}
