package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.data.Datasets;
import org.sparktrain.spec.JobSpec;

/**
 * A run whose validation loss rises from the first epoch on: the validation rows carry the
 * opposite labels of the rule the training rows teach. Early stopping with patience 2 must stop
 * after epoch 3 and export the network of epoch 1.
 */
class EarlyStoppingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  private static final String JOB =
      """
      name: rising-validation-loss
      seed: 3
      data:
        format: csv
        path: PATH
        split: {train: 0.6, validation: 0.2, test: 0.2}
        features: {drop: [id], scaling: none}
        label: {column: y, kind: binary}
      model:
        layers:
          - {type: dense, units: 8, activation: tanh}
          - {type: output, units: 1, activation: sigmoid, loss: binary_crossentropy}
      training: {epochs: 10, batch_size: 16, updater: adam, learning_rate: 0.02}
      strategy: {type: averaging, workers: 1, averaging_frequency: 1}
      checkpoint: {every: 1, keep: 10}
      early_stopping: {monitor: val_loss, patience: 2}
      """;

  @Test
  void stopsAtTheExpectedEpochAndExportsTheBestModel() throws Exception {
    SparkSession spark = TestSpark.session();
    Path candidates = tmp.resolve("candidates.csv");
    List<String> lines = new ArrayList<>(List.of("id,x1,x2,y"));
    Random random = new Random(5);
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      double x1 = Math.round(random.nextGaussian() * 1000) / 1000.0;
      double x2 = Math.round(random.nextGaussian() * 1000) / 1000.0;
      int y = x1 + x2 > 0 ? 1 : 0;
      rows.add(new String[] {Integer.toString(i), Double.toString(x1), Double.toString(x2), Integer.toString(y)});
      lines.add(String.join(",", rows.get(i)));
      lines.add(String.join(",", rows.get(i)[0], rows.get(i)[1], rows.get(i)[2], Integer.toString(1 - y)));
    }
    Files.write(candidates, lines);
    JobSpec spec = TestJobs.parse(JOB.replace("PATH", candidates.toUri().toString()));
    Dataset<Row> all = spark.read().option("header", "true").csv(candidates.toUri().toString());
    Dataset<Row>[] parts = Datasets.split(all, spec.data(), spec.seed());
    Set<String> train = keys(parts[0]);
    Set<String> validation = keys(parts[1]);
    Set<String> test = keys(parts[2]);

    // Training rows follow the rule; validation rows contradict it.
    List<String> data = new ArrayList<>(List.of("id,x1,x2,y"));
    int nTrain = 0;
    int nValidation = 0;
    for (String[] r : rows) {
      String right = String.join(",", r);
      String wrong = String.join(",", r[0], r[1], r[2], Integer.toString(1 - Integer.parseInt(r[3])));
      if (train.contains(right)) {
        data.add(right);
        nTrain++;
      } else if (validation.contains(wrong)) {
        data.add(wrong);
        nValidation++;
      } else if (test.contains(right)) {
        data.add(right);
      }
    }
    assertTrue(nTrain > 600 && nValidation > 60, nTrain + " training, " + nValidation + " validation rows");
    Path csv = tmp.resolve("rising.csv");
    Files.write(csv, data);

    Path out = tmp.resolve("run");
    JobSpec job = TestJobs.parse(JOB.replace("PATH", csv.toUri().toString()));
    Set<String> descriptions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    org.apache.spark.scheduler.SparkListener listener =
        new org.apache.spark.scheduler.SparkListener() {
          @Override
          public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
            String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
            if (d != null) {
              descriptions.add(d);
            }
          }
        };
    spark.sparkContext().addSparkListener(listener);
    try {
      new TrainingRun(spark, job, out.toString()).run();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!descriptions.contains("Validate (epoch 2/10)") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    // The Spark UI names each job by phase and epoch.
    assertTrue(descriptions.contains("Train (epoch 1/10)"), descriptions.toString());
    assertTrue(descriptions.contains("Validate (epoch 2/10)"), descriptions.toString());

    List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(3, metrics.size(), "stops after epoch 3: " + metrics);
    double previous = Double.NEGATIVE_INFINITY;
    for (String line : metrics) {
      double valLoss = JSON.readTree(line).get("val_loss").asDouble();
      assertTrue(valLoss > previous, "validation loss rises: " + metrics);
      previous = valLoss;
    }
    JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
    assertEquals(1, summary.get("early_stopping").get("best_epoch").asInt());
    assertTrue(summary.get("early_stopping").get("stopped").asBoolean());

    MultiLayerNetwork exported = ModelSerializer.restoreMultiLayerNetwork(out.resolve("model.zip").toFile());
    MultiLayerNetwork epoch1 =
        ModelSerializer.restoreMultiLayerNetwork(
            ResumeIT.manifest(out, 1).resolveSibling(RunCheckpoints.NETWORK).toFile());
    MultiLayerNetwork epoch3 =
        ModelSerializer.restoreMultiLayerNetwork(
            ResumeIT.manifest(out, 3).resolveSibling(RunCheckpoints.NETWORK).toFile());
    assertEquals(0.0, exported.params().sub(epoch1.params()).amaxNumber().doubleValue(), 1e-7);
    assertTrue(exported.params().sub(epoch3.params()).amaxNumber().doubleValue() > 1e-4);
  }

  private static Set<String> keys(Dataset<Row> rows) {
    Set<String> keys = new HashSet<>();
    for (Row r : rows.collectAsList()) {
      keys.add(String.join(",", r.getString(0), r.getString(1), r.getString(2), r.getString(3)));
    }
    return keys;
  }
}
