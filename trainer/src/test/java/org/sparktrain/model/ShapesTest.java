package org.sparktrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecWriter;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;

/** Shapes through conv, pool, sequence and recurrent layers, and mismatches named by layer. */
class ShapesTest {
  private static final String IMAGE =
      """
      data: {format: idx, path: data/mnist, split: {train: 0.9, validation: 0.1, test: 0.0}}
      model:
        layers:
      LAYERS
          - {type: output, units: 10, loss: sparse_categorical_crossentropy}
      """;

  private static final String SEQUENCE =
      """
      data:
        path: w.csv
        sequence: {id: id, step: step}
        label: {column: label}
      model:
        input: {length: 64, features: 1}
        layers:
      LAYERS
          - {type: output, units: 4, loss: sparse_categorical_crossentropy}
      """;

  private static JobSpec job(String template, String... layers) {
    StringBuilder sb = new StringBuilder();
    for (String l : layers) {
      sb.append("    - ").append(l).append('\n');
    }
    return TestJobs.parse(template.replace("LAYERS\n", sb.toString()));
  }

  private static Violation only(JobSpec spec, int outputs) {
    SpecException e = assertThrows(SpecException.class,
        () -> NetworkFactory.configuration(spec, InputDims.declared(spec), outputs));
    assertEquals(1, e.violations().size(), e.getMessage());
    return e.violations().get(0);
  }

  @Test
  void lenetShapesAndParameterCounts() {
    JobSpec spec = TestJobs.job("mnist-lenet.yaml");
    List<String> lines = NetworkFactory.summary(spec, InputDims.declared(spec));
    assertTrue(lines.get(2).contains("24 x 24 x 20"), lines.get(2));
    assertTrue(lines.get(5).contains("4 x 4 x 50"), lines.get(5));
    // 5*5*20+20, 5*5*20*50+50, 800*500+500, 500*10+10
    assertTrue(lines.get(lines.size() - 1).trim().endsWith(Long.toString(520 + 25050 + 400500 + 5010)), lines.toString());
    assertEquals(431080, NetworkFactory.network(spec, InputDims.declared(spec), 10).numParams());
  }

  @Test
  void kernelLargerThanTheImageNamesTheLayer() {
    Violation v = only(job(IMAGE, "{type: conv2d, filters: 4, kernel: 5}", "{type: conv2d, filters: 4, kernel: 30}"), 10);
    assertEquals("model.layers[1].kernel", v.path());
    assertTrue(v.message().contains("kernel 30 is larger than the input height 24"), v.message());
  }

  @Test
  void poolingDownToNothingNamesTheLayer() {
    Violation v = only(job(IMAGE, "{type: pool2d}", "{type: pool2d}", "{type: pool2d}", "{type: pool2d}", "{type: pool2d}"), 10);
    // 28 -> 14 -> 7 -> 3 -> 1, then a 2x2 window does not fit.
    assertEquals("model.layers[4].kernel", v.path());
    assertTrue(v.message().contains("pooling window 2 is larger than the input height 1"), v.message());
  }

  @Test
  void samePaddingKeepsTheSize() {
    JobSpec spec = job(IMAGE, "{type: conv2d, filters: 3, kernel: 5, padding: same}", "{type: pool2d, kernel: 3, stride: 2, padding: same}");
    List<String> shapes = Shapes.check(spec.model().layers(), InputDims.declared(spec)).shapes();
    assertEquals("28 x 28 x 3 (height x width x channels)", shapes.get(0));
    assertEquals("14 x 14 x 3 (height x width x channels)", shapes.get(1));
  }

  @Test
  void outputUnitsMustMatchTheLabels() {
    Violation v = only(job(IMAGE, "{type: conv2d, filters: 4, kernel: 3}"), 7);
    assertEquals("model.layers[1].units", v.path());
    assertTrue(v.message().contains("set units to 7"), v.message());
  }

  @Test
  void aSequenceCannotFeedADenseLayer() {
    Violation v = only(job(SEQUENCE, "{type: conv1d, filters: 8, kernel: 3}", "{type: dense, units: 8}"), 4);
    assertEquals("model.layers[1].type", v.path());
    assertTrue(v.message().contains("global_pool"), v.message());
  }

  @Test
  void convolutionsNeedTheirKindOfInput() {
    assertEquals("model.layers[0].type", only(job(SEQUENCE, "{type: conv2d, filters: 8, kernel: 3}", "{type: global_pool}"), 4).path());
    assertEquals("model.layers[0].type", only(job(IMAGE, "{type: lstm, units: 8}"), 10).path());
    Violation v = only(job(SEQUENCE, "{type: conv1d, filters: 8, kernel: 65}", "{type: global_pool}"), 4);
    assertEquals("model.layers[0].kernel", v.path());
    assertTrue(v.message().contains("larger than the input length 64"), v.message());
  }

  @Test
  void recurrentShapes() {
    JobSpec spec = job(SEQUENCE,
        "{type: lstm, units: 8, return_sequences: true}",
        "{type: conv1d, filters: 6, kernel: 3, stride: 2}",
        "{type: lstm, units: 5, bidirectional: true}");
    List<String> shapes = Shapes.check(spec.model().layers(), InputDims.declared(spec)).shapes();
    assertEquals(List.of("64 x 8 (steps x features)", "31 x 6 (steps x features)", "10 features", "4 features"), shapes);
    assertEquals(4, NetworkFactory.network(spec, InputDims.declared(spec), 4).output(
        org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 1, 64)).size(1));
  }

  @Test
  void declaredFeaturesAreCheckedAgainstTheData() {
    JobSpec spec = job(SEQUENCE, "{type: global_pool}");
    SpecException e = assertThrows(SpecException.class, () -> InputDims.fromData(spec, 3, 0, 0, 0));
    assertEquals("model.input.features", e.violations().get(0).path());
  }

  @Test
  void fieldsALayerTypeDoesNotTakeAreViolations() {
    SpecException e = assertThrows(SpecException.class, () -> job(IMAGE, "{type: pool2d, filters: 3}"));
    assertEquals("model.layers[0].filters", e.violations().get(0).path());
    assertTrue(e.getMessage().contains("a pool2d layer has no filters"), e.getMessage());
    SpecException missing = assertThrows(SpecException.class, () -> job(IMAGE, "{type: conv2d, kernel: 3}"));
    assertEquals("model.layers[0].filters", missing.violations().get(0).path());
  }

  @Test
  void newLayersSurviveTheResolvedJobFile() {
    for (String name : List.of("mnist-lenet.yaml", "sequence-conv1d.yaml", "sequence-lstm.yaml")) {
      JobSpec spec = TestJobs.job(name);
      assertEquals(spec, TestJobs.parse(JobSpecWriter.toYaml(spec)), name);
    }
  }
}
