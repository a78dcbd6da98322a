package org.sparktrain.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/churn.yaml submitted with deploy/submit.sh and the application jar to a real standalone
 * cluster (a master and two workers, each its own JVM, executors in theirs) with averaging and
 * synchronous; then again with one worker and its executor killed with SIGKILL in the middle of an
 * epoch (gradient sharing, both ways, is in {@link AuthenticatedClusterIT}). Checkpoints go to the
 * local filesystem, which every JVM here shares.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  static final double TUTORIAL_ACCURACY = 0.85;

  @TempDir static Path tmp;
  static LocalCluster cluster;
  /** Test metrics of the uninterrupted synchronous run, which the killed one must repeat. */
  static JsonNode synchronousTest;

  /** Before each test, a cluster with both workers (a new one after a test killed a worker). */
  @BeforeEach
  void twoLiveWorkers() throws Exception {
    cluster = LocalCluster.alive(cluster, tmp, 2, null);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * A finished run: test accuracy of the tutorial, one metrics line per epoch run (all {@code
   * epochs}, or fewer when early stopping ended the run), a model, and verified checkpoints.
   */
  static void assertCompleteRun(Submission run, int epochs) throws Exception {
    assertCompleteRun(run, epochs, TUTORIAL_ACCURACY, 0.0);
  }

  /** A finished run whose test accuracy and AUC reach at least the given floors. */
  static void assertCompleteRun(Submission run, int epochs, double minAccuracy, double minAuc) throws Exception {
    JsonNode summary = run.summary();
    JsonNode test = summary.get("test");
    List<JsonNode> metrics = run.metrics();
    System.out.printf(
        "%s: test accuracy %.4f, auc %.4f; %s; epoch seconds %s%n",
        run.output.getFileName(),
        test.get("accuracy").asDouble(),
        test.get("auc").asDouble(),
        summary.has("early_stopping") ? "early stopping " + summary.get("early_stopping") : "all epochs",
        metrics.stream().map(m -> String.format("%.1f", m.get("epoch_seconds").asDouble())).toList());
    assertTrue(
        test.get("accuracy").asDouble() >= minAccuracy,
        "test accuracy " + test.get("accuracy") + " < " + minAccuracy + ": " + test);
    assertTrue(test.get("auc").asDouble() >= minAuc, "test auc " + test.get("auc") + " < " + minAuc + ": " + test);
    int ran = summary.get("epochs_run").asInt();
    assertTrue(ran == epochs || (summary.has("early_stopping") && ran >= 1 && ran < epochs), summary.toString());
    assertEquals(ran, metrics.size(), "one line per epoch: " + metrics);
    for (int i = 0; i < ran; i++) {
      assertEquals(i + 1, metrics.get(i).get("epoch").asInt());
      assertTrue(Double.isFinite(metrics.get(i).get("train_loss").asDouble()), metrics.get(i).toString());
    }
    assertTrue(Files.size(run.output.resolve("model.zip")) > 0, "model.zip");
    assertTrue(Files.exists(run.manifest(ran)), "checkpoint of the last epoch");
    LocalCluster.Run verify = Submission.verifyCheckpoints(run.output.resolve("checkpoints"));
    assertEquals(0, verify.rc(), "checkpoints verify: " + verify.log());
  }

  /** Both workers' executors ran tasks of the newest application. */
  static void assertBothExecutorsWorked(LocalCluster c) throws Exception {
    String app = null;
    for (int w = 1; w <= 2; w++) {
      Path dir = c.newestApplication(w);
      assertNotNull(dir, "worker " + w + " launched no executor");
      if (app == null) {
        app = dir.getFileName().toString();
      }
      assertEquals(app, dir.getFileName().toString(), "the newest application on worker " + w);
      boolean ran = false;
      for (Path log : c.executorLogs(dir)) {
        ran |= Files.readString(log).contains("Running task");
      }
      assertTrue(ran, "no task ran on worker " + w + "'s executor of " + dir);
    }
  }

  /**
   * Waits for the run's checkpoint {@code step}, then SIGKILLs worker 2 and its executor 1.5 s
   * into the next epoch (averaging and sharing take several seconds per epoch here); returns the
   * manifests committed by then, by step.
   */
  static Map<Integer, String> killWorkerTwoAfterCheckpoint(LocalCluster cluster, Submission run, int step)
      throws Exception {
    return killWorkerTwoAfterCheckpoint(cluster, run, step, 1500);
  }

  /**
   * As {@link #killWorkerTwoAfterCheckpoint(LocalCluster, Submission, int)}, {@code intoEpochMillis}
   * after the checkpoint: the next epoch starts when its predecessor's checkpoint is committed, and
   * must not have ended by the kill.
   */
  static Map<Integer, String> killWorkerTwoAfterCheckpoint(LocalCluster cluster, Submission run, int step,
      long intoEpochMillis) throws Exception {
    while (!Files.exists(run.manifest(step))) {
      assertTrue(run.isAlive(), "the run ended before checkpoint " + step + ": " + run.log());
      Thread.sleep(50);
    }
    Map<Integer, String> committed = new TreeMap<>();
    for (int i = 1; i <= step; i++) {
      committed.put(i, Files.readString(run.manifest(i)));
    }
    Thread.sleep(intoEpochMillis);
    assertFalse(Files.exists(run.manifest(step + 1)), "epoch " + (step + 1) + " ended before the kill");
    List<ProcessHandle> doomed = cluster.workerAndExecutors(2);
    assertTrue(doomed.size() >= 2, "worker 2 and its executor: " + doomed);
    for (ProcessHandle p : doomed) {
      p.destroyForcibly(); // SIGKILL
    }
    for (ProcessHandle p : doomed) {
      p.onExit().get();
    }
    return committed;
  }

  /** What was committed before the kill is still there, byte for byte. */
  static void assertUnchanged(Submission run, Map<Integer, String> committed) throws Exception {
    for (Map.Entry<Integer, String> c : committed.entrySet()) {
      assertTrue(Files.exists(run.manifest(c.getKey())), "checkpoint " + c.getKey());
      assertEquals(c.getValue(), Files.readString(run.manifest(c.getKey())), "manifest of checkpoint " + c.getKey());
    }
  }

  /** An uninterrupted run of {@code strategy} with two workers, checked to its end. */
  static Submission runOnBothExecutors(String strategy, int epochs) throws Exception {
    Submission run = Submission.churn(cluster, tmp.resolve(strategy), epochs, "--set", "strategy.type=" + strategy);
    assertEquals(0, run.waitFor(8), run.log());
    assertTrue(run.fullLog().contains(strategy + " with 2 workers"), run.log());
    assertCompleteRun(run, epochs);
    assertBothExecutorsWorked(cluster);
    return run;
  }

  @Test
  @Order(1)
  void averagingOnTwoExecutorJvms() throws Exception {
    runOnBothExecutors("averaging", 3);
  }

  @Test
  @Order(2)
  void synchronousOnTwoExecutorJvms() throws Exception {
    synchronousTest = runOnBothExecutors("synchronous", 4).summary().get("test");
  }

  @Test
  @Order(3)
  void averagingWorkerKilledMidEpochLosesNothingCommitted() throws Exception {
    int epochs = 4;
    Submission run = Submission.churn(cluster, tmp.resolve("averaging-killed"), epochs, "--set", "strategy.type=averaging");
    Map<Integer, String> committed = killWorkerTwoAfterCheckpoint(cluster, run, 2);
    assertEquals(0, run.waitFor(8), run.log());
    assertCompleteRun(run, epochs);
    assertUnchanged(run, committed);
  }

  /**
   * Spark re-runs the lost worker's round on the other executor from the round's broadcast
   * state, so the run ends exactly where the uninterrupted one did. A synchronous epoch of churn
   * takes well under a second on this cluster, so the kill comes 100 ms into epoch 3.
   */
  @Test
  @Order(4)
  void synchronousWorkerKilledMidEpochEndsAsTheUninterruptedRun() throws Exception {
    Submission run = Submission.churn(cluster, tmp.resolve("synchronous-killed"), 4, "--set", "strategy.type=synchronous");
    Map<Integer, String> committed = killWorkerTwoAfterCheckpoint(cluster, run, 2, 100);
    assertEquals(0, run.waitFor(8), run.log());
    assertCompleteRun(run, 4);
    assertUnchanged(run, committed);
    assertNotNull(synchronousTest, "the uninterrupted synchronous run (order 2) did not finish");
    JsonNode test = run.summary().get("test");
    for (String metric : List.of("accuracy", "auc", "loss")) {
      assertEquals(synchronousTest.get(metric).asDouble(), test.get(metric).asDouble(), 1e-9, metric);
    }
  }
}
