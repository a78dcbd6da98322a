package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class ScalingTest {
  @Test
  void standardizeCentresOnMeanAndScalesBySd() {
    assertArrayEquals(new double[] {2.5, 1.5}, Scaling.centerScale("standardize", 2.5, 1.5, -1, 9));
  }

  @Test
  void standardizeOfConstantColumnKeepsScaleOne() {
    assertArrayEquals(new double[] {4.0, 1.0}, Scaling.centerScale("standardize", 4.0, 0.0, 4, 4));
  }

  @Test
  void minmaxCentresOnMinAndScalesByRange() {
    assertArrayEquals(new double[] {-1.0, 10.0}, Scaling.centerScale("minmax", 2.5, 1.5, -1, 9));
  }

  @Test
  void minmaxOfConstantColumnKeepsScaleOne() {
    assertArrayEquals(new double[] {7.0, 1.0}, Scaling.centerScale("minmax", 7, 0, 7, 7));
  }

  @Test
  void noneLeavesValuesUnchanged() {
    assertArrayEquals(new double[] {0.0, 1.0}, Scaling.centerScale("none", 2.5, 1.5, -1, 9));
  }
}
