package org.sparktrain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.model.ModelException;
import org.sparktrain.spec.SpecException;

/** A job built in code or from YAML, fitted on a DataFrame in the caller's session, saved, loaded and scored. */
class TrainingJobIT {
  @TempDir static Path tmp;
  private static Dataset<Row> churn;

  @BeforeAll
  static void readData() throws Exception {
    Path csv = TestJobs.churnSlice(tmp, 3000);
    churn = TestSpark.session().read().option("header", true).option("inferSchema", true).csv(csv.toString()).cache();
  }

  private static TrainingJob.Builder churnJob() {
    return TrainingJob.builder()
        .name("churn-api")
        .drop("RowNumber", "CustomerId", "Surname")
        .categorical("Geography", "Gender")
        .label("Exited", "binary")
        .dense(8, "relu")
        .dense(6, "relu")
        .output(1, "sigmoid", "binary_crossentropy")
        .epochs(3)
        .batchSize(32)
        .learningRate(0.01)
        .strategy("averaging")
        .set("strategy.averaging_frequency", 2);
  }

  @Test
  void fitsOnADataFrameKeepsTheSessionSavesLoadsAndScoresAlike() throws Exception {
    SparkSession spark = TestSpark.session();
    TrainedModel model = churnJob().build().fit(churn);

    assertFalse(spark.sparkContext().isStopped(), "fit must not stop the caller's session");
    assertEquals(10, spark.range(10).count());
    assertEquals(3, model.history().size());
    assertEquals(1, ((Number) model.history().get(0).get("epoch")).intValue());
    assertTrue(model.history().get(2).containsKey("val_accuracy"), model.history().get(2).toString());
    double accuracy = ((Number) model.metrics().get("accuracy")).doubleValue();
    // A model that learned nothing predicts "stays" for everyone: about 0.8 on this slice.
    assertTrue(accuracy > 0.78, "test accuracy " + accuracy);
    assertEquals(13, model.pipeline().numInputs());
    assertEquals("<DataFrame>", ((Map<?, ?>) model.summary().get("data")).get("path"));

    String saved = tmp.resolve("saved").toUri().toString();
    model.save(saved);
    assertTrue(Files.exists(tmp.resolve("saved/model.zip")));
    assertTrue(Files.exists(tmp.resolve("saved/metrics.jsonl")));
    ModelException again = assertThrows(ModelException.class, () -> model.save(saved));
    assertTrue(again.getMessage().contains("already holds a model"), again.getMessage());

    TrainedModel loaded = TrainedModel.load(saved);
    assertEquals(model.history(), loaded.history());
    assertEquals(model.metrics().get("accuracy"), loaded.metrics().get("accuracy"));
    List<Row> before = model.predict(churn, "CustomerId").orderBy("CustomerId").collectAsList();
    List<Row> after = loaded.predict(churn, "CustomerId").orderBy("CustomerId").collectAsList();
    assertEquals(churn.count(), before.size());
    assertEquals(List.of("CustomerId", "prediction", "probability_0", "probability_1"),
        List.of(model.predict(churn, "CustomerId").columns()));
    assertEquals(before, after);
  }

  @Test
  void aJobFromYamlWritesItsOutputDirectoryAndRefusesToOverwriteIt() {
    String dir = tmp.resolve("yaml-run").toUri().toString();
    TrainingJob job =
        TrainingJob.fromYaml(
            """
            name: churn-yaml
            data:
              features: {drop: [RowNumber, CustomerId, Surname], categorical: [Geography, Gender]}
              label: {column: Exited, kind: binary}
            model:
              layers:
                - {type: dense, units: 6, activation: relu}
                - {type: output, units: 1, activation: sigmoid, loss: binary_crossentropy}
            training: {epochs: 1, batch_size: 64, learning_rate: 0.01}
            strategy: {type: synchronous}
            """)
            .with("output.dir", dir);
    assertEquals(1, job.spec().training().epochs());
    TrainedModel model = job.fit(churn.limit(600));
    assertEquals(1, model.history().size());
    assertTrue(Files.exists(tmp.resolve("yaml-run/summary.json")));
    assertTrue(Files.exists(tmp.resolve("yaml-run/model.zip")));
    // The run directory is a saved model too.
    assertEquals(model.history(), TrainedModel.load(dir).history());
    SpecException again = assertThrows(SpecException.class, () -> job.fit(churn.limit(600)));
    assertTrue(again.getMessage().contains("already holds a run"), again.getMessage());
  }

  @Test
  void badFieldsAreReportedAllAtOnceWithTheirPaths() {
    SpecException e =
        assertThrows(SpecException.class, () -> churnJob().epochs(0).learningRate(-1).build());
    assertTrue(e.getMessage().contains("training.epochs"), e.getMessage());
    assertTrue(e.getMessage().contains("training.learning_rate"), e.getMessage());
    SpecException noPath = assertThrows(SpecException.class, () -> churnJob().build().fit(TestSpark.session()));
    assertTrue(noPath.getMessage().contains("data.path"), noPath.getMessage());
  }

  @Test
  void aMissingColumnIsNamed() {
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> churnJob().build().fit(churn.drop("Geography")));
    assertTrue(e.getMessage().contains("Geography"), e.getMessage());
  }
}
