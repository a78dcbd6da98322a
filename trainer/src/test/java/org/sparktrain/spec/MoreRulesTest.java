package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

/** Network masks, columns listed twice, and fields a dropout layer does not have. */
class MoreRulesTest {
  private static final String JOB =
      """
      data: {format: csv, path: x.csv, label: {column: y, kind: binary}, features: FEATURES}
      model:
        layers:
          - DROPOUT
          - {type: output, units: 1, loss: binary_crossentropy}
      strategy: {type: sharing, network_mask: MASK}
      """;

  private static String job(String features, String dropout, String mask) {
    return JOB.replace("FEATURES", features).replace("DROPOUT", dropout).replace("MASK", mask);
  }

  private static SpecException refused(String yaml) {
    return assertThrows(SpecException.class, () -> TestJobs.parse(yaml));
  }

  @ParameterizedTest
  @ValueSource(strings = {"999.0.0.0/8", "10.0.0.0/33", "10.0.256.0/16", "10.0.0/16"})
  void impossibleNetworksAreRefused(String mask) {
    SpecException e = refused(job("{}", "{type: dropout, rate: 0.2}", mask));
    assertEquals("strategy.network_mask", e.violations().get(0).path());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/16", "0.0.0.0/0", "255.255.255.255/32"})
  void realNetworksAreAccepted(String mask) {
    assertDoesNotThrow(() -> TestJobs.parse(job("{}", "{type: dropout, rate: 0.2}", mask)));
  }

  @Test
  void aColumnListedTwiceInOneListIsReported() {
    SpecException e = refused(job("{drop: [a, a]}", "{type: dropout, rate: 0.2}", "10.0.0.0/16"));
    assertEquals("data.features.drop", e.violations().get(0).path());
    assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
  }

  @Test
  void dropoutLayersHaveNoUnitsOrActivation() {
    SpecException e =
        refused(job("{}", "{type: dropout, rate: 0.2, units: 4, activation: relu}", "10.0.0.0/16"));
    assertEquals(2, e.violations().size(), e.getMessage());
    assertEquals("model.layers[0].units", e.violations().get(0).path());
    assertEquals("model.layers[0].activation", e.violations().get(1).path());
  }

  private static final String SEQUENCES =
      """
      data: {path: waves/, sequence: SEQUENCE, label: {column: label}}
      model:
        input: {kind: sequence, length: 16}
        layers:
          - {type: lstm, units: 4}
          - {type: output, units: 4, loss: categorical_crossentropy}
      """;

  @Test
  void sequencesOnePerFileNeedNoIdOrStep() {
    JobSpec spec = TestJobs.parse(SEQUENCES.replace("SEQUENCE", "{per_file: true}"));
    assertTrue(spec.data().sequence().perFile() && spec.data().sequence().rows());
    assertEquals("sequence", spec.inputKind());
    assertDoesNotThrow(() -> TestJobs.parse(SEQUENCES.replace("SEQUENCE", "{per_file: true, step: t}")));
  }

  @Test
  void anIdColumnAndOneSequencePerFileExcludeEachOther() {
    SpecException e = refused(SEQUENCES.replace("SEQUENCE", "{per_file: true, id: id, step: t}"));
    assertEquals("data.sequence.per_file", e.violations().get(0).path(), e.getMessage());
    assertTrue(e.getMessage().contains("exclude each other"), e.getMessage());
    SpecException idx = refused(SEQUENCES.replace("SEQUENCE", "{per_file: true}").replace("path: waves/", "format: idx, path: mnist"));
    assertTrue(idx.violations().stream().anyMatch(v -> v.path().equals("data.sequence.per_file") && v.message().contains("not idx")),
        idx.getMessage());
  }
}
