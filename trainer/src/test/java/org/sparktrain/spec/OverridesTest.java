package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.sparktrain.spec.SpecFixtures.BASE;
import static org.sparktrain.spec.SpecFixtures.assertViolation;
import static org.sparktrain.spec.SpecFixtures.paths;
import static org.sparktrain.spec.SpecFixtures.violations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.TestJobs;

/** {@code --set PATH=VALUE}: overrides applied to the raw tree before validation. */
class OverridesTest {

  @Test
  void overridesANestedNumber() {
    JobSpec spec = TestJobs.parse(BASE, "training.epochs=2");
    assertEquals(2, spec.training().epochs());
    assertEquals(TestJobs.parse(BASE).training().batchSize(), spec.training().batchSize());
  }

  @Test
  void overridesAPathWithAUri() {
    assertEquals(
        "file:///tmp/x.csv", TestJobs.parse(BASE, "data.path=file:///tmp/x.csv").data().path());
  }

  @Test
  void overridesAUriWithAColonAndSpaceAsText() {
    assertEquals(
        "s3a://bucket/a: b.csv",
        TestJobs.parse(BASE, "data.path=s3a://bucket/a: b.csv").data().path());
  }

  @Test
  void overridesAFieldOfOneLayer() {
    JobSpec spec = TestJobs.parse(BASE, "model.layers[0].units=8", "model.layers[1].rate=0.25");
    assertEquals(8, spec.model().layers().get(0).units());
    assertEquals(0.25, spec.model().layers().get(1).rate());
    assertEquals(3, spec.model().layers().get(2).units());
  }

  @Test
  void overridesAColumnList() {
    assertEquals(
        List.of("a", "b"),
        TestJobs.parse(BASE, "data.features.drop=[a, b]").data().features().drop());
  }

  @Test
  void overridesTheWholeLayerList() {
    JobSpec spec =
        TestJobs.parse(
            BASE, "model.layers=[{type: output, units: 2, loss: categorical_crossentropy}]");
    assertEquals(1, spec.model().layers().size());
    assertEquals(2, spec.model().layers().get(0).units());
  }

  @Test
  void overridesABoolean() {
    assertEquals(false, TestJobs.parse(BASE, "output.save_model=false").output().saveModel());
  }

  @Test
  void createsAMissingSection() {
    JobSpec spec = TestJobs.parse(BASE, "strategy.threshold.initial=0.01");
    assertEquals(0.01, spec.strategy().threshold().initial());
  }

  @Test
  void fillsASectionWrittenWithoutFields() {
    assertEquals(3, TestJobs.parse(BASE + "training:\n", "training.epochs=3").training().epochs());
  }

  @Test
  void laterOverrideWins() {
    assertEquals(
        5, TestJobs.parse(BASE, "training.epochs=2", "training.epochs=5").training().epochs());
  }

  @Test
  void trimsSpacesAroundThePathAndValue() {
    assertEquals(7, TestJobs.parse(BASE, " training.epochs = 7").training().epochs());
  }

  @Test
  void nullClearsAnOptionalField() {
    String yaml =
        BASE.replace("path: data/train.csv", "path: data/train.csv\n  test_path: data/test.csv");
    JobSpec spec = TestJobs.parse(yaml, "data.test_path=null");
    assertNull(spec.data().testPath());
  }

  @Test
  void emptyValueRestoresTheDefault() {
    String yaml = BASE + "training:\n  epochs: 3\n";
    assertEquals(
        JobFields.get("training.epochs").defaultValue(),
        TestJobs.parse(yaml, "training.epochs=").training().epochs());
  }

  @Test
  void overridesAJobFromTheJobsDirectory() {
    JobSpec spec = TestJobs.job("churn.yaml", "training.epochs=2", "data.path=file:///tmp/x.csv");
    assertEquals(2, spec.training().epochs());
    assertEquals("file:///tmp/x.csv", spec.data().path());
    assertEquals(TestJobs.job("churn.yaml").model(), spec.model());
  }

  // Errors

  @Test
  void unknownFieldIsReportedAtItsPathWithASuggestion() {
    List<Violation> v = violations(BASE, "training.epoch=2");
    assertEquals(List.of("training.epoch"), paths(v));
    assertViolation(v, "training.epoch", "did you mean 'training.epochs'?");
  }

  @Test
  void unknownSectionIsReportedAtItsPath() {
    List<Violation> v = violations(BASE, "trainin.epochs=2");
    assertEquals(List.of("trainin"), paths(v));
    assertViolation(v, "trainin", "did you mean 'training'?");
  }

  @Test
  void unknownLayerFieldIsReportedAtItsPath() {
    assertViolation(
        violations(BASE, "model.layers[0].unit=8"),
        "model.layers[0].unit",
        "did you mean 'model.layers[i].units'?");
  }

  @Test
  void valueOfTheWrongTypeIsReportedAtItsPath() {
    List<Violation> v = violations(BASE, "training.epochs=two");
    assertEquals(List.of("training.epochs"), paths(v));
    assertViolation(v, "training.epochs", "expected an integer, got \"two\"");
  }

  @Test
  void valueOutOfRangeIsReportedAtItsPath() {
    assertViolation(
        violations(BASE, "training.learning_rate=-0.1"),
        "training.learning_rate",
        "must be > 0, got -0.1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"training.epochs", "=2", ""})
  void overrideWithoutPathAndValueIsRejected(String override) {
    List<Violation> v = violations(BASE, override);
    assertEquals(List.of("--set " + override), paths(v));
    assertViolation(v, "--set " + override, "expected PATH=VALUE, e.g. --set training.epochs=2");
  }

  @Test
  void layerIndexOutOfRangeIsReported() {
    List<Violation> v = violations(BASE, "model.layers[3].units=8");
    assertEquals(List.of("model.layers[3].units"), paths(v));
    assertViolation(
        v,
        "model.layers[3].units",
        "index 3 is out of range; the list has 3 item(s) (from --set model.layers[3].units=8)");
  }

  @Test
  void indexIntoAFieldThatIsNotAListIsReported() {
    assertViolation(
        violations(BASE, "training[0].epochs=2"),
        "training[0].epochs",
        "index 0 is out of range; the list has 0 item(s)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"model.layers[x].units=8", "model.layers[0.units=8", "model.layers[].units=8"})
  void malformedIndexIsReported(String override) {
    String path = override.substring(0, override.indexOf('='));
    assertViolation(violations(BASE, override), path, "malformed list index");
  }

  @Test
  void fieldInsideAValueIsReported() {
    assertViolation(
        violations(BASE, "name.first=x"),
        "name.first",
        "cannot set a field inside a value that is not a mapping");
  }

  @Test
  void everyBadOverrideIsReportedAtOnce() {
    List<Violation> v =
        violations(
            BASE, "training.epochs=two", "training.epoch=2", "model.layers[9].units=1", "nonsense");
    assertEquals(
        List.of("--set nonsense", "model.layers[9].units", "training.epoch", "training.epochs"),
        paths(v).stream().sorted().toList());
  }

  // Values

  @Test
  void valueIsReadAsAYamlScalarOrFlowList() {
    assertEquals(2, Overrides.value("2"));
    assertEquals(3_000_000_000L, Overrides.value("3000000000"));
    assertEquals(0.5, Overrides.value("0.5"));
    assertEquals(true, Overrides.value("true"));
    assertEquals(List.of("a", "b"), Overrides.value("[a, b]"));
    assertEquals("adam", Overrides.value("adam"));
    assertEquals("file:///tmp/x.csv", Overrides.value("file:///tmp/x.csv"));
  }

  @Test
  void valueThatLooksLikeAMappingStaysText() {
    assertEquals("{a: 1}", Overrides.value("{a: 1}"));
    assertEquals("a: b", Overrides.value("a: b"));
  }

  @Test
  void valueThatYamlReadsAsNothingStaysText() {
    assertEquals("#", Overrides.value("#"));
    assertEquals("[unclosed", Overrides.value("[unclosed"));
  }

  @Test
  void nullAndEmptyValuesAreNull() {
    assertNull(Overrides.value("null"));
    assertNull(Overrides.value(""));
    assertNull(Overrides.value("  "));
  }

  @Test
  void applyChangesOnlyTheNamedField() {
    Map<String, Object> training = new LinkedHashMap<>(Map.of("epochs", 3));
    Map<String, Object> root = new LinkedHashMap<>(Map.of("training", training, "name", "x"));
    List<Violation> violations = new ArrayList<>();
    Overrides.apply(root, List.of("training.batch_size=8"), violations);
    assertEquals(List.of(), violations);
    assertEquals(Map.of("epochs", 3, "batch_size", 8), root.get("training"));
    assertEquals("x", root.get("name"));
  }
}
