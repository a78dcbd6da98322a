package org.sparktrain.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Groups examples into DL4J minibatches inside each partition. */
final class Minibatches {
  private Minibatches() {}

  static JavaRDD<DataSet> of(JavaRDD<Example> examples, int batchSize) {
    return examples.mapPartitions((Iterator<Example> it) -> batches(it, batchSize));
  }

  private static Iterator<DataSet> batches(Iterator<Example> it, int batchSize) {
    return chunked(it, batchSize, rows -> {
      // The rows stay sparse (see SparseFeatures) up to here: one flat array per minibatch.
      int n = rows.size();
      int width = rows.get(0).sparse().width();
      float[] x = new float[n * width];
      float[][] y = new float[n][];
      for (int i = 0; i < n; i++) {
        rows.get(i).sparse().fill(x, i * width);
        y[i] = rows.get(i).label();
      }
      return new DataSet(Nd4j.create(x, new long[] {n, width}, 'c'), Nd4j.create(y));
    });
  }

  /** Consecutive runs of up to {@code size} items of {@code it}, each made into a minibatch by {@code make}. */
  static <T> Iterator<DataSet> chunked(Iterator<T> it, int size, Function<List<T>, DataSet> make) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public DataSet next() {
        List<T> chunk = new ArrayList<>(size);
        while (it.hasNext() && chunk.size() < size) {
          chunk.add(it.next());
        }
        return make.apply(chunk);
      }
    };
  }
}
