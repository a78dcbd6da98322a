package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

/** Rules of model.init_from, model.keras, freezing, and the multi_label and reconstruct labels. */
class SourceAndLabelRulesTest {
  private static final String OUT = "{type: output, units: 1, loss: binary_crossentropy}";

  private static void refused(String yaml, String path, String text) {
    SpecException e = assertThrows(SpecException.class, () -> TestJobs.parse(yaml));
    assertTrue(
        e.violations().stream().anyMatch(v -> v.path().equals(path) && v.message().contains(text)),
        "expected " + path + ": ..." + text + "..., got " + e.violations());
  }

  private static String binary(String model) {
    return "data: {path: x.csv, label: {column: y, kind: binary}}\nmodel: " + model + "\n";
  }

  @Test
  void initFromOrKerasReplaceTheLayerList() {
    JobSpec t = TestJobs.parse(binary("{init_from: runs/a/model.zip, freeze: 1}"));
    assertEquals("runs/a/model.zip", t.model().source().initFrom());
    assertEquals(List.of(), t.model().layers());
    JobSpec k = TestJobs.parse(binary("{keras: {config: m.json}, freeze_layers: [dense_1]}"));
    assertEquals("m.json", k.model().source().kerasConfig());
    assertEquals(List.of("dense_1"), k.model().source().freezeLayers());
    refused("data: {path: x.csv, label: {column: y, kind: binary}}\nmodel: {l2: 0.1}\n", "model.layers", "required");
  }

  @Test
  void aNewHeadNeedsReplaceOutput() {
    refused(binary("{init_from: a.zip, layers: [" + OUT + "]}"), "model.replace_output", "new head");
    refused(binary("{init_from: a.zip, replace_output: true}"), "model.layers", "needs the new head");
    refused(binary("{replace_output: true, layers: [" + OUT + "]}"), "model.replace_output", "with model.init_from only");
    JobSpec ok = TestJobs.parse(binary("{init_from: a.zip, replace_output: true, layers: [" + OUT + "]}"));
    assertTrue(ok.model().source().replaceOutput());
  }

  @Test
  void startingNetworksExcludeEachOther() {
    refused(binary("{init_from: a.zip, keras: {config: m.json}}"), "model.keras.config", "keep one");
    refused(binary("{keras: {config: m.json}, layers: [" + OUT + "]}"), "model.layers", "remove model.layers");
    refused(binary("{keras: {weights: w.h5}, layers: [" + OUT + "]}"), "model.keras.weights", "needs model.keras.config");
    refused(binary("{init_from: a.zip, freeze: 1, freeze_layers: [x]}"), "model.freeze_layers", "not both");
    refused(binary("{init_from: a.zip, freeze: -1}"), "model.freeze", ">= 0");
  }

  @Test
  void multiLabelNeedsItsColumnsAndOneSigmoidPerColumn() {
    String ok = "data: {path: x.csv, label: {kind: multi_label, columns: [a, b, c]}}\n"
        + "model: {layers: [{type: dense, units: 4}, {type: output, units: 3, loss: binary_crossentropy}]}\n";
    assertEquals(List.of("a", "b", "c"), TestJobs.parse(ok).data().label().columns());
    refused(ok.replace("units: 3", "units: 2"), "model.layers[1].units", "one output unit per label column (3)");
    refused(ok.replace(", columns: [a, b, c]", ""), "data.label.columns", "required for label kind multi_label");
    refused(ok.replace("kind: multi_label,", "column: y, kind: multi_label,"), "data.label.column", "must be absent");
    refused(ok.replace("[a, b, c]", "[a, b, a]"), "data.label.columns", "listed twice");
    refused(ok.replace("path: x.csv", "path: x.csv, features: {drop: [b]}"), "data.features.drop", "is a label");
    refused(ok.replace("binary_crossentropy", "mse"), "data.label.kind", "needs label kind numeric");
    refused(binary("{layers: [" + OUT + "]}").replace("column: y, kind: binary", "column: y, kind: binary, columns: [a]"),
        "data.label.columns", "only for label kind multi_label");
  }

  @Test
  void reconstructTakesARegressionLossAndNoLabelColumn() {
    String ok = "data: {format: idx, path: mnist, split: {train: 0.9, validation: 0.1, test: 0}, label: {kind: reconstruct}}\n"
        + "model: {layers: [{type: dense, units: 8}, {type: output, units: 784, activation: sigmoid, loss: mse}]}\n";
    assertEquals("reconstruct", TestJobs.parse(ok).data().label().kind());
    TestJobs.parse(ok.replace("loss: mse", "loss: binary_crossentropy"));
    refused(ok.replace("loss: mse", "loss: categorical_crossentropy"), "data.label.kind", "needs label kind class_index");
    refused(ok.replace("format: idx", "format: csv").replace("kind: reconstruct", "column: y, kind: reconstruct"),
        "data.label.column", "the features are the target");
    refused(ok + "early_stopping: {monitor: val_accuracy}\n", "early_stopping.monitor", "val_mse");
  }
}
