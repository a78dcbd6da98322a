package org.sparktrain.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.TestSpark;
import org.sparktrain.data.FeaturePipelineModel;

/**
 * Evaluation of a plain dense network (its own forward pass, {@code DenseStackFit.forInference})
 * against DL4J's {@code score} and {@code output}, which the same minibatches take when they come
 * with a label mask (of ones: it changes nothing): the same loss, the same metrics.
 */
class DistributedEvaluatorIT {
  private static final int IN = 12;

  private static FeaturePipelineModel pipeline(String kind, List<String> classes) {
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < IN; i++) {
      columns.add("x" + i);
    }
    return new FeaturePipelineModel(new FeaturePipelineModel.Params(
        "csv", columns, new double[IN], filled(IN), List.of(), List.of(), "y", kind, classes, false, 3.0, 2.0));
  }

  private static double[] filled(int n) {
    double[] d = new double[n];
    java.util.Arrays.fill(d, 1);
    return d;
  }

  private static MultiLayerNetwork net(int outputs, LossFunctions.LossFunction loss, Activation out) {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-2)).l2(1e-3)
        .list()
        .layer(new DenseLayer.Builder().nIn(IN).nOut(20).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(loss).nIn(20).nOut(outputs).activation(out).build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static List<DataSet> minibatches(int outputs, boolean classes, boolean masked) {
    Nd4j.getRandom().setSeed(11);
    List<DataSet> out = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      int rows = i == 11 ? 7 : 32;
      INDArray x = Nd4j.rand(DataType.FLOAT, rows, IN).subi(0.5).muli(3);
      INDArray y = Nd4j.zeros(DataType.FLOAT, rows, outputs);
      for (int r = 0; r < rows; r++) {
        if (classes) {
          y.putScalar(r, (r * 3 + i) % outputs, 1);
        } else {
          y.putScalar(r, 0, x.getFloat(r, 0) * 0.7f - x.getFloat(r, 1));
        }
      }
      out.add(masked ? new DataSet(x, y, null, Nd4j.ones(DataType.FLOAT, rows, 1)) : new DataSet(x, y));
    }
    return out;
  }

  private static void sameMetrics(MultiLayerNetwork net, FeaturePipelineModel pipeline, int outputs, boolean classes) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    for (DataSet d : minibatches(outputs, classes, false)) {
      net.fit(d);
    }
    // Every ND4J buffer draws an id from the deallocator's counter (the tasks run in this JVM).
    long before = Nd4j.getDeallocatorService().nextValue();
    Map<String, Object> dense =
        DistributedEvaluator.evaluate(sc, net, sc.parallelize(minibatches(outputs, classes, false), 3), pipeline);
    long between = Nd4j.getDeallocatorService().nextValue();
    Map<String, Object> dl4j =
        DistributedEvaluator.evaluate(sc, net, sc.parallelize(minibatches(outputs, classes, true), 3), pipeline);
    long after = Nd4j.getDeallocatorService().nextValue();
    System.out.println("DistributedEvaluatorIT " + pipeline.labelKind() + ": dense " + dense + "\n  DL4J " + dl4j
        + "\n  ND4J buffers: dense " + (between - before) + ", DL4J " + (after - between));
    assertTrue((after - between) - (between - before) >= 12 * 4,
        "the dense pass makes no ND4J arrays per minibatch: " + (between - before) + " against " + (after - between));
    assertEquals(359L, dense.get("examples"));
    assertEquals(dl4j.keySet(), dense.keySet());
    for (String k : dl4j.keySet()) {
      if (dl4j.get(k) instanceof Double v) {
        assertEquals(v, (Double) dense.get(k), 1e-5 * Math.max(1, Math.abs(v)), k);
      } else if (!"predicted_vs_actual".equals(k)) { // a random sample of the pairs
        assertEquals(dl4j.get(k).toString(), dense.get(k).toString(), k);
      }
    }
    assertTrue((Double) dense.get("loss") > 0);
  }

  @Test
  void classifierMetricsAreDl4jsOnes() {
    sameMetrics(net(4, LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX),
        pipeline("class_index", List.of("a", "b", "c", "d")), 4, true);
  }

  @Test
  void regressionMetricsAreDl4jsOnes() {
    sameMetrics(net(1, LossFunctions.LossFunction.MSE, Activation.IDENTITY), pipeline("numeric", List.of()), 1, false);
  }
}
