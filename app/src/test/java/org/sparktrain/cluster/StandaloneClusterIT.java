package org.sparktrain.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/churn.yaml submitted with deploy/submit.sh and the application jar to a real standalone
 * cluster (a master and two workers, each its own JVM, executors in theirs), with parameter
 * averaging; then again with one worker and its executor killed with SIGKILL in the middle of an
 * epoch. Checkpoints go to the local filesystem, which every JVM here shares.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  static final double TUTORIAL_ACCURACY = 0.85;

  @TempDir static Path tmp;
  static LocalCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = LocalCluster.start(tmp.resolve("cluster"), 2, null);
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
    for (int w = 1; w <= 2; w++) {
      List<Path> logs = c.executorLogs(w);
      assertFalse(logs.isEmpty(), "worker " + w + " launched no executor");
      boolean ran = false;
      for (Path log : logs) {
        ran |= Files.readString(log).contains("Running task");
      }
      assertTrue(ran, "no task ran on worker " + w + "'s executor: " + logs);
    }
  }

  @Test
  @Order(1)
  void averagingOnTwoExecutorJvms() throws Exception {
    Submission run = Submission.churn(cluster, tmp.resolve("averaging"), 3, "--set", "strategy.type=averaging");
    assertEquals(0, run.waitFor(8), run.log());
    assertTrue(run.fullLog().contains("averaging with 2 workers"), run.log());
    assertCompleteRun(run, 3);
    assertBothExecutorsWorked(cluster);
  }

  @Test
  @Order(2)
  void workerKilledMidEpochLosesNothingCommitted() throws Exception {
    int epochs = 4;
    Submission run = Submission.churn(cluster, tmp.resolve("killed"), epochs, "--set", "strategy.type=averaging");
    while (!Files.exists(run.manifest(2))) {
      assertTrue(run.isAlive(), "the run ended before its second checkpoint: " + run.log());
      Thread.sleep(50);
    }
    byte[] manifest1 = Files.readAllBytes(run.manifest(1));
    byte[] manifest2 = Files.readAllBytes(run.manifest(2));
    // Epoch 3 is training now (an epoch takes several seconds here).
    Thread.sleep(1500);
    assertFalse(Files.exists(run.manifest(3)), "epoch 3 ended before the kill");
    List<ProcessHandle> doomed = cluster.workerAndExecutors(2);
    assertTrue(doomed.size() >= 2, "worker 2 and its executor: " + doomed);
    for (ProcessHandle p : doomed) {
      p.destroyForcibly(); // SIGKILL
    }
    for (ProcessHandle p : doomed) {
      p.onExit().get();
    }

    assertEquals(0, run.waitFor(8), run.log());
    assertCompleteRun(run, epochs);
    // What was committed before the kill is still there, unchanged.
    assertTrue(Files.exists(run.manifest(1)) && Files.exists(run.manifest(2)));
    assertEquals(new String(manifest1), Files.readString(run.manifest(1)));
    assertEquals(new String(manifest2), Files.readString(run.manifest(2)));
  }
}
