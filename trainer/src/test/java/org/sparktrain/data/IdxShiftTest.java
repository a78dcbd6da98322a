package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Random-shift augmentation moves pixels and fills with the background. */
class IdxShiftTest {
  private static final float[] IMAGE = {
    1, 2, 3,
    4, 5, 6,
    7, 8, 9
  };

  @Test
  void shiftsRightAndDown() {
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 0, 4, 5}, IdxPipeline.shift(IMAGE, 3, 1, 1));
  }

  @Test
  void shiftsLeftAndUp() {
    assertArrayEquals(new float[] {5, 6, 0, 8, 9, 0, 0, 0, 0}, IdxPipeline.shift(IMAGE, 3, -1, -1));
  }

  @Test
  void zeroShiftKeepsTheImage() {
    assertArrayEquals(IMAGE, IdxPipeline.shift(IMAGE, 3, 0, 0));
  }
}
