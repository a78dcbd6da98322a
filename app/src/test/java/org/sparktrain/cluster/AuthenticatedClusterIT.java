package org.sparktrain.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone cluster with spark.authenticate: a client without the secret is refused; one with
 * it trains jobs/churn.yaml with gradient sharing (DL4J's SharedTrainingMaster over Aeron UDP)
 * across the two executor JVMs, each on its own UDP port (8 epochs at a learning rate of 0.002,
 * keeping the best epoch by validation loss).
 */
class AuthenticatedClusterIT {
  private static final String SECRET = "cluster-it-" + Long.toHexString(System.nanoTime());

  @TempDir static Path tmp;
  static LocalCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = LocalCluster.start(tmp.resolve("cluster"), 2, SECRET);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void clientWithoutTheSecretIsRefused() throws Exception {
    Submission run = Submission.churn(cluster, tmp.resolve("no-secret"), 1);
    int rc = run.waitFor(4);
    assertNotEquals(0, rc, run.log());
    String log = run.fullLog();
    assertTrue(log.contains("Expected SaslMessage"), "the master's refusal: " + run.log());
    assertTrue(log.contains("did not accept the application"), "the trainer's message: " + run.log());
    assertFalse(Files.exists(run.output.resolve("summary.json")));
  }

  @Test
  void clientWithTheSecretTrainsWithGradientSharing() throws Exception {
    Submission run =
        Submission.churn(
            cluster,
            tmp.resolve("sharing"),
            30,
            "--set", "strategy.type=sharing",
            // The job's own learning rate (0.001) and epochs, stopping early.
            "--set", "training.learning_rate=0.001",
            "--set", "early_stopping.patience=5",
            "--set", "strategy.port=" + LocalCluster.freePort(),
            "--conf", "spark.authenticate=true",
            "--conf", "spark.authenticate.secret=" + SECRET);
    assertEquals(0, run.waitFor(12), run.log());
    assertTrue(run.fullLog().contains("sharing with 2 workers"), run.log());
    // With each worker's replica reset to the driver's parameters before every epoch, three runs
    // reached 0.8657 (learning rate 0.005), 0.8682 and 0.8693 (0.001), as averaging does (0.8693);
    // without it, replicas drifted apart at epoch boundaries and runs ended at 0.84-0.86.
    StandaloneClusterIT.assertCompleteRun(run, 30);
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
}
