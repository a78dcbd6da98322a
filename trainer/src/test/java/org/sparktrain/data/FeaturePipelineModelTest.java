package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeaturePipelineModelTest {
  /** Two standardized numeric columns, two categorical columns, a binary text label. */
  private static FeaturePipelineModel tabular() {
    return new FeaturePipelineModel(
        new FeaturePipelineModel.Params(
            "csv",
            List.of("age", "income"),
            new double[] {40.0, 1000.0},
            new double[] {10.0, 250.0},
            List.of("country", "plan"),
            List.of(List.of("de", "fr", "uk"), List.of("1", "2")),
            "churned",
            "binary",
            List.of("no", "yes"),
            false,
            0,
            1));
  }

  private static FeaturePipelineModel numericTarget() {
    return new FeaturePipelineModel(
        new FeaturePipelineModel.Params(
            "parquet",
            List.of("x"),
            new double[] {0.5},
            new double[] {0.25},
            List.of(),
            List.of(),
            "strength",
            "numeric",
            List.of(),
            false,
            35.5,
            12.25));
  }

  private static FeaturePipelineModel classes() {
    return new FeaturePipelineModel(
        new FeaturePipelineModel.Params(
            "csv",
            List.of("x"),
            new double[] {0},
            new double[] {1},
            List.of(),
            List.of(),
            "animal",
            "class_index",
            List.of("cat", "dog", "emu"),
            false,
            0,
            1));
  }

  private static FeaturePipelineModel pixels() {
    return new FeaturePipelineModel(
        new FeaturePipelineModel.Params(
            "idx",
            List.of(),
            new double[] {0, 10, 0},
            new double[] {255, 245, 1},
            List.of(),
            List.of(),
            null,
            "class_index",
            List.of("0", "1", "2"),
            true,
            0,
            1));
  }

  @Test
  void scalesNumericColumnsThenAppendsOneHotBlocks() {
    float[] x = tabular().features(new double[] {55.0, 500.0}, new String[] {"uk", "1"});
    assertArrayEquals(new float[] {1.5f, -2.0f, 0f, 0f, 1f, 1f, 0f}, x);
  }

  @Test
  void inputCountIsNumericColumnsPlusEveryCategory() {
    assertEquals(7, tabular().numInputs());
    assertEquals(1, tabular().numOutputs());
    assertEquals(3, classes().numOutputs());
    assertEquals(3, pixels().numInputs());
  }

  @Test
  void featureNamesFollowTheVectorLayout() {
    assertEquals(
        List.of("age", "income", "country=de", "country=fr", "country=uk", "plan=1", "plan=2"),
        tabular().featureNames());
    assertEquals(List.of("pixel0", "pixel1", "pixel2"), pixels().featureNames());
  }

  @Test
  void unseenCategoryIsRejectedNamingColumnValueAndKnownCategories() {
    DataException e =
        assertThrows(
            DataException.class,
            () -> tabular().features(new double[] {40, 1000}, new String[] {"es", "1"}));
    assertTrue(e.getMessage().contains("column 'country'"), e.getMessage());
    assertTrue(e.getMessage().contains("category \"es\" was not seen in training"), e.getMessage());
    assertTrue(e.getMessage().contains("known: de, fr, uk"), e.getMessage());
  }

  @Test
  void binaryLabelIsTheClassPosition() {
    assertArrayEquals(new float[] {1f}, tabular().label("yes"));
    assertArrayEquals(new float[] {0f}, tabular().label(" no "));
  }

  @Test
  void unseenLabelIsRejectedNamingTheClasses() {
    DataException e = assertThrows(DataException.class, () -> tabular().label("maybe"));
    assertTrue(e.getMessage().contains("label column 'churned'"), e.getMessage());
    assertTrue(e.getMessage().contains("value \"maybe\""), e.getMessage());
    assertTrue(e.getMessage().contains("classes: no, yes"), e.getMessage());
  }

  @Test
  void classIndexLabelIsOneHot() {
    assertArrayEquals(new float[] {0f, 0f, 1f}, classes().label("emu"));
    assertArrayEquals(new float[] {1f, 0f, 0f}, classes().label("cat"));
  }

  @Test
  void integerClassLabelsMatchWhateverNumberFormTheyAreWrittenIn() {
    assertArrayEquals(new float[] {0f, 1f, 0f}, pixels().label("1.0"));
  }

  @Test
  void numericLabelIsStandardizedAndUnscaledBack() {
    float[] y = numericTarget().label("60.0");
    assertArrayEquals(new float[] {2.0f}, y);
    assertEquals(60.0, numericTarget().unscaleLabel(y[0]), 1e-9);
    assertEquals(7.0, tabular().unscaleLabel(7.0));
  }

  @Test
  void nonNumericNumericLabelNamesColumnAndValue() {
    DataException e = assertThrows(DataException.class, () -> numericTarget().label("n/a"));
    assertTrue(e.getMessage().contains("column 'strength'"), e.getMessage());
    assertTrue(e.getMessage().contains("\"n/a\" is not a number"), e.getMessage());
  }

  @Test
  void missingNumericLabelIsReported() {
    DataException e = assertThrows(DataException.class, () -> numericTarget().label(null));
    assertTrue(e.getMessage().contains("column 'strength': missing value"), e.getMessage());
  }

  @Test
  void jsonRoundTripKeepsEveryFittedValue() {
    for (FeaturePipelineModel m : List.of(tabular(), numericTarget(), classes(), pixels())) {
      FeaturePipelineModel back = FeaturePipelineModel.fromJson(m.toJson());
      assertNotSame(m, back);
      assertEquals(m, back);
      assertEquals(m.hashCode(), back.hashCode());
      assertArrayEquals(m.params().center(), back.params().center());
      assertArrayEquals(m.params().scale(), back.params().scale());
      assertEquals(m.params().categories(), back.params().categories());
      assertEquals(m.classNames(), back.classNames());
      assertEquals(m.params().labelCenter(), back.params().labelCenter());
      assertEquals(m.params().labelScale(), back.params().labelScale());
      assertEquals(m.params().integerClasses(), back.params().integerClasses());
      assertEquals(m.params().labelColumn(), back.params().labelColumn());
    }
  }

  @Test
  void jsonRoundTripTransformsToIdenticalVectors() {
    FeaturePipelineModel m =
        new FeaturePipelineModel(
            new FeaturePipelineModel.Params(
                "csv",
                List.of("a", "b"),
                new double[] {0.1 + 0.2, 1.0 / 3.0},
                new double[] {Math.PI, 1e-7},
                List.of("c"),
                List.of(List.of("x", "y")),
                "y",
                "numeric",
                List.of(),
                false,
                Math.E,
                Math.sqrt(2)));
    FeaturePipelineModel back = FeaturePipelineModel.fromJson(m.toJson());
    double[][] inputs = {{0, 0}, {1.2345678901, -9.87654321}, {1e6, 1e-6}};
    for (double[] in : inputs) {
      for (String c : List.of("x", "y")) {
        assertArrayEquals(m.features(in, new String[] {c}), back.features(in, new String[] {c}));
      }
    }
    assertArrayEquals(m.label("42.42"), back.label("42.42"));
    assertEquals(m.unscaleLabel(0.3), back.unscaleLabel(0.3));
  }

  @Test
  void javaSerializationRoundTripIsEqual() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(tabular());
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(tabular(), in.readObject());
    }
  }
}
