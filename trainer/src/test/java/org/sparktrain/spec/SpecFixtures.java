package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.sparktrain.TestJobs;

/** Job texts and violation assertions shared by the spec tests. */
final class SpecFixtures {
  /**
   * A valid job: a dense layer (index 0), a dropout layer (index 1) and a softmax output layer
   * (index 2) on CSV data with a label column; everything else takes its default.
   */
  static final String BASE =
      """
      name: base
      data:
        path: data/train.csv
        label: {column: y}
      model:
        layers:
          - {type: dense, units: 4, activation: leakyrelu}
          - {type: dropout, rate: 0.5}
          - {type: output, units: 3, loss: sparse_categorical_crossentropy}
      """;

  /** The smallest valid job: only what has no default. */
  static final String MINIMAL =
      """
      data:
        path: data/train.csv
        label: {column: y}
      model:
        layers:
          - {type: output, units: 3, loss: sparse_categorical_crossentropy}
      """;

  /** A valid job that sets every field, each to a value other than its default. */
  /** The fields FULL cannot set beside its own: image input and augmentation of idx data. */
  static final String FULL_IDX =
      """
      data:
        format: idx
        path: data/mnist
        split: {train: 0.9, validation: 0.1, test: 0.0}
        augment: {shift: 2}
      model:
        input: {kind: image, height: 28, width: 28, channels: 1}
        layers:
          - {type: conv2d, filters: 4, kernel: 3}
          - {type: output, units: 10, loss: sparse_categorical_crossentropy}
      """;

  static final String FULL =
      """
      name: full
      seed: 7
      data:
        format: parquet
        path: hdfs:///data/train.parquet
        test_path: hdfs:///data/test.parquet
        header: false
        delimiter: ";"
        multiline: true
        split: {train: 0.75, validation: 0.25, test: 0.0}
        partitions: 8
        limit: 1000
        cache: disk
        features:
          drop: [id]
          categorical: [country]
          numeric: [age, income]
          scaling: minmax
          unseen: ignore
        label:
          column: target
          kind: numeric
          classes: 3
          scaling: standardize
        missing: {policy: fill, fill: constant, value: "0", tokens: [NA, "?", "null"]}
        sequence: {id: customer, step: month}
      model:
        weight_init: lecun_normal
        l1: 0.0001
        l2: 0.001
        input: {kind: sequence, length: 12, features: 3}
        layers:
          - {type: dense, name: hidden, units: 16, activation: leakyrelu, alpha: 0.2}
          - {type: dropout, name: drop, rate: 0.25}
          - {type: output, name: out, units: 1, activation: identity, alpha: 0.3, loss: mae}
      training:
        epochs: 3
        batch_size: 16
        updater: rmsprop
        learning_rate: 0.01
        momentum: 0.5
        rms_decay: 0.9
      strategy:
        type: sharing
        workers: 4
        batch_size_per_worker: 8
        averaging_frequency: 3
        threads_per_worker: 2
        prefetch: 0
        approach: direct
        export_dir: hdfs:///tmp/export
        threshold: {algorithm: fixed, initial: 0.0005}
        port: 40200
        network_mask: 10.0.0.0/16
      output:
        dir: runs/full
        save_model: false
      checkpoint:
        dir: hdfs:///runs/full/checkpoints
        every: 2
        every_minutes: 30
        keep: 5
        keep_best: false
        auto_resume: 1
      early_stopping:
        monitor: val_mae
        mode: min
        patience: 3
        min_delta: 0.01
      """;

  /**
   * With {@link #FULL}, these set the fields FULL cannot set alongside its own (a starting network
   * and multi-label columns), each away from its default.
   */
  static final String FULL_TRANSFER =
      """
      data:
        path: data.csv
        label: {kind: multi_label, columns: [a, b]}
      model:
        init_from: hdfs:///runs/source/model.zip
        replace_output: true
        freeze: 1
        layers:
          - {type: output, units: 2, loss: binary_crossentropy}
      """;

  static final String FULL_KERAS =
      """
      data: {path: data.csv, label: {column: y, kind: binary}}
      model:
        keras: {config: jobs/keras/model.json, weights: jobs/keras/model.h5}
        freeze_layers: [dense_1]
      """;

  static final String FULL_TEXT =
      """
      data: {path: reviews.csv, text: {column: review, vocabulary: 300}, label: {column: label}}
      model:
        input: {kind: sequence, length: 20}
        layers:
          - {type: embedding, units: 8}
          - {type: lstm, units: 4}
          - {type: output, units: 2, loss: categorical_crossentropy}
      """;

  /** Sequences one per file (FULL names them by an id column, which excludes this). */
  static final String FULL_FILES =
      """
      data: {path: waves/, sequence: {per_file: true}, label: {column: label}}
      model:
        input: {kind: sequence, length: 16}
        layers:
          - {type: lstm, units: 4}
          - {type: output, units: 4, loss: categorical_crossentropy}
      """;

  /** Every "full" fixture: together they set every field away from its default. */
  static final java.util.List<String> FULLS = java.util.List.of(FULL, FULL_IDX, FULL_TRANSFER, FULL_KERAS, FULL_TEXT, FULL_FILES);

  /** What {@link #at} returns for a path that is not in the tree. */
  static final Object ABSENT =
      new Object() {
        @Override
        public String toString() {
          return "(absent)";
        }
      };

  private SpecFixtures() {}

  /**
   * The violations that parsing {@code yaml} with {@code overrides} reports; fails if it parses.
   */
  static List<Violation> violations(String yaml, String... overrides) {
    SpecException e = assertThrows(SpecException.class, () -> TestJobs.parse(yaml, overrides));
    return e.violations();
  }

  /** The violations of pass one alone (each field on its own), without the cross-field rules. */
  static List<Violation> fieldViolations(String yaml, String... overrides) {
    Map<String, Object> root = JobSpecLoader.readYaml(yaml, "test.yaml");
    List<Violation> violations = new ArrayList<>();
    Overrides.apply(root, List.of(overrides), violations);
    FieldChecks.check(root, new Resolved(), violations);
    return violations;
  }

  /** The violation at {@code path}; fails, listing what was reported, when there is none. */
  static Violation violationAt(List<Violation> violations, String path) {
    for (Violation v : violations) {
      if (v.path().equals(path)) {
        return v;
      }
    }
    return fail("expected a violation at " + path + ", got " + violations);
  }

  /** Asserts a violation at {@code path} whose message contains {@code fragment}. */
  static void assertViolation(List<Violation> violations, String path, String fragment) {
    Violation v = violationAt(violations, path);
    assertTrue(
        v.message().contains(fragment),
        () -> "violation at " + path + " should mention \"" + fragment + "\", got: " + v.message());
  }

  /** Asserts that no violation names {@code path}. */
  static void assertNoViolationAt(List<Violation> violations, String path) {
    List<Violation> at = violations.stream().filter(v -> v.path().equals(path)).toList();
    assertTrue(at.isEmpty(), () -> "expected no violation at " + path + ", got " + at);
  }

  /** The value at a dotted {@code path} in a tree of maps, or {@link #ABSENT}. */
  static Object at(Map<?, ?> root, String path) {
    Object node = root;
    for (String part : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map) || !map.containsKey(part)) {
        return ABSENT;
      }
      node = map.get(part);
    }
    return node;
  }

  static List<String> paths(List<Violation> violations) {
    return violations.stream().map(Violation::path).collect(Collectors.toList());
  }

  /**
   * The path a user writes for a declared field in {@link #BASE}: layer fields go to the layer
   * where they apply (rate on the dropout layer, loss on the output layer, the rest on the dense
   * layer).
   */
  static String inBase(String declaredPath) {
    String prefix = "model.layers[].";
    if (!declaredPath.startsWith(prefix)) {
      return declaredPath;
    }
    String field = declaredPath.substring(prefix.length());
    int index =
        switch (field) {
          case "rate" -> 1;
          case "loss" -> 2;
          default -> 0;
        };
    return "model.layers[" + index + "]." + field;
  }
}
