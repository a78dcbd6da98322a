package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparktrain.spec.FieldDef.Type;

/** The declarations themselves and the reference generated from them. */
class JobFieldsTest {

  static Stream<FieldDef> declared() {
    return JobFields.all().values().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("declared")
  void declarationIsKeyedByItsPathAndDescribed(FieldDef f) {
    assertEquals(f, JobFields.get(f.path()));
    assertFalse(f.description().isBlank(), f.path());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("declared")
  void enumDeclaresItsValuesAndOthersDoNot(FieldDef f) {
    assertEquals(f.type() == Type.ENUM, !f.allowed().isEmpty(), f.path());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("declared")
  void rangeIsOnlyOnNumbers(FieldDef f) {
    if (f.min() != null || f.max() != null) {
      assertTrue(List.of(Type.INT, Type.LONG, Type.DOUBLE).contains(f.type()), f.path());
    }
    if (f.min() != null && f.max() != null) {
      assertTrue(f.min() < f.max(), f.path());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("declared")
  void requiredFieldHasNoDefault(FieldDef f) {
    if (f.required()) {
      assertNull(f.defaultValue(), f.path());
    }
  }

  @Test
  void allIsUnmodifiable() {
    Map<String, FieldDef> all = JobFields.all();
    assertThrows(UnsupportedOperationException.class, () -> all.remove("name"));
  }

  @Test
  void unknownPathHasNoDeclaration() {
    assertNull(JobFields.get("training.epoch"));
  }

  @Test
  void childNamesFollowDeclarationOrder() {
    assertEquals(
        List.of(
            "name", "seed", "data", "model", "training", "strategy", "output", "checkpoint",
            "early_stopping"),
        JobFields.childNames(""));
    assertEquals(List.of("train", "validation", "test"), JobFields.childNames("data.split"));
    assertEquals(
        List.of("weight_init", "l1", "l2", "input", "layers", "init_from", "replace_output", "freeze", "freeze_layers", "keras"),
        JobFields.childNames("model"));
    assertEquals(List.of("config", "weights"), JobFields.childNames("model.keras"));
    assertEquals(
        List.of("type", "name", "units", "activation", "alpha", "rate", "loss", "filters", "kernel", "stride",
            "padding", "pooling", "return_sequences", "bidirectional", "vocabulary"),
        JobFields.childNames("model.layers[]"));
    assertEquals(List.of(), JobFields.childNames("training.epochs"));
  }

  // Allowed values and ranges as text

  @Test
  void allowedTextOfRanges() {
    assertEquals("(0, 1]", JobFields.get("data.split.train").allowedText());
    assertEquals("[0, 1)", JobFields.get("data.split.validation").allowedText());
    assertEquals("(0, 1)", JobFields.get("training.rms_decay").allowedText());
    assertEquals("[1, 65535]", JobFields.get("strategy.port").allowedText());
    assertEquals(">= 1", JobFields.get("training.epochs").allowedText());
    assertEquals("> 0", JobFields.get("training.learning_rate").allowedText());
    assertEquals("", JobFields.get("seed").allowedText());
    assertEquals("", JobFields.get("data.path").allowedText());
  }

  @Test
  void allowedTextOfEnums() {
    assertEquals("csv | parquet | idx", JobFields.get("data.format").allowedText());
  }

  @Test
  void allowedTextOfAnUpperBoundAlone() {
    FieldDef below =
        new FieldDef("x", Type.DOUBLE, null, false, List.of(), null, false, 2.5, true, "x");
    FieldDef atMost =
        new FieldDef("x", Type.DOUBLE, null, false, List.of(), null, false, 2.0, false, "x");
    assertEquals("< 2.5", below.allowedText());
    assertEquals("<= 2", atMost.allowedText());
    assertEquals("must be < 2.5, got 2.5", below.check(2.5));
    assertNull(atMost.check(2.0));
  }

  @Test
  void checkReportsRangeAndAllowedValues() {
    assertEquals("must be >= 1, got 0", JobFields.get("training.epochs").check(0));
    assertNull(JobFields.get("training.epochs").check(1));
    assertEquals(
        "must be one of csv, parquet, idx; got 'json'", JobFields.get("data.format").check("json"));
    assertNull(JobFields.get("data.format").check("idx"));
    assertNull(JobFields.get("training.epochs").check(null));
    assertEquals("must be a finite number, got NaN", JobFields.get("model.l1").check(Double.NaN));
  }

  // Markdown reference

  @Test
  void referenceHasAHeaderAndOneRowPerField() {
    List<String> lines = JobFields.markdownReference().lines().toList();
    assertEquals("| field | type | default | allowed | meaning |", lines.get(0));
    assertEquals("|---|---|---|---|---|", lines.get(1));
    assertEquals(JobFields.all().size() + 2, lines.size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("declared")
  void referenceHasARowForEveryField(FieldDef f) {
    String row = row(f.path());
    assertTrue(row.contains(" | " + f.type().name().toLowerCase() + " | "), row);
    assertTrue(row.contains(f.description().replace("|", "\\|")), row);
    String dflt =
        f.required()
            ? "required"
            : f.defaultValue() == null ? "—" : JobFields.shown(f.defaultValue());
    assertTrue(row.contains(" | " + dflt + " | "), row);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("declared")
  void referenceRowHasFiveCells(FieldDef f) {
    String row = row(f.path());
    String unescaped = row.replace("\\|", "");
    assertEquals(6, unescaped.chars().filter(c -> c == '|').count(), row);
  }

  @Test
  void referenceEscapesPipesInAllowedValues() {
    assertTrue(row("data.format").contains(" | csv \\| parquet \\| idx | "), row("data.format"));
  }

  @Test
  void referenceMarksRequiredFields() {
    assertTrue(
        row("data.path").startsWith("| `data.path` | string | required | "), row("data.path"));
    assertTrue(row("model.layers").contains(" | required | "), row("model.layers"));
  }

  @Test
  void referenceListsFieldsInDeclarationOrder() {
    List<String> paths =
        JobFields.markdownReference()
            .lines()
            .skip(2)
            .map(l -> l.substring(3, l.indexOf('`', 3)))
            .toList();
    assertEquals(List.copyOf(JobFields.all().keySet()), paths);
  }

  private static String row(String path) {
    return JobFields.markdownReference()
        .lines()
        .filter(l -> l.startsWith("| `" + path + "` |"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + path));
  }
}
