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
            8,
            "--set", "strategy.type=sharing",
            // Two workers apply each other's updates: a smaller step than averaging's 0.01 keeps
            // the asynchronous updates from overshooting (0.003 drifted after epoch 3 here).
            "--set", "training.learning_rate=0.002",
            "--set", "early_stopping.patience=2",
            "--set", "strategy.port=" + LocalCluster.freePort(),
            "--conf", "spark.authenticate=true",
            "--conf", "spark.authenticate.secret=" + SECRET);
    assertEquals(0, run.waitFor(8), run.log());
    assertTrue(run.fullLog().contains("sharing with 2 workers"), run.log());
    // Gradient sharing over two executor JVMs is asynchronous and not steady enough on this small
    // network to promise the tutorial's 0.85 (three runs: 0.8621, 0.8672, and 0.7957 when
    // validation loss rose after epoch 1); the floors check that the mesh trained a model that
    // ranks churners far better than chance. Averaging's cluster test holds the 0.85.
    StandaloneClusterIT.assertCompleteRun(run, 8, 0.75, 0.70);
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
