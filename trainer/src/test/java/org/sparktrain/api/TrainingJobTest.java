package org.sparktrain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.SpecException;

/** Jobs from code and YAML resolve to the same specs the job files give. */
class TrainingJobTest {
  @Test
  void theBuilderGivesTheJobFileOfJobsChurn() {
    JobSpec built =
        TrainingJob.builder()
            .name("churn")
            .set("data.path", "data/churn/Churn_Modelling.csv")
            .split(0.72, 0.08, 0.2)
            .drop("RowNumber", "CustomerId", "Surname")
            .categorical("Geography", "Gender")
            .set("data.features.scaling", "standardize")
            .label("Exited", "binary")
            .set("model.weight_init", "xavier_uniform")
            .dense(6, "relu")
            .dense(6, "relu")
            .output(1, "sigmoid", "binary_crossentropy")
            .epochs(30)
            .batchSize(10)
            .updater("adam")
            .learningRate(0.001)
            .strategy("auto")
            .outputDir("runs/churn")
            .build()
            .spec();
    assertEquals(TestJobs.job("churn.yaml"), built);
  }

  @Test
  void aJobWithoutDataPathTrainsOnADataFrameAndFieldsChangeLikeSet() {
    TrainingJob job =
        TrainingJob.fromYaml(
            """
            data: {label: {column: y, kind: numeric}}
            model: {layers: [{type: output, units: 1, loss: mse}]}
            """);
    assertEquals(TrainingJob.NO_PATH, job.spec().data().path());
    TrainingJob changed = job.with("training.epochs", 3).with("name", "yes").withSettings("strategy.type=sharing");
    assertEquals(3, changed.spec().training().epochs());
    // YAML would read a plain yes as true; the value stays the string it was given.
    assertEquals("yes", changed.spec().name());
    assertEquals("sharing", changed.spec().strategy().type());
    assertEquals(10, job.spec().training().epochs(), "a job does not change");
    assertTrue(changed.toYaml().contains("epochs: 3"), changed.toYaml());
  }

  @Test
  void everyBadFieldIsReportedWithItsPath() {
    SpecException e =
        assertThrows(
            SpecException.class,
            () -> TrainingJob.builder().label("y", "ordinal").dense(0, "relu").output(1, "sigmoid", "mse").batchSize(0).build());
    List<String> paths = e.violations().stream().map(v -> v.path()).toList();
    assertTrue(paths.contains("data.label.kind"), paths.toString());
    assertTrue(paths.contains("training.batch_size"), paths.toString());
    assertTrue(paths.stream().anyMatch(p -> p.startsWith("model.layers[0]")), paths.toString());
    SpecException yaml = assertThrows(SpecException.class, () -> TrainingJob.fromYaml("data: [unclosed"));
    assertTrue(yaml.getMessage().contains("malformed YAML"), yaml.getMessage());
  }
}
