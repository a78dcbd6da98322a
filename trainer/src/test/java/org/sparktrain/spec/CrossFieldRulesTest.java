package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.sparktrain.spec.SpecFixtures.BASE;
import static org.sparktrain.spec.SpecFixtures.assertViolation;
import static org.sparktrain.spec.SpecFixtures.paths;
import static org.sparktrain.spec.SpecFixtures.violations;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.TestJobs;

/** Pass two: each rule across fields, reported at the path a user would change. */
class CrossFieldRulesTest {

  private static final String DENSE = "{type: dense, units: 8}";
  private static final String SOFTMAX_OUT =
      "{type: output, units: 3, loss: categorical_crossentropy}";
  private static final String CLASS_LABEL = "{column: y}";

  /** A job with the given layers (YAML flow mappings, one per line) and label settings. */
  private static String job(String label, String... layers) {
    StringBuilder sb = new StringBuilder();
    sb.append("data:\n  path: data/train.csv\n  label: ")
        .append(label)
        .append("\nmodel:\n  layers:\n");
    for (String layer : layers) {
      sb.append("    - ").append(layer).append('\n');
    }
    return sb.toString();
  }

  // Layers

  @Test
  void layerWithoutTypeIsRejected() {
    List<Violation> v = violations(job(CLASS_LABEL, "{units: 8}", SOFTMAX_OUT));
    assertEquals(List.of("model.layers[0].type"), paths(v));
    assertViolation(v, "model.layers[0].type", "required: one of dense, dropout, output");
  }

  @Test
  void lastLayerMustBeAnOutputLayer() {
    List<Violation> v = violations(job(CLASS_LABEL, DENSE, "{type: dense, units: 3}"));
    assertEquals(List.of("model.layers[1].type"), paths(v));
    assertViolation(v, "model.layers[1].type", "the last layer must be of type output, got dense");
  }

  @Test
  void outputLayerMustBeLast() {
    List<Violation> v = violations(job(CLASS_LABEL, SOFTMAX_OUT, DENSE, SOFTMAX_OUT));
    assertEquals(List.of("model.layers[0].type"), paths(v));
    assertViolation(
        v, "model.layers[0].type", "an output layer must be the last layer; it is layer 0 of 3");
  }

  @Test
  void denseLayerNeedsUnits() {
    List<Violation> v = violations(job(CLASS_LABEL, "{type: dense}", SOFTMAX_OUT));
    assertEquals(List.of("model.layers[0].units"), paths(v));
    assertViolation(v, "model.layers[0].units", "required for a dense layer");
  }

  @Test
  void outputLayerNeedsUnits() {
    List<Violation> v =
        violations(job(CLASS_LABEL, DENSE, "{type: output, loss: categorical_crossentropy}"));
    assertEquals(List.of("model.layers[1].units"), paths(v));
    assertViolation(v, "model.layers[1].units", "required for a output layer");
  }

  @Test
  void dropoutLayerNeedsARate() {
    List<Violation> v = violations(job(CLASS_LABEL, DENSE, "{type: dropout}", SOFTMAX_OUT));
    assertEquals(List.of("model.layers[1].rate"), paths(v));
    assertViolation(v, "model.layers[1].rate", "required for a dropout layer");
  }

  @Test
  void dropoutLayerNeedsNoUnits() {
    JobSpec spec =
        TestJobs.parse(job(CLASS_LABEL, DENSE, "{type: dropout, rate: 0.2}", SOFTMAX_OUT));
    assertEquals(0.2, spec.model().layers().get(1).rate());
  }

  @Test
  void outputLayerNeedsALoss() {
    List<Violation> v = violations(job(CLASS_LABEL, DENSE, "{type: output, units: 3}"));
    assertEquals(List.of("model.layers[1].loss"), paths(v));
    assertViolation(
        v,
        "model.layers[1].loss",
        "required for the output layer: one of " + String.join(", ", JobFields.LOSSES));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"{type: dense, units: 8, loss: mse}", "{type: dropout, rate: 0.5, loss: mse}"})
  void onlyTheOutputLayerHasALoss(String layer) {
    List<Violation> v = violations(job(CLASS_LABEL, layer, SOFTMAX_OUT));
    assertEquals(List.of("model.layers[0].loss"), paths(v));
    assertViolation(v, "model.layers[0].loss", "only the output layer has a loss");
  }

  @Test
  void denseLayerHasNoRate() {
    List<Violation> v =
        violations(job(CLASS_LABEL, "{type: dense, units: 8, rate: 0.5}", SOFTMAX_OUT));
    assertEquals(List.of("model.layers[0].rate"), paths(v));
    assertViolation(v, "model.layers[0].rate", "only dropout layers have a rate");
  }

  @Test
  void outputLayerHasNoRate() {
    List<Violation> v =
        violations(
            job(
                CLASS_LABEL,
                DENSE,
                "{type: output, units: 3, loss: categorical_crossentropy, rate: 0.5}"));
    assertEquals(List.of("model.layers[1].rate"), paths(v));
    assertViolation(v, "model.layers[1].rate", "only dropout layers have a rate");
  }

  @Test
  void everyLayerIsCheckedAndReported() {
    List<Violation> v =
        violations(
            job(CLASS_LABEL, "{type: dense}", "{type: dropout}", "{type: output, units: 3}"));
    assertEquals(
        List.of("model.layers[0].units", "model.layers[1].rate", "model.layers[2].loss"), paths(v));
  }

  // Split

  @Test
  void splitFractionsMustSumToOne() {
    List<Violation> v =
        violations(
            BASE, "data.split.train=0.7", "data.split.validation=0.1", "data.split.test=0.1");
    assertEquals(List.of("data.split"), paths(v));
    assertViolation(v, "data.split", "train + validation + test must be 1");
  }

  @Test
  void splitFractionsThatSumToOneUpToRoundingAreAccepted() {
    JobSpec spec =
        TestJobs.parse(
            BASE, "data.split.train=0.7", "data.split.validation=0.2", "data.split.test=0.1");
    assertEquals(0.7, spec.data().split().train());
  }

  @Test
  void wholeDataForTrainingIsAccepted() {
    JobSpec spec =
        TestJobs.parse(BASE, "data.split.train=1", "data.split.validation=0", "data.split.test=0");
    assertEquals(1.0, spec.data().split().train());
  }

  @Test
  void separateTestFileNeedsAZeroTestSplit() {
    List<Violation> v = violations(BASE, "data.test_path=data/test.csv");
    assertEquals(List.of("data.split.test"), paths(v));
    assertViolation(
        v, "data.split.test", "must be 0 because data.test_path is the test split; got 0.1");
  }

  @Test
  void separateTestFileWithZeroTestSplitIsAccepted() {
    JobSpec spec =
        TestJobs.parse(
            BASE, "data.test_path=data/test.csv", "data.split.train=0.9", "data.split.test=0");
    assertEquals("data/test.csv", spec.data().testPath());
  }

  private static final String IDX =
      """
      data:
        format: idx
        path: data/mnist
        split: {train: 0.9, validation: 0.1, test: 0.0}
      model:
        layers:
          - {type: output, units: 10, loss: sparse_categorical_crossentropy}
      """;

  @Test
  void idxJobWithoutLabelColumnAndTestSplitIsAccepted() {
    JobSpec spec = TestJobs.parse(IDX);
    assertEquals("idx", spec.data().format());
    assertNull(spec.data().label().column());
  }

  @Test
  void idxDataNeedsAZeroTestSplit() {
    List<Violation> v = violations(IDX, "data.split.train=0.8", "data.split.test=0.1");
    assertEquals(List.of("data.split.test"), paths(v));
    assertViolation(v, "data.split.test", "idx data has its own test files");
  }

  // Label

  @ParameterizedTest
  @ValueSource(strings = {"csv", "parquet"})
  void tabularDataNeedsALabelColumn(String format) {
    List<Violation> v =
        violations(job("{kind: class_index}", SOFTMAX_OUT), "data.format=" + format);
    assertEquals(List.of("data.label.column"), paths(v));
    assertViolation(v, "data.label.column", "required for " + format + " data");
  }

  @Test
  void idxDataMustNotNameALabelColumn() {
    List<Violation> v = violations(IDX, "data.label.column=label");
    assertEquals(List.of("data.label.column"), paths(v));
    assertViolation(v, "data.label.column", "must be absent for idx data");
  }

  @ParameterizedTest
  @ValueSource(strings = {"binary", "class_index"})
  void standardizedLabelMustBeNumeric(String kind) {
    String loss =
        kind.equals("binary") ? "{type: output, units: 1, loss: binary_crossentropy}" : SOFTMAX_OUT;
    List<Violation> v =
        violations(job("{column: y, kind: " + kind + ", scaling: standardize}", loss));
    assertEquals(List.of("data.label.scaling"), paths(v));
    assertViolation(
        v,
        "data.label.scaling",
        "standardize applies to numeric labels only; data.label.kind is " + kind);
  }

  @Test
  void standardizedNumericLabelIsAccepted() {
    JobSpec spec =
        TestJobs.parse(
            job(
                "{column: y, kind: numeric, scaling: standardize}",
                "{type: output, units: 1, loss: mse}"));
    assertEquals("standardize", spec.data().label().scaling());
  }

  // Loss against label kind, output units and activation

  private static final String BINARY_LABEL = "{column: y, kind: binary}";

  @Test
  void binaryCrossentropyWithOneSigmoidUnitIsAccepted() {
    JobSpec spec =
        TestJobs.parse(job(BINARY_LABEL, "{type: output, units: 1, loss: binary_crossentropy}"));
    assertEquals("sigmoid", spec.model().layers().get(0).activation());
  }

  @Test
  void binaryCrossentropyNeedsABinaryLabel() {
    List<Violation> v =
        violations(job(CLASS_LABEL, "{type: output, units: 1, loss: binary_crossentropy}"));
    assertEquals(List.of("data.label.kind"), paths(v));
    assertViolation(
        v, "data.label.kind", "binary_crossentropy needs label kind binary, got class_index");
  }

  @Test
  void binaryCrossentropyNeedsOneUnit() {
    List<Violation> v =
        violations(job(BINARY_LABEL, "{type: output, units: 2, loss: binary_crossentropy}"));
    assertEquals(List.of("model.layers[0].units"), paths(v));
    assertViolation(v, "model.layers[0].units", "binary_crossentropy needs 1 output unit, got 2");
  }

  @Test
  void binaryCrossentropyNeedsASigmoid() {
    List<Violation> v =
        violations(
            job(
                BINARY_LABEL,
                "{type: output, units: 1, activation: softmax, loss: binary_crossentropy}"));
    assertEquals(List.of("model.layers[0].activation"), paths(v));
    assertViolation(v, "model.layers[0].activation", "needs a sigmoid output, got softmax");
  }

  @ParameterizedTest
  @ValueSource(strings = {"categorical_crossentropy", "sparse_categorical_crossentropy"})
  void classificationLossWithSoftmaxUnitsIsAccepted(String loss) {
    JobSpec spec =
        TestJobs.parse(
            job("{column: y, classes: 2}", "{type: output, units: 2, loss: " + loss + "}"));
    assertEquals("softmax", spec.model().layers().get(0).activation());
  }

  @ParameterizedTest
  @ValueSource(strings = {"categorical_crossentropy", "sparse_categorical_crossentropy"})
  void classificationLossNeedsAClassIndexLabel(String loss) {
    List<Violation> v =
        violations(job(BINARY_LABEL, "{type: output, units: 2, loss: " + loss + "}"));
    assertEquals(List.of("data.label.kind"), paths(v));
    assertViolation(v, "data.label.kind", loss + " needs label kind class_index, got binary");
  }

  @ParameterizedTest
  @ValueSource(strings = {"categorical_crossentropy", "sparse_categorical_crossentropy"})
  void classificationLossNeedsTwoUnits(String loss) {
    List<Violation> v =
        violations(job(CLASS_LABEL, "{type: output, units: 1, loss: " + loss + "}"));
    assertEquals(List.of("model.layers[0].units"), paths(v));
    assertViolation(
        v, "model.layers[0].units", "needs at least 2 output units (one per class), got 1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"categorical_crossentropy", "sparse_categorical_crossentropy"})
  void classificationLossNeedsASoftmax(String loss) {
    List<Violation> v =
        violations(
            job(CLASS_LABEL, "{type: output, units: 3, activation: sigmoid, loss: " + loss + "}"));
    assertEquals(List.of("model.layers[0].activation"), paths(v));
    assertViolation(v, "model.layers[0].activation", "needs a softmax output, got sigmoid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"categorical_crossentropy", "sparse_categorical_crossentropy"})
  void declaredClassesMustMatchTheOutputUnits(String loss) {
    List<Violation> v =
        violations(job("{column: y, classes: 4}", "{type: output, units: 3, loss: " + loss + "}"));
    assertEquals(List.of("model.layers[0].units"), paths(v));
    assertViolation(
        v, "model.layers[0].units", "data.label.classes is 4 but the output layer has 3 units");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mse", "mae"})
  void regressionLossNeedsANumericLabel(String loss) {
    List<Violation> v =
        violations(job(CLASS_LABEL, "{type: output, units: 1, loss: " + loss + "}"));
    assertEquals(List.of("data.label.kind"), paths(v));
    assertViolation(
        v,
        "data.label.kind",
        loss + " is a regression loss and needs label kind numeric, got class_index");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mse", "mae"})
  void regressionLossWithNumericLabelIsAcceptedWithAnIdentityOutput(String loss) {
    JobSpec spec =
        TestJobs.parse(
            job("{column: y, kind: numeric}", "{type: output, units: 1, loss: " + loss + "}"));
    assertEquals("identity", spec.model().layers().get(0).activation());
  }

  // Columns

  @ParameterizedTest
  @ValueSource(strings = {"drop", "categorical", "numeric"})
  void labelColumnMustNotBeAFeatureColumn(String list) {
    List<Violation> v = violations(BASE, "data.features." + list + "=[a, y]");
    assertEquals(List.of("data.features." + list), paths(v));
    assertViolation(v, "data.features." + list, "column 'y' is the label (data.label.column)");
  }

  @Test
  void columnMayAppearInOnlyOneList() {
    List<Violation> v =
        violations(BASE, "data.features.drop=[id]", "data.features.categorical=[id, country]");
    assertEquals(List.of("data.features.categorical"), paths(v));
    assertViolation(v, "data.features.categorical", "column 'id' is also in data.features.drop");
  }

  @Test
  void disjointColumnListsAreAccepted() {
    JobSpec spec =
        TestJobs.parse(
            BASE,
            "data.features.drop=[id]",
            "data.features.categorical=[country]",
            "data.features.numeric=[age]");
    assertEquals(List.of("country"), spec.data().features().categorical());
  }

  // Strategy

  @ParameterizedTest
  @ValueSource(
      strings = {"10.0.0.0", "10.0.0.0/", "eth0", "10.0.0/16", "10.0.0.0/16/1", "a.b.c.d/8"})
  void networkMaskMustBeACidrNetwork(String mask) {
    List<Violation> v = violations(BASE, "strategy.network_mask=" + mask);
    assertEquals(List.of("strategy.network_mask"), paths(v));
    assertViolation(
        v, "strategy.network_mask", "expected an IPv4 network in CIDR form like 10.0.0.0/16");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/16", "192.168.1.0/24", "0.0.0.0/0"})
  void cidrNetworkMaskIsAccepted(String mask) {
    assertEquals(
        mask, TestJobs.parse(BASE, "strategy.network_mask=" + mask).strategy().networkMask());
  }

  // Reporting

  @Test
  void everyCrossFieldViolationIsReportedAtOnce() {
    List<Violation> v =
        violations(
            job(
                "{kind: numeric}",
                DENSE,
                "{type: output, units: 3, loss: categorical_crossentropy}"),
            "data.split.train=0.5",
            "strategy.network_mask=somewhere");
    assertEquals(
        List.of("data.split", "data.label.column", "data.label.kind", "strategy.network_mask"),
        paths(v));
  }

  @Test
  void crossFieldRulesWaitForEachFieldToBeValid() {
    List<Violation> v = violations(BASE, "training.epochs=0", "data.split.train=0.5");
    assertEquals(List.of("training.epochs"), paths(v));
  }
}
