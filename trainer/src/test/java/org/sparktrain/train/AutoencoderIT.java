package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.eval.Predictions;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.spec.JobSpec;

/**
 * jobs/mnist-autoencoder.yaml on a slice of MNIST: the reconstruction loss falls over the epochs,
 * evaluation reports the reconstruction MSE, and predict writes a reconstruction error per image
 * whose mean agrees with the test MSE.
 */
class AutoencoderIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void reconstructionLossFallsAndPredictScoresEachImage() throws Exception {
    SparkSession spark = TestSpark.session();
    Path mnist = TestJobs.repoRoot().resolve("data/mnist");
    assumeTrue(Files.exists(mnist.resolve("train-images-idx3-ubyte")), "MNIST not fetched (deploy/fetch-data.sh)");
    Path out = tmp.resolve("run");
    JobSpec spec = TestJobs.job("mnist-autoencoder.yaml",
        "data.path=" + mnist, "data.limit=1500", "training.epochs=3", "checkpoint.every=0");
    new TrainingRun(spark, spec, out.toString()).run();

    List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(3, lines.size());
    JsonNode first = JSON.readTree(lines.get(0));
    JsonNode last = JSON.readTree(lines.get(2));
    assertTrue(last.get("val_loss").asDouble() < 0.9 * first.get("val_loss").asDouble(),
        "validation reconstruction loss should fall: " + lines);
    assertTrue(last.get("val_mse").asDouble() < first.get("val_mse").asDouble(), lines.toString());
    JsonNode test = JSON.readTree(out.resolve("summary.json").toFile()).get("test");
    double testMse = test.get("mse").asDouble();
    assertTrue(testMse > 0 && testMse < first.get("val_mse").asDouble(), "test reconstruction mse " + testMse);

    ModelArchive.Loaded model =
        ModelArchive.load(new org.apache.hadoop.fs.Path(out.resolve("model.zip").toString()), new Configuration());
    Dataset<Row> scored = Predictions.score(spark, model, mnist.toString(), List.of());
    assertEquals(List.of("index", Predictions.RECONSTRUCTION_ERROR), List.of(scored.columns()));
    Row stats = scored.agg(
        org.apache.spark.sql.functions.avg(Predictions.RECONSTRUCTION_ERROR),
        org.apache.spark.sql.functions.min(Predictions.RECONSTRUCTION_ERROR),
        org.apache.spark.sql.functions.count("index")).first();
    // predict scores every t10k image (no data.limit), the test split the first 1500 of them.
    assertEquals(10_000L, stats.getLong(2), "one row per test image");
    assertTrue(stats.getDouble(1) >= 0);
    assertEquals(testMse, stats.getDouble(0), 0.25 * testMse, "mean per-image error against the test mse");
  }
}
