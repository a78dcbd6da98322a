package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.RunFiles;
import org.sparktrain.TestJobs;
import org.sparktrain.TrainerProcess;

/**
 * Runs killed with SIGKILL (with every process they started) at 26 points spread over a run's
 * life, each resumed with --resume: every file a killed run leaves is whole, and the resumed runs
 * end with exactly the parameters and metrics of an uninterrupted run (synchronous, 2 workers).
 */
class ResumeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Startup dominates these short JVMs; the client compiler halves their CPU time. */
  private static final List<String> JVM = List.of("-XX:TieredStopAtLevel=1");

  @TempDir static Path tmp;
  private static Path slice;
  private static Path uninterrupted;
  private static double uninterruptedSeconds;

  @BeforeAll
  static void uninterruptedRun() throws Exception {
    slice = TestJobs.churnSlice(tmp, 1000);
    uninterrupted = tmp.resolve("uninterrupted");
    TrainerProcess a = start(uninterrupted, List.of());
    assertEquals(0, a.waitFor(), a.stderr());
    uninterruptedSeconds = a.seconds();
  }

  private static List<String> train(Path output, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train", "jobs/churn.yaml", "--quiet",
                "--output", output.toString(),
                "--set", "data.path=" + slice.toUri(),
                "--set", "training.epochs=3",
                "--set", "training.batch_size=32",
                "--set", "training.learning_rate=0.01",
                "--set", "strategy.type=synchronous",
                "--set", "strategy.workers=2",
                "--set", "strategy.averaging_frequency=2",
                "--set", "checkpoint.every=1",
                "--set", "checkpoint.keep=2"));
    args.addAll(List.of(extra));
    return args;
  }

  private static TrainerProcess start(Path output, List<String> jvm, String... extra) throws Exception {
    List<String> options = new ArrayList<>(JVM);
    options.addAll(jvm);
    return TrainerProcess.start(tmp.resolve("logs"), options, train(output, extra));
  }

  /** Where to kill: at a pause point, or (point null) at a time after the JVM's start. */
  private record Kill(String point, double seconds) {
    static Kill at(String point) {
      return new Kill(point, 0);
    }

    static Kill after(double seconds) {
      return new Kill(null, seconds);
    }

    @Override
    public String toString() {
      return point != null ? point : String.format("%.1f s", seconds);
    }
  }

  /**
   * Kills a run at each of {@code kills} in turn, the first a new run and each later one the
   * resume of the one before; after every kill, checks that each file there is whole and that the
   * epochs recorded are the uninterrupted run's. A time of -f means f times the time the previous
   * JVM took to reach its point. Returns each kill with the seconds its JVM ran.
   */
  private static List<String> killInTurn(Path run, List<Kill> kills) throws Exception {
    List<String> log = new ArrayList<>();
    List<Map<String, Object>> expected = RunFiles.epochs(uninterrupted);
    double previous = uninterruptedSeconds;
    for (int i = 0; i < kills.size(); i++) {
      Kill kill = kills.get(i);
      String[] resume = i == 0 ? new String[0] : new String[] {"--resume"};
      TrainerProcess p =
          start(run, kill.point() == null ? List.of() : List.of("-Dsparktrain.pause.at=" + kill.point()), resume);
      if (kill.point() != null) {
        assertTrue(
            p.awaitStderr("PAUSED " + kill.point()),
            "kill " + (i + 1) + ": the run never reached " + kill.point() + ": " + p.stderr());
      } else {
        double at = kill.seconds() < 0 ? -kill.seconds() * previous : kill.seconds();
        assertTrue(p.aliveAt(at), "kill " + (i + 1) + ": the run ended before " + at + " s: " + p.stderr());
      }
      previous = p.seconds();
      assertEquals(137, p.kill(), "SIGKILL");
      log.add(String.format("%s %.1f s", kill, previous));
      String when = "after kill " + (i + 1) + " at " + kill;
      RunFiles.assertWhole(run, when);
      List<Map<String, Object>> recorded = RunFiles.epochs(run);
      assertEquals(expected.subList(0, recorded.size()), recorded, "epochs recorded " + when);
    }
    return log;
  }

  private static void assertSameAsUninterrupted(Path run) throws Exception {
    assertEquals(RunFiles.parameters(uninterrupted.resolve("model.zip")), RunFiles.parameters(run.resolve("model.zip")));
    assertEquals(RunFiles.epochs(uninterrupted), RunFiles.epochs(run));
    JsonNode a = JSON.readTree(uninterrupted.resolve("summary.json").toFile()).get("test");
    JsonNode b = JSON.readTree(run.resolve("summary.json").toFile()).get("test");
    assertEquals(a, b, "test metrics");
  }

  /**
   * 23 kills in one chain: each phase of each epoch, inside checkpoint writes (after a file,
   * before the manifest), during the metrics, job, model and summary replacements, during the
   * retention of an old checkpoint, and at two times; then the last resume runs to the end.
   */
  @Test
  void killedAtEveryPointResumesToTheUninterruptedRun() throws Exception {
    long t0 = System.nanoTime();
    Path run = tmp.resolve("killed");
    List<Kill> kills =
        List.of(
            Kill.after(3), // JVM and Spark starting: nothing written
            Kill.at("read-and-prepare-data"),
            Kill.at("replace-job.yaml"),
            Kill.at("build-model"),
            Kill.at("train@1"),
            Kill.at("validate@1"),
            Kill.at("checkpoint@1"),
            Kill.at("checkpoint-file@1"), // network.zip written, the other files not
            Kill.at("checkpoint-manifest@1"), // every file but the manifest
            Kill.at("replace-metrics.jsonl"), // epoch 1's line, checkpoint 1 committed
            Kill.at("find-checkpoint"),
            Kill.at("replace-metrics.jsonl"), // the resume rewriting the checkpoint's history
            Kill.at("train@2"),
            Kill.at("checkpoint-file@2:2"),
            Kill.at("checkpoint-manifest@2"),
            Kill.at("replace-metrics.jsonl:2"), // epoch 2's line
            Kill.at("train@3"),
            Kill.at("checkpoint-delete@1"), // step 1's manifest deleted, its files not
            Kill.after(-0.5), // reading data or evaluating, by the time the last JVM took
            Kill.at("evaluate-test-split"),
            Kill.at("save-model"),
            Kill.at("replace-model.zip"),
            Kill.at("replace-summary.json"));
    List<String> log = killInTurn(run, kills);

    TrainerProcess last = start(run, List.of(), "--resume");
    assertEquals(0, last.waitFor(), last.stderr());
    assertSameAsUninterrupted(run);
    RunFiles.assertWhole(run, "after the last resume");
    assertEquals(List.of(), RunFiles.temporaryFiles(run));
    System.out.printf(
        "sweep: %d kills in %.0f s (uninterrupted run %.1f s): %s%n",
        kills.size(), (System.nanoTime() - t0) / 1e9, uninterruptedSeconds, log);
  }

  /**
   * Two kills at times into the run, then one while the report is written: summary.json is
   * there, so the run is finished and a resume is refused without touching anything.
   */
  @Test
  void killedAtTimesAndDuringTheReport() throws Exception {
    Path run = tmp.resolve("killed-at-times");
    killInTurn(run, List.of(Kill.after(0.6 * uninterruptedSeconds), Kill.after(0.4 * uninterruptedSeconds), Kill.at("replace-loss.png")));
    Map<String, String> before = RunFiles.snapshot(run);
    TrainerProcess refused = start(run, List.of(), "--resume");
    assertEquals(2, refused.waitFor(), refused.stderr());
    assertTrue(refused.stderr().contains("finished after epoch 3"), refused.stderr());
    assertEquals(before, RunFiles.snapshot(run), "nothing of the finished run changed");
    assertEquals(RunFiles.parameters(uninterrupted.resolve("model.zip")), RunFiles.parameters(run.resolve("model.zip")));
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  /**
   * The uninterrupted run as a kill before its summary leaves it (the kill at replace-summary.json
   * shows that state is real): every epoch checkpointed, no summary.json or report.
   */
  private static Path unfinishedCopy(String name) throws Exception {
    Path run = tmp.resolve(name);
    copyTree(uninterrupted, run);
    for (String file : List.of("summary.json", "report.html", "loss.png", "metrics.png", "confusion.png", "roc.png")) {
      Files.deleteIfExists(run.resolve(file));
    }
    return run;
  }

  static Path manifest(Path output, int step) {
    return output.resolve("checkpoints").resolve(String.format("step-%010d", step)).resolve("MANIFEST.json");
  }

  @Test
  void resumeRefusesAChangedJobAndAllowsMoreEpochs() throws Exception {
    Path run = unfinishedCopy("changed");
    Map<String, String> before = RunFiles.snapshot(run);
    TrainerProcess b = start(run, List.of(), "--resume", "--set", "training.learning_rate=0.02");
    assertEquals(2, b.waitFor(), b.stderr());
    assertTrue(b.stderr().contains("training.learning_rate"), b.stderr());
    assertEquals(before, RunFiles.snapshot(run), "a refused resume changes nothing");

    TrainerProcess c = start(run, List.of(), "--resume", "--set", "training.epochs=4");
    assertEquals(0, c.waitFor(), c.stderr());
    List<Map<String, Object>> epochs = RunFiles.epochs(run);
    assertEquals(4, epochs.size());
    assertEquals(RunFiles.epochs(uninterrupted), epochs.subList(0, 3));
  }

  /** The newest checkpoint damaged (cut short, or one byte flipped): resume falls back a step. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"truncate", "flip"})
  void damagedCheckpointIsReportedAndResumeFallsBack(String damage) throws Exception {
    Path run = unfinishedCopy("damaged-" + damage);
    Path network = manifest(run, 3).resolveSibling("network.zip");
    byte[] bytes = Files.readAllBytes(network);
    if (damage.equals("truncate")) {
      Files.write(network, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    } else {
      bytes[bytes.length / 2] ^= 0x01;
      Files.write(network, bytes);
    }

    TrainerProcess verify =
        TrainerProcess.start(tmp.resolve("logs"), JVM, List.of("checkpoints", "verify", run.resolve("checkpoints").toString()));
    assertEquals(1, verify.waitFor(), verify.stdout() + verify.stderr());
    assertTrue((verify.stdout() + verify.stderr()).contains("network.zip"), verify.stdout() + verify.stderr());

    TrainerProcess b = start(run, List.of(), "--resume", "--set", "training.epochs=4");
    assertEquals(0, b.waitFor(), b.stderr());
    assertTrue(b.stderr().contains("network.zip"), "the damage is reported: " + b.stderr());
    List<Map<String, Object>> epochs = RunFiles.epochs(run);
    assertEquals(4, epochs.size(), epochs.toString());
    try (var dirs = Files.list(run.resolve("checkpoints"))) {
      assertTrue(
          dirs.anyMatch(d -> d.getFileName().toString().startsWith("damaged-step-0000000003-")),
          "the damaged step is moved aside");
    }
    RunFiles.assertWhole(run, "after the resume");
  }
}
