package org.sparktrain.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ArrayRowsTest {
  private static void sameAsNd4j(INDArray a) {
    float[][] expected = a.toFloatMatrix();
    float[][] actual = ArrayRows.of(a);
    float[] flat = ArrayRows.flat(a);
    assertEquals(expected.length, actual.length);
    assertEquals(a.length(), flat.length);
    for (int r = 0; r < expected.length; r++) {
      assertArrayEquals(expected[r], actual[r], "row " + r + " of " + a.shapeInfoToString());
      float[] fromFlat = new float[expected[r].length];
      System.arraycopy(flat, r * fromFlat.length, fromFlat, 0, fromFlat.length);
      assertArrayEquals(expected[r], fromFlat, "flat row " + r + " of " + a.shapeInfoToString());
    }
  }

  @Test
  void rowsOfEveryLayoutAreNd4jsRows() {
    INDArray c = Nd4j.rand(DataType.FLOAT, 7, 5);
    sameAsNd4j(c);
    sameAsNd4j(c.dup('f'));
    sameAsNd4j(Nd4j.rand(DataType.FLOAT, 1, 9));
    sameAsNd4j(Nd4j.rand(DataType.FLOAT, 9, 1));
    sameAsNd4j(Nd4j.rand(DataType.FLOAT, 9, 1).dup('f'));
    INDArray big = Nd4j.rand(DataType.FLOAT, 10, 6);
    sameAsNd4j(big.get(NDArrayIndex.interval(2, 6), NDArrayIndex.all())); // rows 2-5: offset view
    sameAsNd4j(big.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4))); // strided: ND4J's own conversion
    sameAsNd4j(c.transpose());
    sameAsNd4j(Nd4j.rand(DataType.DOUBLE, 4, 3));
  }

  @Test
  void aContiguousMatrixCreatesNoNd4jBuffers() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 64, 10);
    ArrayRows.of(a);
    ArrayRows.flat(a);
    long before = Nd4j.getDeallocatorService().nextValue();
    for (int i = 0; i < 10; i++) {
      ArrayRows.of(a);
      ArrayRows.flat(a);
    }
    // Every ND4J buffer draws an id from this counter; nextValue() draws one itself.
    assertEquals(0, Nd4j.getDeallocatorService().nextValue() - before - 1, "ND4J buffers created");
  }
}
