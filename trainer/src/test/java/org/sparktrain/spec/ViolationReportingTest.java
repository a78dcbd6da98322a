package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.sparktrain.spec.SpecFixtures.assertViolation;
import static org.sparktrain.spec.SpecFixtures.paths;
import static org.sparktrain.spec.SpecFixtures.violations;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

/** Every violation in a job file is reported at once, each at its own path. */
class ViolationReportingTest {
  private static final String MANY_MISTAKES =
      """
      name: many-mistakes
      seed: forty-two
      trainig:
        epochs: 3
      data:
        path: data/train.csv
        header: maybe
        split: {train: 1.5}
        label: {column: y, kind: multiclass}
      model:
        layers:
          - {type: dense, units: 0}
          - {type: output, units: 3, activation: softplus, loss: sparse_categorical_crossentropy}
      training:
        updater: adamw
        batch_size: 0
      strategy:
        port: 70000
      """;

  @Test
  void everyFieldViolationInAFileIsReported() {
    List<Violation> v = violations(MANY_MISTAKES);
    assertEquals(
        sorted(
            "seed",
            "trainig",
            "data.header",
            "data.split.train",
            "data.label.kind",
            "model.layers[0].units",
            "model.layers[1].activation",
            "training.updater",
            "training.batch_size",
            "strategy.port"),
        sorted(paths(v)));
    assertViolation(v, "seed", "expected an integer, got \"forty-two\"");
    assertViolation(v, "trainig", "did you mean 'training'?");
    assertViolation(v, "data.header", "expected true or false, got \"maybe\"");
    assertViolation(v, "data.split.train", "must be (0, 1], got 1.5");
    assertViolation(
        v, "data.label.kind", "must be one of binary, class_index, numeric, multi_label, reconstruct; got 'multiclass'");
    assertViolation(v, "model.layers[0].units", "must be >= 1, got 0");
    assertViolation(v, "model.layers[1].activation", "got 'softplus'");
    assertViolation(v, "training.updater", "got 'adamw'");
    assertViolation(v, "training.batch_size", "must be >= 1, got 0");
    assertViolation(v, "strategy.port", "must be [1, 65535], got 70000");
  }

  @Test
  void fieldViolationsAndMissingRequiredFieldsAreReportedTogether() {
    List<Violation> v = violations("seed: 1.5\nmodel: {}\ndata: {header: 3}\n");
    assertEquals(sorted("seed", "data.header", "data.path", "model.layers"), sorted(paths(v)));
  }

  private static List<String> sorted(String... paths) {
    return sorted(List.of(paths));
  }

  private static List<String> sorted(List<String> paths) {
    return paths.stream().sorted().toList();
  }

  @Test
  void messageHasOneLinePerViolation() {
    SpecException e = assertThrows(SpecException.class, () -> TestJobs.parse(MANY_MISTAKES));
    List<String> lines = e.getMessage().lines().toList();
    assertEquals(e.violations().size(), lines.size());
    for (int i = 0; i < lines.size(); i++) {
      Violation v = e.violations().get(i);
      assertEquals(v.path() + ": " + v.message(), lines.get(i));
    }
  }

  @Test
  void violationReadsAsPathAndMessage() {
    assertEquals(
        "training.epochs: must be >= 1, got 0",
        new Violation("training.epochs", "must be >= 1, got 0").toString());
  }

  @Test
  void exceptionKeepsItsOwnCopyOfTheViolations() {
    List<Violation> list = new ArrayList<>(List.of(new Violation("a", "b")));
    SpecException e = new SpecException(list);
    list.add(new Violation("c", "d"));
    assertEquals(List.of(new Violation("a", "b")), e.violations());
    assertThrows(
        UnsupportedOperationException.class, () -> e.violations().add(new Violation("e", "f")));
  }

  @Test
  void singleViolationConstructor() {
    SpecException e = new SpecException("job file", "no such file");
    assertEquals(List.of(new Violation("job file", "no such file")), e.violations());
    assertEquals("job file: no such file", e.getMessage());
  }
}
