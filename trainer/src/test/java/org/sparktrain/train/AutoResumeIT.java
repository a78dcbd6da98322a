package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.files.RunLayout;
import org.sparktrain.spec.JobSpec;

/**
 * auto, the default strategy, chooses workers, threads and averaging frequency by a probe; a
 * resumed run takes the choice saved with the checkpoint instead of probing again, so it ends
 * exactly as the uninterrupted run.
 */
class AutoResumeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void aResumedAutoRunKeepsTheSavedChoiceAndEndsAsTheUninterruptedRun() throws Exception {
    SparkSession spark = TestSpark.session();
    Path data = TestJobs.churnSlice(tmp, 1200);
    JobSpec job =
        TestJobs.job("churn.yaml",
            "data.path=" + data.toUri(),
            "training.epochs=3",
            "training.batch_size=16",
            "strategy.type=auto",
            "checkpoint.every=1",
            "checkpoint.keep=5");
    Path whole = tmp.resolve("whole");
    new TrainingRun(spark, job, whole.toString()).run();

    List<Path> steps = steps(whole);
    assertEquals(3, steps.size(), steps.toString());
    JsonNode choice = JSON.readTree(steps.get(2).resolve(RunLayout.Checkpoint.STATE).toFile()).get("strategy_choice");
    assertTrue(choice != null && choice.get("workers").asInt() >= 1 && choice.get("averaging_frequency").asInt() >= 1,
        "the checkpoint saves auto's choice: " + choice);
    assertEquals(choice, JSON.readTree(steps.get(0).resolve(RunLayout.Checkpoint.STATE).toFile()).get("strategy_choice"));

    // The same run killed after epoch 2's checkpoint: no epoch-3 checkpoint, no final outputs.
    Path killed = tmp.resolve("killed");
    copy(whole, killed);
    deleteTree(steps(killed).get(2));
    for (String finished : List.of(RunLayout.SUMMARY, RunLayout.MODEL, RunLayout.REPORT)) {
      Files.deleteIfExists(killed.resolve(finished));
    }
    try (Stream<Path> files = Files.list(killed)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".png")).toList()) {
        Files.delete(f);
      }
    }
    new TrainingRun(spark, job, killed.toString(), true).run();

    assertEquals(choice, JSON.readTree(steps(killed).get(2).resolve(RunLayout.Checkpoint.STATE).toFile()).get("strategy_choice"));
    MultiLayerNetwork a = ModelSerializer.restoreMultiLayerNetwork(whole.resolve(RunLayout.MODEL).toFile(), true);
    MultiLayerNetwork b = ModelSerializer.restoreMultiLayerNetwork(killed.resolve(RunLayout.MODEL).toFile(), true);
    assertArrayEquals(a.params().toFloatVector(), b.params().toFloatVector(), "parameters after the resumed epoch 3");
    assertArrayEquals(
        a.getUpdater().getStateViewArray().toFloatVector(), b.getUpdater().getStateViewArray().toFloatVector(),
        "updater state after the resumed epoch 3");
  }

  private static List<Path> steps(Path run) throws Exception {
    try (Stream<Path> s = Files.list(run.resolve(RunLayout.CHECKPOINTS))) {
      return s.filter(p -> RunLayout.Checkpoint.stepOf(p.getFileName().toString()).isPresent())
          .sorted(Comparator.naturalOrder())
          .toList();
    }
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.sorted().toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
