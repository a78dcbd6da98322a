package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/**
 * A synchronous run validates inside each epoch's barrier stage: no Spark job of its own for
 * validation, every epoch line still has its validation metrics, and the run's seconds per phase
 * count the workers' validation as Validate, not Train.
 */
class ValidationInStageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void epochsValidateWithoutAJobOfTheirOwn() throws Exception {
    SparkSession spark = TestSpark.session();
    Path csv = TestJobs.churnSlice(tmp, 1200);
    JobSpec spec = TestJobs.job("churn.yaml", "data.path=" + csv.toUri(), "training.epochs=3", "checkpoint.every=0",
        "strategy.type=synchronous", "strategy.workers=2", "strategy.averaging_frequency=4");
    Set<String> descriptions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    org.apache.spark.scheduler.SparkListener listener =
        new org.apache.spark.scheduler.SparkListener() {
          @Override
          public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
            String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
            descriptions.add(String.valueOf(d));
          }
        };
    spark.sparkContext().addSparkListener(listener);
    Path out = tmp.resolve("run");
    try {
      new TrainingRun(spark, spec, out.toString()).run();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    assertTrue(descriptions.stream().anyMatch(d -> d.startsWith("synchronous epoch 3")), descriptions.toString());
    assertTrue(descriptions.stream().noneMatch(d -> d.startsWith("Validate")), "no validation job: " + descriptions);

    List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(3, lines.size());
    double evalSeconds = 0;
    for (String line : lines) {
      JsonNode m = JSON.readTree(line);
      assertTrue(m.get("val_accuracy").asDouble() > 0.5, line);
      assertTrue(m.get("val_loss").asDouble() > 0, line);
      assertTrue(m.get("eval_seconds").asDouble() > 0 && m.get("epoch_seconds").asDouble() > 0, line);
      evalSeconds += m.get("eval_seconds").asDouble();
    }
    JsonNode phases = JSON.readTree(out.resolve("summary.json").toFile()).get("phase_seconds");
    // The workers' validation seconds count as Validate (PhasesTest checks the move itself).
    assertTrue(phases.get("Validate").asDouble() > 0 && evalSeconds > 0, phases + ", eval_seconds " + evalSeconds);
    assertTrue(phases.get("Train").asDouble() > phases.get("Validate").asDouble(), phases.toString());
  }
}
