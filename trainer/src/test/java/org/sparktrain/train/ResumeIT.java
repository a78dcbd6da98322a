package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TrainerProcess;

/**
 * A run killed with SIGKILL and resumed with --resume ends exactly where an uninterrupted run
 * with the same seed ends (averaging, one worker, averaging after every minibatch).
 */
class ResumeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  private static Path slice;

  @BeforeAll
  static void slice() throws Exception {
    slice = TestJobs.churnSlice(tmp, 1500);
  }

  private static List<String> train(Path output, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train", "jobs/churn.yaml", "--quiet",
                "--output", output.toString(),
                "--set", "data.path=" + slice.toUri(),
                "--set", "training.epochs=5",
                "--set", "training.batch_size=32",
                "--set", "training.learning_rate=0.01",
                "--set", "strategy.workers=1",
                "--set", "strategy.averaging_frequency=1",
                "--set", "checkpoint.every=1",
                "--set", "checkpoint.keep=10"));
    args.addAll(List.of(extra));
    return args;
  }

  private static Path threeEpochs;

  /** A finished 3-epoch run, trained once for the damage cases (each damages its own copy). */
  private static synchronized Path threeEpochs() throws Exception {
    if (threeEpochs == null) {
      Path run = tmp.resolve("three-epochs");
      TrainerProcess a = TrainerProcess.start(tmp.resolve("logs"), train(run, "--set", "training.epochs=3"));
      assertEquals(0, a.waitFor(), a.stderr());
      threeEpochs = run;
    }
    return threeEpochs;
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  static Path manifest(Path output, int step) {
    return output.resolve("checkpoints").resolve(String.format("step-%010d", step)).resolve("MANIFEST.json");
  }

  @Test
  void killedAfterSecondCheckpointResumesToTheSameParameters() throws Exception {
    Path whole = tmp.resolve("uninterrupted");
    TrainerProcess a = TrainerProcess.start(tmp.resolve("logs"), train(whole));
    assertEquals(0, a.waitFor(), a.stderr());

    Path broken = tmp.resolve("killed");
    TrainerProcess b = TrainerProcess.start(tmp.resolve("logs"), train(broken));
    assertTrue(b.awaitFile(manifest(broken, 2)), "no second checkpoint: " + b.stderr());
    int killed = b.kill();
    assertEquals(137, killed, "SIGKILL");
    assertFalse(Files.exists(broken.resolve("summary.json")), "the run was killed before its end");

    TrainerProcess c = TrainerProcess.start(tmp.resolve("logs"), train(broken, "--resume"));
    assertEquals(0, c.waitFor(), c.stderr());

    List<String> metrics = Files.readAllLines(broken.resolve("metrics.jsonl"));
    assertEquals(5, metrics.size(), "every epoch of the run: " + metrics);
    for (int i = 0; i < 5; i++) {
      assertEquals(i + 1, JSON.readTree(metrics.get(i)).get("epoch").asInt());
    }
    MultiLayerNetwork expected = ModelSerializer.restoreMultiLayerNetwork(whole.resolve("model.zip").toFile());
    MultiLayerNetwork actual = ModelSerializer.restoreMultiLayerNetwork(broken.resolve("model.zip").toFile());
    double diff = expected.params().sub(actual.params()).amaxNumber().doubleValue();
    assertTrue(diff <= 1e-6, "max parameter difference " + diff);
    JsonNode ta = JSON.readTree(whole.resolve("summary.json").toFile()).get("test");
    JsonNode tc = JSON.readTree(broken.resolve("summary.json").toFile()).get("test");
    assertEquals(ta.get("accuracy").asDouble(), tc.get("accuracy").asDouble(), 1e-9);
  }

  @Test
  void resumeRefusesAChangedJob() throws Exception {
    Path run = tmp.resolve("changed");
    TrainerProcess a = TrainerProcess.start(tmp.resolve("logs"), train(run, "--set", "training.epochs=1"));
    assertEquals(0, a.waitFor(), a.stderr());
    TrainerProcess b =
        TrainerProcess.start(
            tmp.resolve("logs"), train(run, "--resume", "--set", "training.learning_rate=0.02"));
    assertEquals(2, b.waitFor(), b.stderr());
    assertTrue(b.stderr().contains("training.learning_rate"), b.stderr());

    // more epochs are allowed
    TrainerProcess c =
        TrainerProcess.start(tmp.resolve("logs"), train(run, "--resume", "--set", "training.epochs=2"));
    assertEquals(0, c.waitFor(), c.stderr());
    assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());
  }

  /** The newest checkpoint damaged (cut short, or one byte flipped): resume falls back a step. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"truncate", "flip"})
  void damagedCheckpointIsReportedAndResumeFallsBack(String damage) throws Exception {
    Path run = tmp.resolve("damaged-" + damage);
    copyTree(threeEpochs(), run);
    Path network = manifest(run, 3).resolveSibling("network.zip");
    byte[] bytes = Files.readAllBytes(network);
    if (damage.equals("truncate")) {
      Files.write(network, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    } else {
      bytes[bytes.length / 2] ^= 0x01;
      Files.write(network, bytes);
    }

    TrainerProcess verify =
        TrainerProcess.start(tmp.resolve("logs"), List.of("checkpoints", "verify", run.resolve("checkpoints").toString()));
    assertEquals(1, verify.waitFor(), verify.stdout() + verify.stderr());
    assertTrue((verify.stdout() + verify.stderr()).contains("network.zip"), verify.stdout() + verify.stderr());

    TrainerProcess b =
        TrainerProcess.start(tmp.resolve("logs"), train(run, "--resume", "--set", "training.epochs=4"));
    b.waitFor();
    assertEquals(0, b.waitFor(), b.stderr());
    assertTrue(b.stderr().contains("network.zip"), "the damage is reported: " + b.stderr());
    List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(4, metrics.size(), metrics.toString());
  }

  /** Killed while a checkpoint is being written: nothing half-written counts, resume still works. */
  @Test
  void killedWhileWritingACheckpoint() throws Exception {
    Path run = tmp.resolve("killed-while-writing");
    TrainerProcess a =
        TrainerProcess.start(
            tmp.resolve("logs"),
            List.of("-Dsparktrain.checkpoint.stall-before-commit-ms=5000"),
            train(run, "--set", "training.epochs=3"));
    Path stalled = manifest(run, 2).resolveSibling("network.zip");
    assertTrue(a.awaitFile(stalled), a.stderr());
    assertEquals(137, a.kill());
    assertFalse(Files.exists(manifest(run, 2)), "the interrupted checkpoint must not look committed");

    TrainerProcess list =
        TrainerProcess.start(
            tmp.resolve("logs"), List.of("checkpoints", "list", run.resolve("checkpoints").toString(), "--json"));
    assertEquals(0, list.waitFor(), list.stderr());
    JsonNode listed = JSON.readTree(list.stdout());
    boolean sawUncommitted = false;
    for (JsonNode c : listed) {
      if (c.get("step").asLong() == 2) {
        assertFalse(c.get("committed").asBoolean());
        sawUncommitted = true;
      }
    }
    assertTrue(sawUncommitted, listed.toString());

    TrainerProcess b = TrainerProcess.start(tmp.resolve("logs"), train(run, "--resume", "--set", "training.epochs=3"));
    assertEquals(0, b.waitFor(), b.stderr());
    assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    assertTrue(Files.exists(manifest(run, 3)));
  }
}
