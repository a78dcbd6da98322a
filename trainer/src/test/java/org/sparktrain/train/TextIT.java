package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.data.Datasets;
import org.sparktrain.data.Reviews;
import org.sparktrain.eval.DistributedEvaluator;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.spec.JobSpec;

/**
 * jobs/text-lstm.yaml on a slice of generated reviews with parameter averaging: the embedding and
 * LSTM learn, evaluate's path (the model archive with its saved vocabulary, the job's split)
 * reproduces the test metrics, and predict scores every review.
 */
class TextIT {
  @TempDir static Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void lstmLearnsReviewsAndEvaluateReproducesTheTestMetrics() throws Exception {
    Path csv = tmp.resolve("reviews.csv");
    Reviews.write(csv, 2400, 3);
    Path out = tmp.resolve("run");
    JobSpec spec = TestJobs.job("text-lstm.yaml", "data.path=" + csv.toUri(), "training.epochs=3",
        "training.batch_size=32", "checkpoint.every=0");
    Map<String, Object> summary = new TrainingRun(TestSpark.session(), spec, out.toString()).run();
    Map<String, Object> test = (Map<String, Object>) summary.get("test");
    double accuracy = ((Number) test.get("accuracy")).doubleValue();
    assertTrue(accuracy > 0.75, "test accuracy " + accuracy + " on 2 classes (chance 0.5)");

    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    ModelArchive.Loaded loaded = ModelArchive.load(new org.apache.hadoop.fs.Path(out.resolve("model.zip").toString()), sc.hadoopConfiguration());
    assertTrue(loaded.pipeline().params().vocabulary().contains("not"), "the saved vocabulary holds the training split's words");
    Map<String, Object> again = DistributedEvaluator.evaluate(sc, loaded.network(),
        Datasets.labelledBatches(TestSpark.session(), loaded.spec(), csv.toUri().toString(), "test", loaded.pipeline(), 16),
        loaded.pipeline());
    assertEquals(((Number) test.get("examples")).longValue(), ((Number) again.get("examples")).longValue());
    assertEquals(((Number) test.get("loss")).doubleValue(), ((Number) again.get("loss")).doubleValue(), 1e-6);
    assertEquals(accuracy, ((Number) again.get("accuracy")).doubleValue(), 1e-9);

    // predict: one row per review, keyed by the requested column, no label needed.
    var rows = org.sparktrain.eval.Predictions.score(TestSpark.session(), loaded, csv.toUri().toString(), java.util.List.of("id"))
        .collectAsList();
    assertEquals(2400, rows.size());
    var labels = new java.util.HashMap<String, String>();
    for (String line : java.nio.file.Files.readAllLines(csv).subList(1, 2401)) {
      String[] f = line.split(",");
      labels.put(f[0], f[f.length - 1]);
    }
    long right = 0;
    for (var r : rows) {
      assertEquals(1.0, r.getDouble(r.fieldIndex("probability_negative")) + r.getDouble(r.fieldIndex("probability_positive")), 1e-5);
      right += labels.get(r.getString(r.fieldIndex("id"))).equals(r.getString(r.fieldIndex("prediction"))) ? 1 : 0;
    }
    assertTrue(right > 0.75 * rows.size(), right + " of " + rows.size() + " reviews predicted right");
  }
}
