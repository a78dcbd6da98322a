package org.sparktrain.strategy;

import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparktrain.spec.JobSpec;

/**
 * Everything a strategy is built from, assembled by a validating builder so that strategies never
 * take long positional argument lists.
 */
public final class StrategyContext {
  final JavaSparkContext sc;
  final JobSpec spec;
  final MultiLayerNetwork network;
  final String exportDir;
  final java.util.Map<String, Integer> chosen;

  private StrategyContext(Builder b) {
    this.sc = Objects.requireNonNull(b.sc, "spark context");
    this.spec = Objects.requireNonNull(b.spec, "job spec");
    this.network = Objects.requireNonNull(b.network, "network");
    this.exportDir = Objects.requireNonNull(b.exportDir, "export directory");
    this.chosen = java.util.Map.copyOf(b.chosen);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Workers: the job's setting, or Spark's default parallelism when it is 0. */
  public int workers() {
    int w = spec.strategy().workers();
    return w > 0 ? w : sc.defaultParallelism();
  }

  /** Examples per minibatch on each worker. */
  public int batchSizePerWorker() {
    return batchSizePerWorker(spec);
  }

  /** Examples per minibatch on each worker for a job: the strategy's setting, else training.batch_size. */
  public static int batchSizePerWorker(JobSpec spec) {
    int b = spec.strategy().batchSizePerWorker();
    return b > 0 ? b : spec.training().batchSize();
  }

  /** Builder; every field is required. */
  public static final class Builder {
    private JavaSparkContext sc;
    private JobSpec spec;
    private MultiLayerNetwork network;
    private String exportDir;
    private java.util.Map<String, Integer> chosen = java.util.Map.of();

    public Builder sparkContext(JavaSparkContext sc) {
      this.sc = sc;
      return this;
    }

    public Builder spec(JobSpec spec) {
      this.spec = spec;
      return this;
    }

    /** The initial network; the strategy trains it in place or a copy of it. */
    public Builder network(MultiLayerNetwork network) {
      this.network = network;
      return this;
    }

    /** A directory URI on a filesystem every executor can read (HDFS on a cluster). */
    public Builder exportDir(String exportDir) {
      this.exportDir = exportDir;
      return this;
    }

    /**
     * What the strategy chose in the run a resumed run continues ({@link
     * TrainingStrategy#chosenSettings}); empty (the default) to choose anew.
     */
    public Builder chosenSettings(java.util.Map<String, Integer> chosen) {
      this.chosen = Objects.requireNonNull(chosen, "chosen settings");
      return this;
    }

    public StrategyContext build() {
      return new StrategyContext(this);
    }
  }
}
