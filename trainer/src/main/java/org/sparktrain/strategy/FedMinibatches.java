package org.sparktrain.strategy;

import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.LongAccumulator;

/**
 * Minibatches a task hands to a training wrapper, counted in a Spark accumulator as they are read.
 * DL4J's gradient sharing keeps its workers' training listeners for the whole run, so they cannot
 * report per task; this count, carried to the driver by the executors' heartbeats, is what the
 * progress line shows for it.
 */
public final class FedMinibatches {
  /** The accumulator's name, which the progress line looks for in task updates. */
  public static final String ACCUMULATOR = "sparktrain.minibatches_fed";

  private FedMinibatches() {}

  /**
   * {@code input} adding one to {@code fed} per element read: each is one minibatch, or the path
   * of one.
   */
  public static <T> JavaRDD<T> counted(JavaRDD<T> input, LongAccumulator fed) {
    return input.mapPartitions(
        it ->
            new Iterator<T>() {
              @Override
              public boolean hasNext() {
                return it.hasNext();
              }

              @Override
              public T next() {
                T next = it.next();
                fed.add(1);
                return next;
              }
            });
  }
}
