package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparktrain.spec.SpecFixtures.ABSENT;
import static org.sparktrain.spec.SpecFixtures.BASE;
import static org.sparktrain.spec.SpecFixtures.FULL;
import static org.sparktrain.spec.SpecFixtures.MINIMAL;
import static org.sparktrain.spec.SpecFixtures.at;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.TestJobs;

/** The resolved job file: every field written, and read back to an equal spec. */
class JobSpecWriterTest {

  static Stream<Arguments> jobs() {
    return Stream.of(
        Arguments.of("minimal", MINIMAL, new String[0]),
        Arguments.of("base", BASE, new String[0]),
        Arguments.of("full", FULL, new String[0]),
        Arguments.of(
            "classes", BASE, new String[] {"data.label.classes=3", "data.features.drop=[id]"}),
        Arguments.of("tab delimiter", BASE, new String[] {"data.delimiter=\"\\t\""}),
        Arguments.of("momentum updater", BASE, new String[] {"training.updater=momentum"}),
        Arguments.of(
            "small numbers", BASE, new String[] {"training.learning_rate=1e-7", "model.l2=2.5e-5"}),
        Arguments.of("large seed", BASE, new String[] {"seed=9007199254740993"}),
        Arguments.of("dropout with an alpha", BASE, new String[] {"model.layers[1].alpha=0.5"}),
        Arguments.of(
            "names that read as other types",
            BASE,
            new String[] {"name='007'", "model.layers[0].name='yes'", "output.dir='null'"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobs")
  void writtenJobReadsBackEqual(String label, String yaml, String[] overrides) {
    JobSpec spec = TestJobs.parse(yaml, overrides);
    String written = JobSpecWriter.toYaml(spec);
    assertEquals(spec, TestJobs.parse(written), written);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobs")
  void writingIsStable(String label, String yaml, String[] overrides) {
    String written = JobSpecWriter.toYaml(TestJobs.parse(yaml, overrides));
    assertEquals(written, JobSpecWriter.toYaml(TestJobs.parse(written)));
  }

  @Test
  void writtenFileStartsWithAComment() {
    assertTrue(JobSpecWriter.toYaml(TestJobs.parse(MINIMAL)).startsWith("# resolved job file"));
  }

  @Test
  void writtenFileUsesBlockStyle() {
    String written = JobSpecWriter.toYaml(TestJobs.parse(BASE));
    assertTrue(written.contains("\ntraining:\n  epochs: 10\n"), written);
  }

  @Test
  void everyDeclaredFieldIsWritten() {
    java.util.List<Map<String, Object>> maps = new java.util.ArrayList<>();
    for (String full : SpecFixtures.FULLS) {
      maps.add(JobSpecWriter.toMap(TestJobs.parse(full)));
    }
    for (String path : JobFields.all().keySet()) {
      if (!path.contains("[]")) {
        assertTrue(maps.stream().anyMatch(m -> at(m, path) != ABSENT), path + " is not written");
      }
    }
  }

  @SuppressWarnings("unchecked")
  @Test
  void layerFieldsAreWrittenWhereTheyApply() {
    Map<String, Object> map = JobSpecWriter.toMap(TestJobs.parse(FULL));
    List<Map<String, Object>> layers =
        (List<Map<String, Object>>) ((Map<String, Object>) map.get("model")).get("layers");
    assertEquals(
        List.of("type", "name", "units", "activation", "alpha"),
        List.copyOf(layers.get(0).keySet()));
    assertEquals(List.of("type", "name", "rate"), List.copyOf(layers.get(1).keySet()));
    assertEquals(
        List.of("type", "name", "units", "activation", "alpha", "loss"),
        List.copyOf(layers.get(2).keySet()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "data.test_path",
        "data.label.column",
        "strategy.export_dir",
        "strategy.network_mask",
        "output.dir"
      })
  void absentOptionalFieldIsLeftOut(String path) {
    String yaml =
        """
        data:
          format: idx
          path: data/mnist
          split: {train: 0.9, validation: 0.1, test: 0.0}
        model:
          layers:
            - {type: output, units: 10, loss: sparse_categorical_crossentropy}
        """;
    Map<String, Object> map = JobSpecWriter.toMap(TestJobs.parse(yaml));
    assertSame(ABSENT, at(map, path));
    assertFalse(JobSpecWriter.toYaml(TestJobs.parse(yaml)).contains("null"));
  }
}
