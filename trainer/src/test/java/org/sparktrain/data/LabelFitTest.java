package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.sparktrain.spec.JobSpec.LabelSpec;

class LabelFitTest {
  private static final Supplier<double[]> NO_STATS =
      () -> {
        throw new AssertionError("label statistics are not needed here");
      };

  private static LabelSpec label(String kind, int classes, String scaling) {
    return new LabelSpec("y", kind, classes, scaling);
  }

  @Test
  void binaryIntegerLabelsAreOrderedNumerically() {
    LabelFit fit = LabelFit.fit(label("binary", 0, "none"), List.of("10", "9"), NO_STATS);
    assertEquals(List.of("9", "10"), fit.classNames());
    assertTrue(fit.integerClasses());
  }

  @Test
  void binaryTextLabelsKeepSortedOrder() {
    LabelFit fit = LabelFit.fit(label("binary", 0, "none"), List.of("no", "yes"), NO_STATS);
    assertEquals(List.of("no", "yes"), fit.classNames());
    assertFalse(fit.integerClasses());
  }

  @Test
  void binaryWithThreeValuesNamesWhatItFound() {
    DataException e =
        assertThrows(
            DataException.class,
            () -> LabelFit.fit(label("binary", 0, "none"), List.of("a", "b", "c"), NO_STATS));
    assertTrue(e.getMessage().contains("label column 'y'"), e.getMessage());
    assertTrue(e.getMessage().contains("exactly 2 distinct values"), e.getMessage());
    assertTrue(e.getMessage().contains("found 3 (a, b, c)"), e.getMessage());
    assertTrue(e.getMessage().contains("class_index"), e.getMessage());
  }

  @Test
  void binaryWithOneValueIsRejected() {
    DataException e =
        assertThrows(
            DataException.class,
            () -> LabelFit.fit(label("binary", 0, "none"), List.of("1"), NO_STATS));
    assertTrue(e.getMessage().contains("found 1 (1)"), e.getMessage());
  }

  @Test
  void classIndexIntegersInferClassCountFromLargestIndex() {
    LabelFit fit = LabelFit.fit(label("class_index", 0, "none"), List.of("0", "3"), NO_STATS);
    assertEquals(List.of("0", "1", "2", "3"), fit.classNames());
    assertTrue(fit.integerClasses());
  }

  @Test
  void classIndexUsesDeclaredClassCount() {
    LabelFit fit = LabelFit.fit(label("class_index", 5, "none"), List.of("0", "1"), NO_STATS);
    assertEquals(List.of("0", "1", "2", "3", "4"), fit.classNames());
  }

  @Test
  void classIndexAboveDeclaredClassCountIsRejected() {
    DataException e =
        assertThrows(
            DataException.class,
            () -> LabelFit.fit(label("class_index", 3, "none"), List.of("0", "7"), NO_STATS));
    assertTrue(
        e.getMessage().contains("class index 7 is >= data.label.classes (3)"), e.getMessage());
  }

  @Test
  void negativeClassIndexIsRejected() {
    DataException e =
        assertThrows(
            DataException.class,
            () -> LabelFit.fit(label("class_index", 0, "none"), List.of("-1", "0"), NO_STATS));
    assertTrue(e.getMessage().contains("class index -1 is negative"), e.getMessage());
  }

  @Test
  void classIndexTextClassesAreTheDistinctValues() {
    LabelFit fit =
        LabelFit.fit(label("class_index", 0, "none"), List.of("cat", "dog", "emu"), NO_STATS);
    assertEquals(List.of("cat", "dog", "emu"), fit.classNames());
    assertFalse(fit.integerClasses());
  }

  @Test
  void numericStandardizedUsesTrainingMeanAndSd() {
    LabelFit fit =
        LabelFit.fit(label("numeric", 0, "standardize"), List.of(), () -> new double[] {30.0, 4.0});
    assertEquals(30.0, fit.center());
    assertEquals(4.0, fit.scale());
    assertTrue(fit.classNames().isEmpty());
  }

  @Test
  void numericStandardizedConstantTargetKeepsScaleOne() {
    LabelFit fit =
        LabelFit.fit(label("numeric", 0, "standardize"), List.of(), () -> new double[] {5.0, 0.0});
    assertEquals(5.0, fit.center());
    assertEquals(1.0, fit.scale());
  }

  @Test
  void numericWithoutScalingComputesNoStatistics() {
    AtomicInteger calls = new AtomicInteger();
    LabelFit fit =
        LabelFit.fit(
            label("numeric", 0, "none"),
            List.of(),
            () -> {
              calls.incrementAndGet();
              return new double[] {1, 2};
            });
    assertEquals(0.0, fit.center());
    assertEquals(1.0, fit.scale());
    assertEquals(0, calls.get());
  }
}
