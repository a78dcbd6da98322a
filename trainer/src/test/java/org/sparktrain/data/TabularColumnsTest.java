package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.spec.JobSpec.DataSpec;

/** Column selection and value parsing, without Spark. */
class TabularColumnsTest {
  private static final String[] COLUMNS = {"id", "name", "age", "country", "income", "y"};

  private static DataSpec data(String features) {
    return TestData.job(
            """
            format: csv
            path: unused.csv
            features: %s
            label: {column: y, kind: binary}
            """
                .formatted(features),
            TestData.BINARY_OUT)
        .data();
  }

  @Test
  void numericColumnsAreTheRestInDataOrder() {
    DataSpec d = data("{drop: [id, name], categorical: [country]}");
    assertEquals(List.of("age", "income"), Tabular.numericColumns(d, COLUMNS));
  }

  @Test
  void declaredNumericColumnsAreUsedAsGiven() {
    DataSpec d = data("{numeric: [income, age]}");
    assertEquals(List.of("income", "age"), Tabular.numericColumns(d, COLUMNS));
  }

  @Test
  void droppedColumnNotInDataIsNamedWithTheColumnsPresent() {
    DataException e =
        assertThrows(
            DataException.class, () -> Tabular.numericColumns(data("{drop: [surname]}"), COLUMNS));
    assertEquals(
        "column 'surname' named in data.features is not in the data; columns are: id, name, age,"
            + " country, income, y",
        e.getMessage());
  }

  @Test
  void categoricalColumnNotInDataIsNamed() {
    DataException e =
        assertThrows(
            DataException.class,
            () -> Tabular.numericColumns(data("{categorical: [Country]}"), COLUMNS));
    assertTrue(
        e.getMessage().startsWith("column 'Country' named in data.features"), e.getMessage());
  }

  @Test
  void declaredNumericColumnNotInDataIsNamed() {
    DataException e =
        assertThrows(
            DataException.class,
            () -> Tabular.numericColumns(data("{numeric: [salary]}"), COLUMNS));
    assertTrue(e.getMessage().startsWith("column 'salary' named in data.features"), e.getMessage());
  }

  @Test
  void missingLabelColumnIsNamedWithTheColumnsPresent() {
    DataException e =
        assertThrows(
            DataException.class, () -> Tabular.numericColumns(data("{}"), new String[] {"a", "b"}));
    assertEquals(
        "data.label.column: column 'y' is not in the data; columns are: a, b", e.getMessage());
  }

  @Test
  void canonicalFormMakesIntegerSpellingsEqual() {
    assertEquals("1", Tabular.canonical("1"));
    assertEquals("1", Tabular.canonical("1.0"));
    assertEquals("1", Tabular.canonical(" 1.00 "));
    assertEquals("-3", Tabular.canonical("-3.0"));
    assertEquals("1.5", Tabular.canonical("1.5"));
    assertEquals("France", Tabular.canonical(" France "));
    assertNull(Tabular.canonical(null));
  }

  @Test
  void parseNumberTrimsWhitespace() {
    assertEquals(2.5, Tabular.parseNumber(" 2.5 ", "x"));
    assertEquals(-1e3, Tabular.parseNumber("-1e3", "x"));
  }

  @Test
  void parseNumberNamesColumnAndValue() {
    DataException e = assertThrows(DataException.class, () -> Tabular.parseNumber("12a", "age"));
    assertEquals(
        "column 'age': value \"12a\" is not a number; expected numeric values; fix the data, or, if \"12a\" marks a"
            + " missing value, declare it: data.missing.tokens: [\"12a\"]",
        e.getMessage());
  }

  @Test
  void parseNumberReportsMissingValues() {
    for (String raw : new String[] {null, "", "  "}) {
      DataException e = assertThrows(DataException.class, () -> Tabular.parseNumber(raw, "age"));
      assertTrue(e.getMessage().startsWith("column 'age': missing value"), e.getMessage());
    }
  }
}
