package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestSpark;
import org.sparktrain.strategy.FedMinibatches;

/**
 * The progress line of a strategy whose workers report no losses per task (gradient sharing)
 * counts the minibatches its tasks hand to the training wrapper, read from real Spark task
 * updates.
 */
class FedMinibatchesProgressIT {
  @Test
  void minibatchesHandedToTheWrapperShowAsMinibatchesDone() throws Exception {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, System::nanoTime, false);
    sc.sc().addSparkListener(progress);
    try {
      List<Integer> minibatches = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        minibatches.add(i);
      }
      LongAccumulator fed = sc.sc().longAccumulator(FedMinibatches.ACCUMULATOR);
      JavaRDD<Integer> input = FedMinibatches.counted(sc.parallelize(minibatches, 2), fed);
      progress.start(1, 2, 30, 64);
      // a consumer that reads every element, as the wrapper's feeding loop does
      long seen = input.mapPartitions(it -> {
        long n = 0;
        while (it.hasNext()) {
          it.next();
          n++;
        }
        return List.of(n).iterator();
      }).collect().stream().mapToLong(Long::longValue).sum();
      assertEquals(30, seen);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (progress.done() < 30 && System.nanoTime() < deadline) {
        Thread.sleep(20); // task-end events reach listeners asynchronously
      }
      assertEquals(30, progress.done(), "minibatches counted from the tasks' updates");
      assertEquals(30, fed.value());
      progress.tick();
      String line = bytes.toString(StandardCharsets.UTF_8);
      assertTrue(line.contains("epoch 1/2  minibatch 30/30 (100%)"), line);
      progress.stop();
    } finally {
      sc.sc().removeSparkListener(progress);
    }
  }
}
