package org.sparktrain.data;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.DataSpec;

/**
 * Entry points from a job's data section to minibatch RDDs. Rows are read, featurized and batched
 * inside partitions; only pipeline statistics reach the driver.
 */
public final class Datasets {
  private Datasets() {}

  /** Reads, splits, fits the pipeline on the training split, and builds minibatches of batchSize. */
  public static PreparedData prepare(SparkSession spark, JobSpec spec, int batchSize) {
    DataSpec data = spec.data();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = data.partitions() > 0 ? data.partitions() : sc.defaultParallelism();
    if ("idx".equals(data.format())) {
      return prepareIdx(sc, spec, batchSize, partitions);
    }
    Dataset<Row> all = Tabular.read(spark, data, data.path(), "data.path");
    Dataset<Row> train;
    Dataset<Row> validation;
    Dataset<Row> test;
    var s = data.split();
    if (data.testPath() != null) {
      Dataset<Row>[] parts = all.randomSplit(new double[] {s.train(), Math.max(s.validation(), 0)}, spec.seed());
      train = parts[0];
      validation = parts[1];
      test = Tabular.read(spark, data, data.testPath(), "data.test_path");
    } else {
      Dataset<Row>[] parts = all.randomSplit(new double[] {s.train(), s.validation(), s.test()}, spec.seed());
      train = parts[0];
      validation = parts[1];
      test = parts[2];
    }
    train = train.repartition(partitions).cache();
    FeaturePipelineModel model = Tabular.fit(train, data);
    return new PreparedData(
        model,
        Minibatches.of(Tabular.examples(train, model), batchSize),
        Minibatches.of(Tabular.examples(validation, model), batchSize),
        Minibatches.of(Tabular.examples(test, model), batchSize),
        train.count(),
        validation.count(),
        test.count());
  }

  private static PreparedData prepareIdx(JavaSparkContext sc, JobSpec spec, int batchSize, int partitions) {
    DataSpec data = spec.data();
    long seed = spec.seed();
    double trainFraction = data.split().train() / (data.split().train() + data.split().validation());
    JavaRDD<Idx.Image> all = Idx.read(sc, data.path(), "train", data.limit(), partitions, "data.path");
    JavaRDD<Idx.Image> train = all.filter(im -> Idx.unit(seed, im.index()) < trainFraction).cache();
    JavaRDD<Idx.Image> validation = all.filter(im -> Idx.unit(seed, im.index()) >= trainFraction);
    JavaRDD<Idx.Image> test = Idx.read(sc, data.path(), "t10k", data.limit(), partitions, "data.path");
    FeaturePipelineModel model = IdxPipeline.fit(train, data);
    long trainCount = train.count();
    PreparedData prepared = new PreparedData(
        model,
        Minibatches.of(IdxPipeline.examples(train, model), batchSize),
        Minibatches.of(IdxPipeline.examples(validation, model), batchSize),
        Minibatches.of(IdxPipeline.examples(test, model), batchSize),
        trainCount,
        validation.count(),
        test.count());
    return prepared;
  }

  /** Labelled minibatches from another dataset with an already fitted pipeline (for evaluate). */
  public static JavaRDD<DataSet> labelledBatches(SparkSession spark, DataSpec data, String path, FeaturePipelineModel model, int batchSize) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    if ("idx".equals(data.format())) {
      return Minibatches.of(IdxPipeline.examples(Idx.read(sc, path, "t10k", 0, sc.defaultParallelism(), "DATA"), model), batchSize);
    }
    DataSpec all = withoutLimit(data);
    return Minibatches.of(Tabular.examples(Tabular.read(spark, all, path, "DATA"), model), batchSize);
  }

  /** Feature rows for scoring (predict), keeping the listed key columns (for idx: the image index). */
  public static JavaRDD<FeatureRow> featureRows(SparkSession spark, DataSpec data, String path, FeaturePipelineModel model, List<String> keyColumns) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    if ("idx".equals(data.format())) {
      return IdxPipeline.examplesWithIndex(Idx.read(sc, path, "t10k", 0, sc.defaultParallelism(), "DATA"), model);
    }
    return Tabular.featureRows(Tabular.read(spark, withoutLimit(data), path, "DATA"), model, keyColumns);
  }

  private static DataSpec withoutLimit(DataSpec d) {
    return new DataSpec(d.format(), d.path(), d.testPath(), d.header(), d.delimiter(), d.split(), d.partitions(), 0, d.features(), d.label());
  }

}
