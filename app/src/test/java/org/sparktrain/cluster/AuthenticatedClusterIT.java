package org.sparktrain.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone cluster with spark.authenticate: a client without the secret is refused; one with
 * it trains jobs/churn.yaml with gradient sharing (DL4J's SharedTrainingMaster over Aeron UDP)
 * across the two executor JVMs, each on its own UDP port (up to 10 epochs at a learning rate of
 * 0.002, keeping the best epoch by validation loss); then again, 8 epochs, with one worker and its
 * executor killed with SIGKILL in the middle of an epoch. (10 and 8 epochs: test accuracy 0.8682 and
 * 0.8667, both best at epoch 8; 15 epochs took 75 s more for the same floor of 0.85.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthenticatedClusterIT {
  private static final String SECRET = "cluster-it-" + Long.toHexString(System.nanoTime());

  @TempDir static Path tmp;
  static LocalCluster cluster;

  /** Before each test, a cluster with both workers (a new one after a test killed a worker). */
  @BeforeEach
  void twoLiveWorkers() throws Exception {
    cluster = LocalCluster.alive(cluster, tmp, 2, SECRET);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** submit.sh refuses a secret on its command line, and a standalone submission without one. */
  @Test
  @Order(0)
  void aSecretIsNeverTakenFromTheCommandLine() throws Exception {
    LocalCluster.Run onCommandLine =
        LocalCluster.Run.of(
            tmp.resolve("secret-on-command-line.log"),
            List.of(
                "deploy/submit.sh", "--cluster", "cluster-configs/standalone.conf", "jobs/churn.yaml",
                "--output", tmp.resolve("never").toString(), "--conf", "spark.authenticate.secret=" + SECRET),
            1);
    assertEquals(2, onCommandLine.rc(), onCommandLine.log());
    assertTrue(onCommandLine.log().contains("--secret-file FILE"), onCommandLine.log());
    LocalCluster.Run started =
        LocalCluster.Run.of(
            tmp.resolve("secret-option.log"),
            List.of("deploy/local-cluster.sh", "start", "--secret", SECRET, "--state", tmp.resolve("never-cluster").toString()),
            1);
    assertEquals(2, started.rc(), started.log());
    assertTrue(started.log().contains("SPARKTRAIN_SECRET"), started.log());
    assertFalse(Files.exists(tmp.resolve("never-cluster/master.pid")));
    // The cluster's own secret file is readable by its owner only.
    assertEquals(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
        Files.getPosixFilePermissions(cluster.secretFile()));
    assertEquals(SECRET, Files.readString(cluster.secretFile()).trim());
    LocalCluster.Run none =
        LocalCluster.Run.of(
            tmp.resolve("no-secret-given.log"),
            List.of(
                "deploy/submit.sh", "--cluster", "cluster-configs/standalone.conf", "jobs/churn.yaml",
                "--master", cluster.masterUrl(), "--output", tmp.resolve("never").toString()),
            Map.of("SPARKTRAIN_SECRET_FILE", tmp.resolve("no-such-secret").toString()),
            1);
    assertEquals(2, none.rc(), none.log());
    assertTrue(none.log().contains("cannot read the secret file"), none.log());
    assertFalse(Files.exists(tmp.resolve("never")));
  }

  @Test
  @Order(1)
  void clientWithoutTheSecretIsRefused() throws Exception {
    Submission run =
        Submission.churn(
            cluster, tmp.resolve("no-secret"), 1,
            "--conf", "spark.authenticate=false", "--conf", "spark.network.crypto.enabled=false");
    int rc = run.waitFor(4);
    assertNotEquals(0, rc, run.log());
    String log = run.fullLog();
    assertTrue(log.contains("Expected SaslMessage"), "the master's refusal: " + run.log());
    assertTrue(log.contains("did not accept the application"), "the trainer's message: " + run.log());
    assertFalse(Files.exists(run.output.resolve("summary.json")));
  }

  @Test
  @Order(2)
  void clientWithTheSecretTrainsWithGradientSharing() throws Exception {
    Submission run =
        Submission.churn(
            cluster,
            tmp.resolve("sharing"),
            10,
            "--set", "strategy.type=sharing",
            // Learning rate and threshold 0.002, stopping early: 0.8626 and 0.8672 in 11 and 13
            // epochs (129 s and 152 s), 0.8682 in 10; the job's 0.001 needs 15 to 26 epochs
            // (0.8682, 0.8693).
            "--set", "training.learning_rate=0.002",
            "--set", "strategy.threshold.initial=0.002",
            "--set", "early_stopping.patience=3",
            "--set", "strategy.port=" + LocalCluster.freePort());
    assertSecretOnNoCommandLine(run);
    assertEquals(0, run.waitFor(12), run.log());
    assertTrue(run.fullLog().contains("sharing with 2 workers"), run.log());
    // With each worker's replica reset to the driver's parameters before every epoch, runs reach
    // what averaging does (0.8693); without it, replicas drifted apart at epoch boundaries and
    // runs ended at 0.84-0.86.
    StandaloneClusterIT.assertCompleteRun(run, 10);
    StandaloneClusterIT.assertBothExecutorsWorked(cluster);
    // Each executor bound its own UDP port for the gradient-sharing mesh.
    String ports = "";
    for (int w = 1; w <= 2; w++) {
      for (Path log : cluster.executorLogs(w)) {
        String s = Files.readString(log);
        int i = s.indexOf("Initializing transport [");
        assertTrue(i >= 0, "executor of worker " + w + " joined no gradient-sharing mesh: " + log);
        ports += s.substring(i, s.indexOf(']', i) + 1) + " ";
      }
    }
    String[] parts = ports.trim().split(" \\s*(?=Initializing)");
    assertEquals(2, parts.length, ports);
    assertNotEquals(parts[0], parts[1], "two executors on one UDP port: " + ports);
  }

  /**
   * DL4J's gradient-sharing mesh cannot lose a member: before the fix the driver stopped applying
   * updates, and the run ended "successfully" with every later epoch's metrics identical. Now the
   * trainer starts a new application on the surviving worker, with the same secret, and resumes
   * from checkpoint 2.
   */
  @Test
  @Order(3)
  void sharingWorkerKilledMidEpochResumesInANewApplication() throws Exception {
    // Learning rate and threshold 0.002: 0.8657, 0.8647, 0.8641 here (0.005: 0.851-0.859 with
    // early stopping after 6-7 epochs; the job's 0.001: 0.8687, but after 30 epochs and 6 minutes).
    int epochs = 8;
    Submission run =
        Submission.churn(
            cluster,
            tmp.resolve("sharing-killed"),
            epochs,
            "--set", "strategy.type=sharing",
            "--set", "training.learning_rate=0.002",
            "--set", "strategy.threshold.initial=0.002",
            "--set", "early_stopping.patience=3",
            // Every checkpoint stays, so that the first two can be compared at the end.
            "--set", "checkpoint.keep=" + epochs,
            "--set", "strategy.port=" + LocalCluster.freePort());
    Map<Integer, String> committed = StandaloneClusterIT.killWorkerTwoAfterCheckpoint(cluster, run, 2);
    assertEquals(0, run.waitFor(10), run.log());
    String log = run.fullLog();
    assertTrue(log.contains("sharing with 2 workers"), run.log());
    assertTrue(log.contains("gradient sharing lost executor"), run.log());
    assertTrue(log.contains("Resuming after epoch 2"), run.log());
    assertTrue(log.contains("sharing with 1 workers"), "the new application's one executor: " + run.log());
    JsonNode restarts = run.summary().get("restarts");
    assertNotNull(restarts, run.summary().toString());
    assertEquals(1, restarts.size(), restarts.toString());
    StandaloneClusterIT.assertCompleteRun(run, epochs);
    StandaloneClusterIT.assertUnchanged(run, committed);
    // The network kept learning after the kill: no two epochs in a row with the same validation loss.
    List<JsonNode> metrics = run.metrics();
    for (int i = 2; i < metrics.size(); i++) {
      assertNotEquals(
          metrics.get(i - 1).get("val_loss").asDouble(),
          metrics.get(i).get("val_loss").asDouble(),
          "epochs " + i + " and " + (i + 1) + " left the network unchanged: " + metrics);
    }
  }

  /**
   * While the run's driver and both executors live, no process on this machine has the secret on
   * its command line (what ps shows every user).
   */
  private static void assertSecretOnNoCommandLine(Submission run) throws Exception {
    int executorsSeen = 0;
    for (int i = 0; i < 240 && run.isAlive() && executorsSeen < 2; i++) {
      executorsSeen = 0;
      for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
        String cmdline = p.info().commandLine().orElse("");
        assertFalse(cmdline.contains(SECRET), "the secret on a command line: " + cmdline);
        if (cmdline.contains("CoarseGrainedExecutorBackend")) {
          executorsSeen++;
        }
      }
      Thread.sleep(500);
    }
    assertEquals(2, executorsSeen, "both executors were running while command lines were read: " + run.log());
  }
}
