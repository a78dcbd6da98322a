package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparktrain.spec.SpecFixtures.BASE;
import static org.sparktrain.spec.SpecFixtures.assertNoViolationAt;
import static org.sparktrain.spec.SpecFixtures.assertViolation;
import static org.sparktrain.spec.SpecFixtures.fieldViolations;
import static org.sparktrain.spec.SpecFixtures.inBase;
import static org.sparktrain.spec.SpecFixtures.paths;
import static org.sparktrain.spec.SpecFixtures.violations;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.TestJobs;
import org.sparktrain.spec.FieldDef.Type;
import org.yaml.snakeyaml.Yaml;

/**
 * Pass one, driven by the declarations in {@link JobFields}: every field's type, range and name.
 */
class FieldChecksTest {

  static Stream<FieldDef> declared() {
    return JobFields.all().values().stream();
  }

  static Stream<FieldDef> numeric() {
    return declared().filter(f -> f.min() != null || f.max() != null);
  }

  static Stream<FieldDef> enums() {
    return declared().filter(f -> f.type() == Type.ENUM);
  }

  private static boolean integral(FieldDef f) {
    return f.type() == Type.INT || f.type() == Type.LONG;
  }

  private static String render(FieldDef f, double value) {
    return integral(f) ? Long.toString((long) value) : Double.toString(value);
  }

  /** For each bound of each ranged field: the value just outside it. */
  static Stream<Arguments> justOutside() {
    List<Arguments> cases = new ArrayList<>();
    for (FieldDef f : numeric().toList()) {
      if (f.min() != null) {
        double step = integral(f) ? 1 : 1e-9;
        double below = f.minExclusive() ? f.min() : f.min() - step;
        cases.add(Arguments.of(f.path(), render(f, below)));
      }
      if (f.max() != null) {
        double step = integral(f) ? 1 : 1e-9;
        double above = f.maxExclusive() ? f.max() : f.max() + step;
        cases.add(Arguments.of(f.path(), render(f, above)));
      }
    }
    return cases.stream();
  }

  /** For each bound of each ranged field: the last value inside it. */
  static Stream<Arguments> boundaries() {
    List<Arguments> cases = new ArrayList<>();
    for (FieldDef f : numeric().toList()) {
      if (f.min() != null) {
        double next = integral(f) ? f.min() + 1 : Math.nextUp(f.min());
        cases.add(Arguments.of(f.path(), render(f, f.minExclusive() ? next : f.min())));
      }
      if (f.max() != null) {
        double previous = integral(f) ? f.max() - 1 : Math.nextDown(f.max());
        cases.add(Arguments.of(f.path(), render(f, f.maxExclusive() ? previous : f.max())));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("justOutside")
  void valueJustOutsideTheRangeIsRejectedAtItsPath(String declaredPath, String value) {
    String path = inBase(declaredPath);
    List<Violation> violations = violations(BASE, path + "=" + value);
    assertViolation(violations, path, "must be " + JobFields.get(declaredPath).allowedText());
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("boundaries")
  void valueOnTheBoundaryIsAccepted(String declaredPath, String value) {
    String path = inBase(declaredPath);
    assertEquals(List.of(), fieldViolations(BASE, path + "=" + value));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numeric")
  void rangedFieldsHaveARangeText(FieldDef f) {
    assertFalse(f.allowedText().isEmpty(), f.path());
  }

  /** A value of another type than the field's: a list for text, text for everything else. */
  private static String wrongValue(FieldDef f) {
    return f.type() == Type.STRING || f.type() == Type.ENUM ? "[a, b]" : "abc";
  }

  static Stream<Arguments> wrongTypes() {
    return declared().map(f -> Arguments.of(f.path(), wrongValue(f)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("wrongTypes")
  void valueOfTheWrongTypeIsRejectedAtItsPath(String declaredPath, String value) {
    String path = inBase(declaredPath);
    assertViolation(violations(BASE, path + "=" + value), path, "expected ");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("declared")
  void everyDeclaredFieldAcceptsItsOwnType(FieldDef f) {
    String value =
        switch (f.type()) {
          case STRING -> "text";
          case ENUM -> f.allowed().get(0);
          case INT, LONG, DOUBLE ->
              f.defaultValue() != null ? String.valueOf(f.defaultValue()) : "1";
          case BOOL -> "false";
          case STRING_LIST -> "[a, b]";
          case LIST_OF_MAPS -> "[{type: output, units: 2, loss: mse}]";
        };
    String path = inBase(f.path());
    if (path.equals("data.delimiter")) {
      value = "t";
    }
    if (path.equals("model.layers[1].rate")) {
      value = "0.5";
    }
    assertNoViolationAt(fieldViolations(BASE, path + "=" + value), path);
  }

  static Stream<Arguments> integralFields() {
    return declared().filter(FieldChecksTest::integral).map(f -> Arguments.of(f.path()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("integralFields")
  void integerFieldRejectsAFraction(String declaredPath) {
    String path = inBase(declaredPath);
    assertViolation(violations(BASE, path + "=2.5"), path, "expected an integer, got 2.5");
  }

  static Stream<Arguments> intFields() {
    return declared().filter(f -> f.type() == Type.INT).map(f -> Arguments.of(f.path()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("intFields")
  void intFieldRejectsAValueBeyondThirtyTwoBits(String declaredPath) {
    String path = inBase(declaredPath);
    assertViolation(violations(BASE, path + "=3000000000"), path, "expected an integer");
  }

  @Test
  void longFieldAcceptsAValueBeyondThirtyTwoBits() {
    assertEquals(3_000_000_000L, TestJobs.parse(BASE, "seed=3000000000").seed());
    assertEquals(3_000_000_000L, TestJobs.parse(BASE, "data.limit=3000000000").data().limit());
  }

  static Stream<Arguments> doubleFields() {
    return declared().filter(f -> f.type() == Type.DOUBLE).map(f -> Arguments.of(f.path()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("doubleFields")
  void doubleFieldRejectsNotANumberAndInfinity(String declaredPath) {
    String path = inBase(declaredPath);
    for (String value : List.of(".nan", ".inf", "-.inf")) {
      assertViolation(violations(BASE, path + "=" + value), path, "must be a finite number");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("doubleFields")
  void doubleFieldTakesAnIntegerAsANumber(String declaredPath) {
    String path = inBase(declaredPath);
    for (Violation v : fieldViolations(BASE, path + "=1")) {
      assertFalse(v.message().startsWith("expected"), () -> "1 is a number: " + v);
    }
  }

  static Stream<Arguments> enumValues() {
    return enums().flatMap(f -> f.allowed().stream().map(v -> Arguments.of(f.path(), v)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("enumValues")
  void everyAllowedValueIsAccepted(String declaredPath, String value) {
    assertEquals(List.of(), fieldViolations(BASE, inBase(declaredPath) + "=" + value));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("enums")
  void valueOutsideTheAllowedOnesIsRejectedWithTheList(FieldDef f) {
    String path = inBase(f.path());
    assertViolation(
        violations(BASE, path + "=nope"),
        path,
        "must be one of " + String.join(", ", f.allowed()) + "; got 'nope'");
  }

  @Test
  void enumValuesAreCaseSensitive() {
    assertViolation(violations(BASE, "training.updater=Adam"), "training.updater", "got 'Adam'");
  }

  @Test
  void momentumUpdaterIsNesterov() {
    assertEquals(
        "nesterov", TestJobs.parse(BASE, "training.updater=momentum").training().updater());
  }

  /** Every declared field and section, misspelled by one extra letter. */
  static Stream<Arguments> misspellings() {
    Set<String> names = new LinkedHashSet<>();
    for (String path : JobFields.all().keySet()) {
      String[] parts = path.split("\\.");
      StringBuilder prefix = new StringBuilder();
      for (String part : parts) {
        prefix.append(prefix.length() == 0 ? "" : ".").append(part);
        names.add(
            prefix.toString().endsWith("[]")
                ? prefix.substring(0, prefix.length() - 2)
                : prefix.toString());
      }
    }
    return names.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misspellings")
  void misspelledFieldIsRejectedWithASuggestion(String declaredPath) {
    String misspelled = inBase(declaredPath) + "x";
    String suggestion = declaredPath.replace("[]", "[i]");
    assertViolation(
        violations(BASE, misspelled + "=1"), misspelled, "did you mean '" + suggestion + "'?");
  }

  @Test
  void misspelledFieldInTheFileIsRejectedWithASuggestion() {
    String yaml = BASE + "trainig:\n  epochs: 3\n";
    List<Violation> violations = violations(yaml);
    assertEquals(List.of("trainig"), paths(violations));
    assertViolation(
        violations, "trainig", "unknown field at the top level; did you mean 'training'?");
  }

  @Test
  void misspelledLayerFieldNamesTheLayer() {
    String yaml = BASE.replace("{type: dropout, rate: 0.5}", "{type: dropout, rat: 0.5}");
    assertViolation(
        violations(yaml),
        "model.layers[1].rat",
        "unknown field in model.layers[i]; did you mean 'model.layers[i].rate'?");
  }

  @Test
  void unknownFieldFarFromAnyNameListsTheValidOnes() {
    assertViolation(
        violations(BASE, "training.completely_different=1"),
        "training.completely_different",
        "unknown field in training; valid fields are epochs, batch_size, updater, learning_rate,"
            + " momentum, rms_decay");
  }

  @Test
  void sectionGivenAsAValueIsRejected() {
    List<Violation> violations = violations(BASE + "training: 5\n");
    assertViolation(
        violations, "training", "expected a mapping (a section with fields epochs, batch_size");
  }

  @Test
  void fieldGivenAsASectionIsRejected() {
    assertViolation(
        violations(BASE + "training:\n  epochs: {n: 3}\n"),
        "training.epochs",
        "expected an integer, got a mapping");
  }

  static Stream<Arguments> required() {
    return declared()
        .filter(f -> f.required() && !f.path().contains("[]"))
        .map(f -> Arguments.of(f.path()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("required")
  void missingRequiredFieldIsReported(String path) {
    Map<String, Object> root = JobSpecLoader.readYaml(BASE, "base.yaml");
    remove(root, path);
    String yaml = new Yaml().dump(root);
    assertViolation(violations(yaml), path, "required: " + JobFields.get(path).description());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("required")
  void requiredFieldGivenEmptyIsReported(String path) {
    assertViolation(violations(BASE, path + "="), path, "required");
  }

  @Test
  void requiredFieldWrittenWithoutAValueIsReported() {
    String yaml = BASE.replace("path: data/train.csv", "path:");
    List<Violation> violations = violations(yaml);
    assertEquals(List.of("data.path"), paths(violations));
  }

  @Test
  void missingSectionsAreReportedThroughTheirRequiredFields() {
    List<Violation> violations = violations("name: only-a-name\n");
    assertEquals(List.of("data.path", "model.layers"), paths(violations));
  }

  @Test
  void fieldWrittenWithoutAValueTakesItsDefault() {
    String yaml = BASE + "training:\n  epochs:\n  batch_size: ~\n";
    JobSpec spec = TestJobs.parse(yaml, "data.header=null");
    assertEquals(JobFields.get("training.epochs").defaultValue(), spec.training().epochs());
    assertEquals(JobFields.get("training.batch_size").defaultValue(), spec.training().batchSize());
    assertEquals(JobFields.get("data.header").defaultValue(), spec.data().header());
  }

  @Test
  void layerThatIsNotAMappingIsRejected() {
    String yaml = BASE.replace("- {type: dropout, rate: 0.5}", "- dropout");
    assertViolation(
        violations(yaml),
        "model.layers[1]",
        "expected a mapping like {type: dense, units: 64}, got \"dropout\"");
  }

  @Test
  void emptyLayerListIsRejected() {
    assertViolation(
        violations(BASE, "model.layers=[]"), "model.layers", "needs at least one layer");
  }

  @Test
  void delimiterMustBeOneCharacter() {
    assertViolation(
        violations(BASE, "data.delimiter=;;"), "data.delimiter", "exactly one character");
    assertViolation(
        violations(BASE, "data.delimiter=''"), "data.delimiter", "exactly one character");
  }

  @Test
  void delimiterMayBeATab() {
    String yaml =
        BASE.replace("path: data/train.csv", "path: data/train.csv\n  delimiter: \"\\t\"");
    assertEquals("\t", TestJobs.parse(yaml).data().delimiter());
  }

  @Test
  void columnListRejectsNestedLists() {
    assertViolation(
        violations(BASE, "data.features.drop=[[a, b]]"),
        "data.features.drop",
        "expected a list of column names");
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "true", "1.5"})
  void stringFieldTakesAScalarAsText(String scalar) {
    assertEquals(scalar, TestJobs.parse(BASE, "name=" + scalar).name());
  }

  @Test
  void levenshteinDistance() {
    assertEquals(0, FieldChecks.distance("epochs", "epochs"));
    assertEquals(1, FieldChecks.distance("epoch", "epochs"));
    assertEquals(1, FieldChecks.distance("epochz", "epochs"));
    assertEquals(3, FieldChecks.distance("kitten", "sitting"));
    assertEquals(6, FieldChecks.distance("", "epochs"));
  }

  @SuppressWarnings("unchecked")
  private static void remove(Map<String, Object> root, String path) {
    String[] parts = path.split("\\.");
    Map<String, Object> node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = (Map<String, Object>) node.get(parts[i]);
    }
    assertTrue(node.containsKey(parts[parts.length - 1]), path + " should be in the base job");
    node.remove(parts[parts.length - 1]);
  }
}
