package org.sparktrain.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ArrayRegistratorTest {
  private static Kryo kryo(String registrators) {
    SparkConf conf = new SparkConf(false).set("spark.kryo.registrator", registrators);
    return new KryoSerializer(conf).newKryo();
  }

  private static final Kryo BOTH = kryo(ArrayRegistrator.ND4J + "," + ArrayRegistrator.class.getName());

  private static byte[] write(Kryo kryo, Object o) {
    Output out = new Output(1 << 12, -1);
    kryo.writeClassAndObject(out, o);
    return out.toBytes();
  }

  private static Object read(Kryo kryo, byte[] bytes) {
    return kryo.readClassAndObject(new Input(bytes));
  }

  private static void roundTrip(INDArray a, String what) {
    INDArray back = (INDArray) read(BOTH, write(BOTH, a));
    assertEquals(a.dataType(), back.dataType(), what);
    assertArrayEquals(a.shape(), back.shape(), what);
    assertEquals(a, back, what);
  }

  @Test
  void arraysOfEveryKindComeBackEqual() {
    Nd4j.getRandom().setSeed(7);
    INDArray matrix = Nd4j.rand(DataType.FLOAT, 6, 5);
    roundTrip(matrix, "float matrix");
    roundTrip(matrix.getRow(3), "row view (offset into its buffer)");
    roundTrip(matrix.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 5)), "strided view");
    roundTrip(matrix.transpose(), "f-order view");
    roundTrip(Nd4j.rand(DataType.DOUBLE, 2, 3, 4), "double, rank 3");
    roundTrip(Nd4j.createFromArray(new int[] {1, -2, 3}), "int vector");
    roundTrip(Nd4j.createFromArray(new long[] {Long.MAX_VALUE, -1}), "long vector");
    roundTrip(Nd4j.createFromArray(new boolean[] {true, false, true}), "boolean vector");
    roundTrip(Nd4j.scalar(2.5f), "scalar");
    roundTrip(Nd4j.empty(DataType.FLOAT), "empty (ND4J's own serializer fails on it)");
    roundTrip(Nd4j.create(DataType.FLOAT, 0, 3), "empty with a shape");
    roundTrip(Nd4j.rand(DataType.FLOAT, 300, 300), "larger than one copy chunk");
  }

  @Test
  void minibatchesComeBackEqualAndAreWrittenAsTheirBytes() {
    INDArray features = Nd4j.rand(DataType.FLOAT, 64, 784);
    INDArray labels = Nd4j.rand(DataType.FLOAT, 64, 10);
    DataSet ds = new DataSet(features, labels);
    byte[] bytes = write(BOTH, ds);
    DataSet back = (DataSet) read(BOTH, bytes);
    assertEquals(features, back.getFeatures());
    assertEquals(labels, back.getLabels());
    assertNull(back.getFeaturesMaskArray());
    // 64 x 794 floats and a few bytes of header per array; ND4J's own format is about as large
    int values = 64 * 794 * 4;
    assertTrue(bytes.length >= values && bytes.length < values + 400, "bytes " + bytes.length);
    byte[] nd4j = write(kryo(ArrayRegistrator.ND4J), ds);
    assertTrue(Math.abs(nd4j.length - bytes.length) < 1000, "ND4J's format: " + nd4j.length);
    // the layout is the bulk one (format byte 1); strings go to ND4J's format (0), as before
    // (which in 1.0.0-M2 writes them but cannot read them back)
    Output out = new Output(1 << 12, -1);
    new ArrayRegistrator.ArraySerializer().write(BOTH, out, features);
    assertEquals(1, out.toBytes()[0]);
    out = new Output(1 << 12, -1);
    new ArrayRegistrator.ArraySerializer().write(BOTH, out, Nd4j.create("a", "bc"));
    assertEquals(0, out.toBytes()[0]);
  }

  @Test
  void configureAddsItAfterNd4jsUnlessTheUserChoseOtherwise() {
    String ours = ArrayRegistrator.class.getName();
    SparkConf unset = new SparkConf(false);
    ArrayRegistrator.configure(unset);
    assertEquals(ArrayRegistrator.ND4J + "," + ours, unset.get("spark.kryo.registrator"));
    SparkConf nd4j = new SparkConf(false).set("spark.kryo.registrator", ArrayRegistrator.ND4J);
    ArrayRegistrator.configure(nd4j);
    assertEquals(ArrayRegistrator.ND4J + "," + ours, nd4j.get("spark.kryo.registrator"));
    ArrayRegistrator.configure(nd4j);
    assertEquals(ArrayRegistrator.ND4J + "," + ours, nd4j.get("spark.kryo.registrator"), "added once");
    SparkConf other = new SparkConf(false).set("spark.kryo.registrator", "com.example.Mine");
    ArrayRegistrator.configure(other);
    assertEquals("com.example.Mine", other.get("spark.kryo.registrator"));
  }
}
