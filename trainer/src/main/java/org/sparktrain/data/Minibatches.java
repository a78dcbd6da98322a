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
      float[][] x = new float[rows.size()][];
      float[][] y = new float[rows.size()][];
      for (int i = 0; i < x.length; i++) {
        x[i] = rows.get(i).features();
        y[i] = rows.get(i).label();
      }
      return new DataSet(Nd4j.create(x), Nd4j.create(y));
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
