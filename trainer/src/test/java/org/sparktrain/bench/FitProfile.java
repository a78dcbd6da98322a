package org.sparktrain.bench;

import org.deeplearning4j.nn.conf.*;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Where a worker's minibatch time goes: {@code MultiLayerNetwork.fit} of the mnist-mlp network
 * (784-512-256-10, Adam) against the eight matrix products of the same shapes alone, and the
 * machine's SGEMM. Run with the native build to compare, e.g. {@code
 * -Dorg.bytedeco.javacpp.platform.extension=-avx2} and that classifier's nd4j-native jar first on
 * the class path (docs/results/2026-12-worker-profile.md).
 */
public final class FitProfile {
  private FitProfile() {}

  public static void main(String[] a) {
    int batch = Integer.parseInt(a[0]);
    int n = Integer.parseInt(a[1]);
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3))
        .weightInit(WeightInit.RELU).list()
        .layer(new DenseLayer.Builder().nIn(784).nOut(512).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nIn(512).nOut(256).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(256).nOut(10).activation(Activation.SOFTMAX).build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    DataSet[] ds = new DataSet[16];
    for (int i = 0; i < ds.length; i++) {
      INDArray x = Nd4j.rand(DataType.FLOAT, batch, 784);
      INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
      for (int r = 0; r < batch; r++) y.putScalar(r, (r * 7 + i) % 10, 1f);
      ds[i] = new DataSet(x, y);
    }
    for (int i = 0; i < 50; i++) net.fit(ds[i % 16]);
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) net.fit(ds[i % 16]);
      best = Math.min(best, (System.nanoTime() - t0) / 1e6 / n);
    }
    // the same products alone: forward 3, backward weight gradients 3, input gradients 2
    int[][] mnk = {{batch,784,512},{batch,512,256},{batch,256,10},{784,batch,512},{512,batch,256},{256,batch,10},{batch,512,256},{batch,256,10}};
    INDArray[][] ops = new INDArray[mnk.length][];
    double flops = 0;
    for (int i = 0; i < mnk.length; i++) {
      ops[i] = new INDArray[] {Nd4j.rand(DataType.FLOAT, mnk[i][0], mnk[i][1]), Nd4j.rand(DataType.FLOAT, mnk[i][1], mnk[i][2]), Nd4j.create(DataType.FLOAT, mnk[i][0], mnk[i][2])};
      flops += 2.0 * mnk[i][0] * mnk[i][1] * mnk[i][2];
    }
    double gemmBest = 1e9;
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) for (INDArray[] o : ops) Nd4j.gemm(o[0], o[1], o[2], false, false, 1.0, 0.0);
      gemmBest = Math.min(gemmBest, (System.nanoTime() - t0) / 1e6 / n);
    }
    INDArray A = Nd4j.rand(DataType.FLOAT, 1024, 1024), B = Nd4j.rand(DataType.FLOAT, 1024, 1024), C = Nd4j.create(DataType.FLOAT, 1024, 1024);
    double sg = 1e9;
    for (int i = 0; i < 5; i++) { long t0 = System.nanoTime(); Nd4j.gemm(A, B, C, false, false, 1.0, 0.0); sg = Math.min(sg, (System.nanoTime() - t0) / 1e9); }
    double sgemm = 2.0 * 1024 * 1024 * 1024 / sg / 1e9;
    long params = net.numParams();
    double modelGflops = 6.0 * params * batch / (best / 1e3) / 1e9;
    System.out.printf("RESULT build=%s batch=%d fit_ms=%.3f gemm_ms=%.3f gemm_share=%.2f model_gflops=%.1f gemm_gflops=%.1f sgemm=%.1f frac=%.3f%n",
        System.getProperty("org.bytedeco.javacpp.platform.extension", "generic"), batch, best, gemmBest, gemmBest / best, modelGflops, flops / (gemmBest / 1e3) / 1e9, sgemm, modelGflops / sgemm);
  }
}
