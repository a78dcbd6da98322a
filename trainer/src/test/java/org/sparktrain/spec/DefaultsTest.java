package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparktrain.spec.SpecFixtures.ABSENT;
import static org.sparktrain.spec.SpecFixtures.MINIMAL;
import static org.sparktrain.spec.SpecFixtures.at;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparktrain.TestJobs;
import org.sparktrain.spec.JobSpec.LayerSpec;

/** A minimal job gets the defaults declared in {@link JobFields}. */
class DefaultsTest {
  private static final JobSpec SPEC = TestJobs.parse(MINIMAL);

  /** Fields that MINIMAL sets itself. */
  private static final List<String> GIVEN =
      List.of("data.path", "data.label.column", "model.layers");

  static Stream<Arguments> defaultedFields() {
    return JobFields.all().values().stream()
        .filter(f -> !f.path().contains("[]") && !GIVEN.contains(f.path()))
        .map(f -> Arguments.of(f.path(), f.defaultValue()));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("defaultedFields")
  void fieldLeftOutTakesItsDeclaredDefault(String path, Object declared) {
    Object value = at(JobSpecWriter.toMap(SPEC), path);
    if (declared == null) {
      assertSame(ABSENT, value, path + " has no default and should stay unset");
    } else {
      assertEquals(declared, value, path);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("defaultedFields")
  void declaredDefaultPassesItsOwnChecks(String path, Object declared) {
    assertNull(JobFields.get(path).check(declared), path);
  }

  @Test
  void documentedDefaults() {
    assertEquals("job", SPEC.name());
    assertEquals(42L, SPEC.seed());
    assertEquals("csv", SPEC.data().format());
    assertEquals(true, SPEC.data().header());
    assertEquals(",", SPEC.data().delimiter());
    assertEquals(new JobSpec.SplitSpec(0.8, 0.1, 0.1), SPEC.data().split());
    assertEquals(0, SPEC.data().partitions());
    assertEquals(0L, SPEC.data().limit());
    assertEquals(
        new JobSpec.FeatureSpec(List.of(), List.of(), List.of(), "standardize"),
        SPEC.data().features());
    assertEquals(new JobSpec.LabelSpec("y", "class_index", 0, "none"), SPEC.data().label());
    assertEquals("xavier", SPEC.model().weightInit());
    assertEquals(new JobSpec.TrainingSpec(10, 32, "adam", 0.001, 0.9, 0.95), SPEC.training());
    assertEquals(
        new JobSpec.StrategySpec(
            "auto",
            0,
            0,
            5,
            0,
            2,
            "export",
            null,
            new JobSpec.ThresholdSpec("adaptive", 0.001),
            40123,
            null),
        SPEC.strategy());
    assertEquals(new JobSpec.OutputSpec(null, true), SPEC.output());
  }

  @Test
  void denseLayerDefaultsToRelu() {
    LayerSpec dense =
        TestJobs.parse(SpecFixtures.BASE.replace(", activation: leakyrelu", ""))
            .model()
            .layers()
            .get(0);
    assertEquals("relu", dense.activation());
    assertEquals(JobFields.get("model.layers[].alpha").defaultValue(), dense.alpha());
    assertNull(dense.name());
    assertNull(dense.loss());
    assertEquals(0.0, dense.rate());
  }

  @Test
  void dropoutLayerCarriesOnlyItsRate() {
    LayerSpec dropout = TestJobs.parse(SpecFixtures.BASE).model().layers().get(1);
    assertEquals(new LayerSpec("dropout", null, 0, null, 0.01, 0.5, null), dropout);
  }

  @ParameterizedTest
  @CsvSource({
    "binary_crossentropy, 1, binary, sigmoid",
    "categorical_crossentropy, 3, class_index, softmax",
    "sparse_categorical_crossentropy, 3, class_index, softmax",
    "mse, 1, numeric, identity",
    "mae, 1, numeric, identity"
  })
  void outputActivationDefaultsFromTheLoss(String loss, int units, String kind, String activation) {
    JobSpec spec =
        TestJobs.parse(
            MINIMAL,
            "data.label.kind=" + kind,
            "model.layers[0].units=" + units,
            "model.layers[0].loss=" + loss);
    assertEquals(activation, spec.model().layers().get(0).activation());
    assertEquals(activation, Resolved.defaultOutputActivation(loss));
  }

  @Test
  void everyLossHasAnOutputActivation() {
    for (String loss : JobFields.LOSSES) {
      assertTrue(JobFields.ACTIVATIONS.contains(Resolved.defaultOutputActivation(loss)), loss);
    }
  }

  @Test
  void fullJobSetsEveryFieldAwayFromItsDefault() {
    java.util.List<Map<String, Object>> maps = new java.util.ArrayList<>();
    for (String full : SpecFixtures.FULLS) {
      maps.add(JobSpecWriter.toMap(TestJobs.parse(full)));
    }
    for (FieldDef f : JobFields.all().values()) {
      if (!f.path().contains("[]") && f.defaultValue() != null) {
        assertTrue(
            maps.stream().anyMatch(m -> !f.defaultValue().equals(at(m, f.path()))),
            f.path() + " in FULL (or FULL_TRANSFER, FULL_KERAS) should differ from its default");
      }
    }
  }
}
