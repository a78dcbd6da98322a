package org.sparktrain.strategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;

/** A strategy that delegates to one of DL4J's TrainingMasters through SparkDl4jMultiLayer. */
abstract class Dl4jMasterStrategy implements TrainingStrategy {
  protected final StrategyContext ctx;
  protected final SparkDl4jMultiLayer sparkNet;
  private final int workers;

  Dl4jMasterStrategy(StrategyContext ctx, TrainingMaster<?, ?> master, int workers) {
    this.ctx = ctx;
    this.workers = workers;
    this.sparkNet = new SparkDl4jMultiLayer(ctx.sc, ctx.network, master);
  }

  @Override
  public double fitEpoch(JavaRDD<DataSet> train) {
    sparkNet.fit(train);
    return sparkNet.getScore();
  }

  @Override
  public MultiLayerNetwork network() {
    return sparkNet.getNetwork();
  }

  @Override
  public int workers() {
    return workers;
  }

  @Override
  public void close() {
    // The exported minibatches are only useful to this run.
    Path dir = new Path(ctx.exportDir);
    try {
      FileSystem fs = dir.getFileSystem(ctx.sc.hadoopConfiguration());
      if (fs.exists(dir) && !fs.delete(dir, true)) {
        throw new IOException("could not delete " + dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cleaning up exported minibatches in " + dir, e);
    }
  }
}
