package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.TestJobs;
import org.sparktrain.TrainerProcess;

/**
 * The command line as users run it: {@code java -jar trainer.jar ...} in a separate JVM, with no
 * extra JVM flags, checked by exit code, output files and messages.
 */
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  private static Path churnSlice;

  /** The first 2,500 customers of the churn dataset. */
  @BeforeAll
  static void slice() throws IOException {
    churnSlice = TestJobs.churnSlice(tmp, 2500);
  }

  record Result(int code, String out, String err) {}

  static Result run(String... args) throws Exception {
    TrainerProcess p = TrainerProcess.start(tmp.resolve("logs"), List.of(args));
    int code = p.waitFor();
    return new Result(code, p.stdout(), p.stderr());
  }

  private static List<String> churnTraining(String strategy, Path output) {
    return List.of(
        "train", "jobs/churn.yaml", "--quiet",
        "--output", output.toString(),
        "--set", "data.path=" + churnSlice.toUri(),
        "--set", "training.epochs=4",
        "--set", "training.batch_size=32",
        "--set", "training.learning_rate=0.01",
        "--set", "strategy.type=" + strategy);
  }

  @Test
  void everyCommandHasHelp() throws Exception {
    for (String command : List.of("train", "validate", "evaluate", "predict")) {
      Result r = run(command, "--help");
      assertEquals(0, r.code(), command + ": " + r.err());
      assertTrue(r.out().contains("Usage: trainer " + command), r.out());
    }
  }

  @Test
  void everyJobFileValidates() throws Exception {
    try (Stream<Path> jobs = Files.list(TestJobs.repoRoot().resolve("jobs"))) {
      for (Path job : jobs.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        Result r = run("validate", job.toString());
        assertEquals(0, r.code(), job + ": " + r.err());
        assertTrue(r.out().contains("is valid"), r.out());
      }
    }
  }

  @Test
  void invalidJobReportsEveryViolationWithExit2() throws Exception {
    Path job = tmp.resolve("bad.yaml");
    Files.writeString(
        job,
        """
        name: bad
        data: {format: csv, path: x.csv, label: {column: y, kind: binary}}
        model:
          layers:
            - {type: dense, units: 0, activation: relu}
            - {type: output, units: 1, activation: sigmoid, loss: binary_crossentropy}
        training: {epochs: -1, learning_rate: 0.01}
        """);
    Result r = run("validate", job.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("model.layers[0].units"), r.err());
    assertTrue(r.err().contains("training.epochs"), r.err());
  }

  @Test
  void usageErrorsExit2() throws Exception {
    Result unknownOption = run("train", "jobs/churn.yaml", "--no-such-option");
    assertEquals(2, unknownOption.code(), unknownOption.err());
    assertTrue(unknownOption.err().contains("--no-such-option"), unknownOption.err());
    Result noCommand = run();
    assertEquals(2, noCommand.code(), noCommand.err());
  }

  @Test
  void missingDataIsBadInputAndSaysWhere() throws Exception {
    Path missing = tmp.resolve("nowhere.csv");
    Result r =
        run("train", "jobs/churn.yaml", "--quiet", "--output", tmp.resolve("missing-run").toString(),
            "--set", "data.path=" + missing.toUri());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("nowhere.csv") && r.err().contains("data.path"), r.err());
  }

  @Test
  void outputThatCannotBeCreatedIsARuntimeFailure() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
    List<String> args = new ArrayList<>(churnTraining("averaging", file.resolve("run")));
    args.set(args.indexOf("--quiet"), "--verbose");
    Result r = run(args.toArray(String[]::new));
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("a-file"), r.err());
    assertTrue(r.err().contains("INFO  SparkContext"), "--verbose shows Spark's INFO lines: " + r.err());
  }

  /**
   * Each strategy trains the churn network on a slice in local mode, writes its outputs, and
   * learns: validation loss falls and test AUC is well above chance.
   */
  @ParameterizedTest
  @ValueSource(strings = {"averaging", "sharing"})
  void eachStrategyTrainsAndEvaluateAndPredictReuseTheModel(String strategy) throws Exception {
    Path run = tmp.resolve("run-" + strategy);
    Result r = run(churnTraining(strategy, run).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    assertFalse(r.err().contains(" INFO "), "--quiet shows warnings and errors only: " + r.err());

    List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(4, metrics.size());
    JsonNode first = JSON.readTree(metrics.get(0));
    JsonNode last = JSON.readTree(metrics.get(3));
    for (String key : List.of("epoch", "train_loss", "val_loss", "val_accuracy", "val_auc", "epoch_seconds", "samples_per_second")) {
      assertTrue(last.hasNonNull(key), key + " missing in " + last);
    }
    assertTrue(
        last.get("val_loss").asDouble() < first.get("val_loss").asDouble(),
        "validation loss must fall: " + metrics);

    JsonNode summary = JSON.readTree(run.resolve("summary.json").toFile());
    JsonNode test = summary.get("test");
    assertEquals(strategy, summary.get("strategy").asText());
    assertTrue(test.get("auc").asDouble() > 0.70, "test AUC " + test);
    for (String key : List.of("accuracy", "precision", "recall", "f1", "auc")) {
      assertTrue(test.has(key), key + " missing in " + test);
    }
    assertTrue(Files.size(run.resolve("model.zip")) > 0);
    assertTrue(Files.exists(run.resolve("report.html")) && Files.exists(run.resolve("loss.png")));

    // evaluate on the test split reproduces the test metrics of the summary
    Path evaluation = tmp.resolve("evaluation-" + strategy + ".json");
    Result e =
        run("evaluate", run.resolve("model.zip").toString(), churnSlice.toUri().toString(),
            "--split", "test", "--output", evaluation.toString(), "--quiet");
    assertEquals(0, e.code(), e.err());
    JsonNode evaluated = JSON.readTree(evaluation.toFile());
    assertEquals(test.get("examples").asLong(), evaluated.get("examples").asLong());
    for (String key : List.of("loss", "accuracy", "precision", "recall", "f1", "auc")) {
      assertEquals(test.get(key).asDouble(), evaluated.get(key).asDouble(), 1e-6, key);
    }

    // predict writes one row per input row
    Path predictions = tmp.resolve("predictions-" + strategy);
    Result p =
        run("predict", run.resolve("model.zip").toString(), churnSlice.toUri().toString(),
            "--output", predictions.toString(), "--format", "csv", "--quiet");
    assertEquals(0, p.code(), p.err());
    long rows = 0;
    try (Stream<Path> parts = Files.list(predictions)) {
      for (Path part : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
        rows += Files.readAllLines(part, StandardCharsets.UTF_8).size() - 1;
      }
    }
    assertEquals(2500, rows);
  }

  /**
   * In local mode with several workers and OMP_NUM_THREADS unset, `java -jar trainer.jar train`
   * trains in a JVM whose native threads are each worker's share of the cores, which the
   * strategy reports as the JVM's OMP_NUM_THREADS.
   */
  @Test
  void localWorkersGetTheirShareOfNativeThreadsWithoutExportingAnything() throws Exception {
    Path run = tmp.resolve("native-threads");
    List<String> args = new ArrayList<>(churnTraining("synchronous", run));
    args.remove("--quiet");
    args.addAll(List.of("--master", "local[2]", "--set", "strategy.workers=2", "--set", "training.epochs=1"));
    TrainerProcess p = TrainerProcess.start(tmp.resolve("logs"), List.of(), args, Map.of("OMP_NUM_THREADS", ""));
    assertEquals(0, p.waitFor(), p.stderr());
    String log = p.stdout() + p.stderr();
    assertTrue(log.contains("OMP_NUM_THREADS=1 (2 local cores / 2 workers;"), log);
    assertTrue(log.contains("2 workers, 1 native threads each (from OMP_NUM_THREADS of this JVM)"), log);
    assertEquals(1, Files.readAllLines(run.resolve("metrics.jsonl")).size());
  }

  /** A loss that turns NaN stops the run with exit 2 before the epoch is checkpointed or saved. */
  @Test
  void divergingTrainingStopsWithExit2AndSavesNothingOfThatEpoch() throws Exception {
    Path data = largeValues(tmp.resolve("large-values.csv"), 400);
    Path run = tmp.resolve("diverged");
    Result r2 =
        trainUnscaledSgd(data, run,
            "--set", "training.learning_rate=10",
            "--set", "training.epochs=2");
    assertEquals(2, r2.code(), r2.err());
    assertTrue(r2.err().contains("diverged in epoch 1"), r2.err());
    assertTrue(r2.err().matches("(?s).*diverged in epoch 1 \\(by iteration \\d+\\).*"), r2.err());
    assertTrue(r2.err().contains("training.learning_rate"), r2.err());
    assertFalse(Files.exists(run.resolve("model.zip")));
    assertFalse(Files.exists(run.resolve("checkpoints").resolve("step-0000000001").resolve("MANIFEST.json")));
  }

  /**
   * A run whose first epoch is finite and whose second overflows (plain SGD on unscaled values
   * with a small learning rate: the validation loss grows from about 1e14 to infinity) stops in
   * epoch 2 with exit 2 and keeps epoch 1: its metrics line and its checkpoint, which verifies.
   */
  @Test
  void divergingInALaterEpochKeepsTheLastGoodCheckpoint() throws Exception {
    Path data = largeValues(tmp.resolve("large-values-40.csv"), 40);
    Path run = tmp.resolve("diverged-later");
    Result r2 =
        trainUnscaledSgd(data, run,
            "--set", "training.learning_rate=0.000001",
            "--set", "training.batch_size=64",
            "--set", "training.epochs=4");
    assertEquals(2, r2.code(), r2.err());
    assertTrue(r2.err().matches("(?s).*diverged in epoch 2 \\(by iteration \\d+\\).*"), r2.err());
    assertTrue(r2.err().contains("holds the last good state"), r2.err());
    List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8);
    assertEquals(1, metrics.size(), "only epoch 1 is recorded: " + metrics);
    assertTrue(metrics.get(0).startsWith("{\"epoch\":1,"), metrics.get(0));
    Path checkpoints = run.resolve("checkpoints");
    assertTrue(Files.exists(checkpoints.resolve("step-0000000001").resolve("MANIFEST.json")));
    assertFalse(Files.exists(checkpoints.resolve("step-0000000002")));
    assertFalse(Files.exists(run.resolve("model.zip")));
    Result verify = run("checkpoints", "verify", checkpoints.toString());
    assertEquals(0, verify.code(), verify.out() + verify.err());
  }

  /** {@code rows} rows of three features in [100, 1000] and y = a + 2b - c, unscaled. */
  private static Path largeValues(Path data, int rows) throws Exception {
    List<String> lines = new ArrayList<>(List.of("a,b,c,y"));
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < rows; i++) {
      double a = 100 + r.nextDouble() * 900;
      double b = 100 + r.nextDouble() * 900;
      double c = 100 + r.nextDouble() * 900;
      lines.add(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%.3f,%.3f", a, b, c, a + 2 * b - c));
    }
    Files.write(data, lines);
    return data;
  }

  /** The concrete job on {@code data} with plain SGD and no scaling of features or target. */
  private static Result trainUnscaledSgd(Path data, Path run, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "train", "jobs/concrete.yaml", "--quiet", "--output", run.toString(),
        "--set", "data.path=" + data.toUri(),
        "--set", "data.label.column=y",
        "--set", "data.features.scaling=none",
        "--set", "data.label.scaling=none",
        "--set", "training.updater=sgd"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }
}
