package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;

/**
 * A flights-like row (3 numeric inputs, two one-hot columns of 222 codes each, 447 inputs) stays
 * sparse until its minibatch is filled: the same values as the dense row, a fraction of its
 * serialized size (Java and Spark's Kryo), printed for the record.
 */
class SparseFeaturesTest {
  private static FeaturePipelineModel flightsLike() {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < 222; i++) {
      codes.add(String.format("A%03d", i));
    }
    return new FeaturePipelineModel(new FeaturePipelineModel.Params(
        "parquet", List.of("delay", "a", "b"), new double[] {10, 0, 0}, new double[] {20, 1, 1},
        List.of("origin", "destination"), List.of(codes, codes), "distance", "numeric", List.of(), false, 800, 500));
  }

  @Test
  void sparseRowsExpandToTheDenseRowAndSerializeSmaller() throws IOException {
    FeaturePipelineModel model = flightsLike();
    assertEquals(447, model.numInputs());
    SparseFeatures sparse = model.encode(new double[] {30, 1.5, -2}, new String[] {"A005", "A200"});
    float[] dense = sparse.toArray();
    assertEquals(447, dense.length);
    assertArrayEquals(new float[] {1f, 1.5f, -2f}, java.util.Arrays.copyOf(dense, 3));
    assertEquals(1f, dense[3 + 5]);
    assertEquals(1f, dense[3 + 222 + 200]);
    float sum = 0;
    for (float v : dense) {
      sum += v;
    }
    assertEquals(1f + 1.5f - 2f + 2f, sum, 1e-6);
    float[] filled = new float[2 * 447];
    sparse.fill(filled, 447);
    assertArrayEquals(dense, java.util.Arrays.copyOfRange(filled, 447, 894));

    Example denseExample = new Example(dense, new float[] {0.5f});
    Example sparseExample = new Example(sparse, new float[] {0.5f});
    assertArrayEquals(denseExample.features(), sparseExample.features());
    long javaDense = javaBytes(denseExample);
    long javaSparse = javaBytes(sparseExample);
    SerializerInstance kryo = new KryoSerializer(new SparkConf()).newInstance();
    long kryoDense = kryo.serialize(denseExample, scala.reflect.ClassTag$.MODULE$.apply(Example.class)).remaining();
    long kryoSparse = kryo.serialize(sparseExample, scala.reflect.ClassTag$.MODULE$.apply(Example.class)).remaining();
    System.out.printf("serialized bytes per flights row: Java dense %d, sparse %d; Kryo dense %d, sparse %d%n",
        javaDense, javaSparse, kryoDense, kryoSparse);
    assertTrue(kryoSparse * 10 < kryoDense, "Kryo: " + kryoSparse + " against " + kryoDense);
    assertTrue(javaSparse * 3 < javaDense, "Java: " + javaSparse + " against " + javaDense);
  }

  @Test
  void anUnseenIgnoredCategoryLeavesItsBlockEmpty() {
    FeaturePipelineModel.Params p = flightsLike().params();
    FeaturePipelineModel model = new FeaturePipelineModel(new FeaturePipelineModel.Params(
        p.format(), p.numericColumns(), p.center(), p.scale(), p.categoricalColumns(), p.categories(), p.labelColumn(),
        p.labelKind(), p.classNames(), false, 800, 500, "fail", null, null, "ignore"));
    float[] x = model.encode(new double[] {10, 0, 0}, new String[] {"ZZZ", "A001"}).toArray();
    float sum = 0;
    for (float v : x) {
      sum += v;
    }
    assertEquals(1f, sum);
    assertEquals(1f, x[3 + 222 + 1]);
  }

  private static long javaBytes(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.size();
  }
}
