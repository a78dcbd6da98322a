package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

class NativeThreadsRelaunchTest {
  private static String churn() {
    return TestJobs.repoRoot().resolve("jobs/churn.yaml").toString();
  }

  @Test
  void localMasterWithSeveralWorkersGetsEachWorkersShare() {
    String[] twoOfEight = {"train", churn(), "--output", "x", "--master", "local[8]", "--set", "strategy.workers=2"};
    assertEquals(4, NativeThreadsRelaunch.threadsFor(twoOfEight, null, null, 16));
    // workers: 0 means one per local core, so each gets one thread
    String[] allCores = {"train", churn(), "--output", "x", "--set", "strategy.workers=0"};
    assertEquals(1, NativeThreadsRelaunch.threadsFor(allCores, null, null, 6));
    String[] moreWorkersThanCores = {"train", churn(), "--master", "local[2]", "--set", "strategy.workers=3"};
    assertEquals(1, NativeThreadsRelaunch.threadsFor(moreWorkersThanCores, "", null, 2));
  }

  @Test
  void runsHereWhenNothingIsGained() {
    String[] two = {"train", churn(), "--master", "local[4]", "--set", "strategy.workers=2"};
    assertNull(NativeThreadsRelaunch.threadsFor(two, "3", null, 4), "the user's OMP_NUM_THREADS is kept");
    assertNull(NativeThreadsRelaunch.threadsFor(
        new String[] {"train", churn(), "--set", "strategy.workers=2"}, null, "spark://host:7077", 4),
        "a cluster master: executors take theirs from the cluster configuration");
    assertNull(NativeThreadsRelaunch.threadsFor(
        new String[] {"train", churn(), "--master", "yarn", "--set", "strategy.workers=2"}, null, null, 4));
    assertNull(NativeThreadsRelaunch.threadsFor(
        new String[] {"train", churn(), "--master", "local[4]", "--set", "strategy.workers=1"}, null, null, 4),
        "one worker keeps every core");
    assertNull(NativeThreadsRelaunch.threadsFor(
        new String[] {"validate", churn()}, null, null, 4), "only train");
    assertNull(NativeThreadsRelaunch.threadsFor(
        new String[] {"train", churn(), "--set", "training.epochs=zero"}, null, null, 4),
        "a bad job is reported by the command in this JVM");
    assertNull(NativeThreadsRelaunch.threadsFor(
        new String[] {"train", "--no-such-option"}, null, null, 4));
    assertNull(NativeThreadsRelaunch.threadsFor(
        new String[] {"train", churn(), "--help"}, null, null, 4));
  }

  @Test
  void localCoresOfEveryLocalMasterForm() {
    assertEquals(1, NativeThreadsRelaunch.localCores("local", 8));
    assertEquals(3, NativeThreadsRelaunch.localCores("local[3]", 8));
    assertEquals(8, NativeThreadsRelaunch.localCores("local[*]", 8));
    assertEquals(2, NativeThreadsRelaunch.localCores("local[2, 4]", 8));
    assertEquals(0, NativeThreadsRelaunch.localCores("local-cluster[2,1,1024]", 8));
    assertEquals(0, NativeThreadsRelaunch.localCores("spark://h:7077", 8));
  }
}
