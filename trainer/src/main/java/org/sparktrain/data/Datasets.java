package org.sparktrain.data;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;
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
    return prepare(spark, spec, batchSize, null);
  }

  /**
   * As {@link #prepare(SparkSession, JobSpec, int)}, but with an already fitted pipeline when
   * {@code fitted} is not null (a resumed run continues with exactly the pipeline it started with).
   */
  public static PreparedData prepare(
      SparkSession spark, JobSpec spec, int batchSize, FeaturePipelineModel fitted) {
    return prepare(spark, spec, batchSize, fitted, null);
  }

  /**
   * As {@link #prepare(SparkSession, JobSpec, int, FeaturePipelineModel)}; when {@code featuresFrom}
   * is not null (model.init_from's pipeline), the freshly fitted pipeline takes its feature part
   * (columns, categories, scaling statistics), so that every input means what it meant to the
   * source network; the label is fitted anew.
   */
  public static PreparedData prepare(
      SparkSession spark, JobSpec spec, int batchSize, FeaturePipelineModel fitted, FeaturePipelineModel featuresFrom) {
    return prepare(spark, spec, batchSize, fitted, featuresFrom, null);
  }

  /**
   * As {@link #prepare(SparkSession, JobSpec, int, FeaturePipelineModel, FeaturePipelineModel)};
   * when {@code given} is not null, its rows take the place of data.path (a caller's DataFrame):
   * split, featurized and batched exactly as rows read from a file. Tabular and text jobs only.
   */
  public static PreparedData prepare(
      SparkSession spark, JobSpec spec, int batchSize, FeaturePipelineModel fitted, FeaturePipelineModel featuresFrom,
      Dataset<Row> given) {
    PreparedData prepared = prepareSplits(spark, spec, batchSize, fitted, featuresFrom, given);
    prepared.train().setName(TRAINING_MINIBATCHES);
    prepared.validation().setName("validation minibatches");
    prepared.test().setName("test minibatches");
    return prepared;
  }

  /** The name of the training minibatch RDD (in Spark's UI, event log and listener events). */
  public static final String TRAINING_MINIBATCHES = "training minibatches";

  private static PreparedData prepareSplits(
      SparkSession spark, JobSpec spec, int batchSize, FeaturePipelineModel fitted, FeaturePipelineModel featuresFrom,
      Dataset<Row> given) {
    DataSpec data = spec.data();
    if (given != null && ("idx".equals(data.format()) || data.sequence().rows())) {
      throw new DataException(
          "a DataFrame was given as the data, but the job reads "
              + ("idx".equals(data.format()) ? "idx files (data.format: idx)" : "sequences (data.sequence)")
              + " from data.path; expected a tabular or text job; train this job from data.path instead");
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = data.partitions() > 0 ? data.partitions() : sc.defaultParallelism();
    if ("idx".equals(data.format())) {
      return prepareIdx(sc, spec, batchSize, partitions, fitted, featuresFrom);
    }
    if (data.sequence().rows()) {
      return prepareSequences(spark, spec, batchSize, partitions, fitted);
    }
    if (data.text().enabled()) {
      return prepareText(spark, spec, batchSize, partitions, fitted, given);
    }
    Dataset<Row> all = given != null ? limited(given, data) : Tabular.read(spark, data, data.path(), "data.path");
    long[] skipped = {0};
    boolean skip = fitted != null ? fitted.params().skipsMissing() : "skip".equals(data.missing().policy());
    if (skip) {
      all = Tabular.skipMissing(all, Tabular.usedColumns(data, all), "data.path", skipped);
    }
    RawCsv.Origin origin = RawCsv.Origin.of(data, data.path(), all);
    Dataset<Row>[] parts = split(all, data, spec.seed());
    Dataset<Row> train = parts[0];
    Dataset<Row> validation = parts[1];
    Dataset<Row> test =
        data.testPath() != null ? Tabular.read(spark, data, data.testPath(), "data.test_path") : parts[2];
    if (skip && data.testPath() != null) {
      test = Tabular.skipMissing(test, Tabular.usedColumns(data, test), "data.test_path", skipped);
    }
    String policy = fitted != null ? fitted.params().missingPolicy() : data.missing().policy();
    Tabular.check(all, data, data.path(), "data.path", policy);
    RawCsv.Origin testOrigin = origin;
    if (data.testPath() != null) {
      Tabular.check(test, data, data.testPath(), "data.test_path", policy);
      testOrigin = RawCsv.Origin.of(data, data.testPath(), test);
    }
    train = train.repartition(partitions).cache();
    FeaturePipelineModel model = fitted != null ? fitted : SourceFeatures.adopt(Tabular.fit(train, data), featuresFrom);
    long trainCount = train.count();
    train = released(train);
    return new PreparedData(
        model,
        Minibatches.of(Tabular.examples(train, model, origin), batchSize),
        Minibatches.of(Tabular.examples(validation, model, origin), batchSize),
        Minibatches.of(Tabular.examples(test, model, testOrigin), batchSize),
        trainCount,
        validation.count(),
        test.count(),
        0,
        skipped[0]);
  }

  /**
   * The rows of a training split cached only while the pipeline is fitted and counted: dropped
   * from Spark's cache, and the same rows as a new plan, so that the minibatches built from it read
   * the source (data.cache decides whether they are kept) and no second copy of the data stays in
   * executor memory for the whole run.
   */
  private static Dataset<Row> released(Dataset<Row> cached) {
    cached.unpersist(false);
    return cached.select(java.util.Arrays.stream(cached.columns()).map(c -> cached.col("`" + c.replace("`", "``") + "`")).toArray(Column[]::new));
  }

  private static PreparedData prepareSequences(
      SparkSession spark, JobSpec spec, int batchSize, int partitions, FeaturePipelineModel fitted) {
    int length = spec.model().input().length();
    Sequences.Source source = Sequences.read(spark, spec.data(), spec.data().path(), "data.path");
    DataSpec data = source.data();
    Dataset<Row>[] parts = Sequences.split(source.rows(), data, spec.seed());
    Dataset<Row> test =
        data.testPath() != null ? Sequences.read(spark, spec.data(), data.testPath(), "data.test_path").rows() : parts[2];
    Dataset<Row> train = parts[0].cache();
    FeaturePipelineModel model = fitted != null ? fitted : Tabular.fit(train, data);
    return new PreparedData(
        model,
        Sequences.batches(train, data, model, length, batchSize, partitions),
        Sequences.batches(parts[1], data, model, length, batchSize, partitions),
        Sequences.batches(test, data, model, length, batchSize, partitions),
        Sequences.count(train, data),
        Sequences.count(parts[1], data),
        Sequences.count(test, data));
  }

  private static PreparedData prepareText(
      SparkSession spark, JobSpec spec, int batchSize, int partitions, FeaturePipelineModel fitted, Dataset<Row> given) {
    DataSpec data = spec.data();
    int length = spec.model().input().length();
    Dataset<Row> all = given != null ? limited(given, data) : Tabular.read(spark, data, data.path(), "data.path");
    Text.requireColumns(all, data, "data.path");
    Dataset<Row>[] parts = split(all, data, spec.seed());
    Dataset<Row> test =
        data.testPath() != null ? Tabular.read(spark, data, data.testPath(), "data.test_path") : parts[2];
    Dataset<Row> train = parts[0].repartition(partitions).cache();
    FeaturePipelineModel model = fitted != null ? fitted : Text.fit(train, data);
    long trainCount = train.count();
    train = released(train);
    return new PreparedData(
        model,
        Text.batches(train, model, length, batchSize),
        Text.batches(parts[1], model, length, batchSize),
        Text.batches(test, model, length, batchSize),
        trainCount,
        parts[1].count(),
        test.count(),
        model.params().vocabulary().size() + 2,
        0);
  }

  /** A caller's rows, cut to data.limit as rows read from a file are. */
  private static Dataset<Row> limited(Dataset<Row> rows, DataSpec data) {
    return data.limit() > 0 ? rows.limit((int) Math.min(Integer.MAX_VALUE, data.limit())) : rows;
  }

  /** Feature rows for scoring a caller's DataFrame, keeping the listed key columns. */
  public static JavaRDD<FeatureRow> featureRows(Dataset<Row> rows, FeaturePipelineModel model, List<String> keyColumns) {
    if (model.params().text() || "idx".equals(model.params().format())) {
      throw new DataException(
          "this model scores " + (model.params().text() ? "text sequences" : "idx images")
              + ", not feature rows of a DataFrame; score it with the predict command from its files");
    }
    return Tabular.featureRows(skipMissing(rows, model), model, keyColumns);
  }

  private static PreparedData prepareIdx(
      JavaSparkContext sc, JobSpec spec, int batchSize, int partitions, FeaturePipelineModel fitted,
      FeaturePipelineModel featuresFrom) {
    DataSpec data = spec.data();
    long seed = spec.seed();
    double trainFraction = data.split().train() / (data.split().train() + data.split().validation());
    JavaRDD<Idx.Image> all = Idx.read(sc, data.path(), "train", data.limit(), partitions, "data.path");
    JavaRDD<Idx.Image> train = all.filter(im -> Idx.unit(seed, im.index()) < trainFraction).cache();
    JavaRDD<Idx.Image> validation = all.filter(im -> Idx.unit(seed, im.index()) >= trainFraction);
    JavaRDD<Idx.Image> test = Idx.read(sc, data.path(), "t10k", data.limit(), partitions, "data.path");
    FeaturePipelineModel model = fitted != null ? fitted : SourceFeatures.adopt(IdxPipeline.fit(train, data), featuresFrom);
    long trainCount = train.count();
    PreparedData prepared = new PreparedData(
        model,
        Minibatches.of(IdxPipeline.examples(IdxPipeline.shifted(train, data.augmentShift(), imageWidth(sc, data), seed), model), batchSize),
        Minibatches.of(IdxPipeline.examples(validation, model), batchSize),
        Minibatches.of(IdxPipeline.examples(test, model), batchSize),
        trainCount,
        validation.count(),
        test.count());
    return prepared;
  }

  /**
   * Splits rows into train, validation and test by a hash of each row's values and the seed: the
   * same rows land in the same split whatever the partitioning, the machine or the Spark version
   * (Spark's randomSplit depends on the partitioning), and whether the rows come from CSV or
   * Parquet. Identical rows share a split. With
   * data.test_path, the fractions are those of train and validation alone.
   */
  public static Dataset<Row>[] split(Dataset<Row> all, DataSpec data, long seed) {
    var s = data.split();
    double test = data.testPath() != null ? 0 : s.test();
    double total = s.train() + s.validation() + test;
    double trainEnd = s.train() / total;
    double validationEnd = (s.train() + s.validation()) / total;
    Column[] hashed = new Column[all.columns().length + 1];
    hashed[0] = functions.lit(seed);
    for (int i = 0; i < all.columns().length; i++) {
      // As text, so that the same rows split alike from CSV (text) and Parquet (typed columns).
      hashed[i + 1] = all.col(all.columns()[i]).cast("string");
    }
    Column u =
        functions.pmod(functions.xxhash64(hashed), functions.lit(1L << 53)).divide((double) (1L << 53));
    Dataset<Row> withU = all.withColumn(SPLIT_COLUMN, u);
    @SuppressWarnings("unchecked")
    Dataset<Row>[] parts =
        new Dataset[] {
          withU.where(functions.col(SPLIT_COLUMN).lt(trainEnd)).drop(SPLIT_COLUMN),
          withU
              .where(functions.col(SPLIT_COLUMN).geq(trainEnd).and(functions.col(SPLIT_COLUMN).lt(validationEnd)))
              .drop(SPLIT_COLUMN),
          withU.where(functions.col(SPLIT_COLUMN).geq(validationEnd)).drop(SPLIT_COLUMN)
        };
    return parts;
  }

  private static final String SPLIT_COLUMN = "__sparktrain_split";

  private static int imageWidth(JavaSparkContext sc, DataSpec data) {
    return data.augmentShift() > 0
        ? Idx.header(sc, data.path(), "train", "data.path").cols()
        : 0;
  }

  /** Height and width of the training images of idx data (read from the file header); {0, 0} for other formats. */
  public static int[] imageSize(SparkSession spark, DataSpec data) {
    if (!"idx".equals(data.format())) {
      return new int[] {0, 0};
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Idx.Header h = Idx.header(sc, data.path(), "train", "data.path");
    return new int[] {h.rows(), h.cols()};
  }

  /** Names of the splits evaluate can select. */
  public static final List<String> SPLITS = List.of("all", "train", "validation", "test");

  /**
   * Labelled minibatches of one split of a dataset, chosen exactly as train chose it from the
   * job's split fractions and seed ("all" for every row), with an already fitted pipeline.
   */
  public static JavaRDD<DataSet> labelledBatches(
      SparkSession spark, JobSpec spec, String path, String split, FeaturePipelineModel model, int batchSize) {
    if (!SPLITS.contains(split)) {
      throw new DataException("split '" + split + "' is not one of " + SPLITS);
    }
    if (model.params().text()) {
      DataSpec data = withoutLimit(spec.data());
      Dataset<Row> all = Tabular.read(spark, data, path, "DATA");
      Dataset<Row> chosen = "all".equals(split) ? all : split(all, data, spec.seed())[SPLITS.indexOf(split) - 1];
      return Text.batches(chosen, model, spec.model().input().length(), batchSize);
    }
    if ("all".equals(split) && !spec.data().sequence().rows()) {
      return labelledBatches(spark, spec.data(), path, model, batchSize);
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    DataSpec data = withoutLimit(spec.data());
    if (data.sequence().rows()) {
      Sequences.Source source = Sequences.read(spark, data, path, "DATA");
      DataSpec rows = source.data();
      Dataset<Row> all = source.rows();
      int length = spec.model().input().length();
      Dataset<Row> chosen = "all".equals(split) ? all : Sequences.split(all, rows, spec.seed())[SPLITS.indexOf(split) - 1];
      return Sequences.batches(chosen, rows, model, length, batchSize, sc.defaultParallelism());
    }
    if ("idx".equals(data.format())) {
      if ("test".equals(split)) {
        return labelledBatches(spark, data, path, model, batchSize);
      }
      long seed = spec.seed();
      double trainFraction = data.split().train() / (data.split().train() + data.split().validation());
      boolean wantTrain = "train".equals(split);
      JavaRDD<Idx.Image> rows =
          Idx.read(sc, path, "train", 0, sc.defaultParallelism(), "DATA")
              .filter(im -> (Idx.unit(seed, im.index()) < trainFraction) == wantTrain);
      return Minibatches.of(IdxPipeline.examples(rows, model), batchSize);
    }
    Dataset<Row> read = Tabular.read(spark, data, path, "DATA");
    Dataset<Row>[] parts = split(skipMissing(read, model), data, spec.seed());
    Dataset<Row> rows = parts[SPLITS.indexOf(split) - 1];
    return Minibatches.of(Tabular.examples(rows, model, RawCsv.Origin.of(data, path, read)), batchSize);
  }

  /** Labelled minibatches from another dataset with an already fitted pipeline (for evaluate). */
  public static JavaRDD<DataSet> labelledBatches(SparkSession spark, DataSpec data, String path, FeaturePipelineModel model, int batchSize) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    if ("idx".equals(data.format())) {
      return Minibatches.of(IdxPipeline.examples(Idx.read(sc, path, "t10k", 0, sc.defaultParallelism(), "DATA"), model), batchSize);
    }
    DataSpec all = withoutLimit(data);
    if (model.params().text()) {
      throw new DataException("a text model pads its examples to the job's model.input.length; batch its data with the job (labelledBatches with a JobSpec)");
    }
    Dataset<Row> read = Tabular.read(spark, all, path, "DATA");
    return Minibatches.of(Tabular.examples(skipMissing(read, model), model, RawCsv.Origin.of(all, path, read)), batchSize);
  }

  /** True when a model scores sequences (data.sequence or data.text) rather than single rows. */
  public static boolean scoresSequences(JobSpec spec, FeaturePipelineModel model) {
    return model.params().text() || spec.data().sequence().rows();
  }

  /** The key column of sequence predictions: data.sequence.id, or "sequence" for one sequence per file. */
  public static String sequenceKey(JobSpec spec) {
    return spec.data().sequence().perFile() ? "sequence" : spec.data().sequence().id();
  }

  /**
   * Sequences to score (predict), truncated to model.input.length: for data.sequence, one per
   * sequence keyed by its id ({@link #sequenceKey}); for text, one per row keyed by the listed
   * columns. No label column is needed.
   */
  public static JavaRDD<SequenceRow> sequenceRows(
      SparkSession spark, JobSpec spec, String path, FeaturePipelineModel model, List<String> keyColumns) {
    DataSpec data = withoutLimit(spec.data());
    int length = spec.model().input().length();
    if (model.params().text()) {
      return Text.unlabelled(Tabular.read(spark, data, path, "DATA"), model, length, keyColumns);
    }
    Sequences.Source source = Sequences.read(spark, data, path, "DATA");
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return Sequences.unlabelled(source.rows(), source.data(), model, length, sc.defaultParallelism());
  }

  /** Feature rows for scoring (predict), keeping the listed key columns (for idx: the image index). */
  public static JavaRDD<FeatureRow> featureRows(SparkSession spark, DataSpec data, String path, FeaturePipelineModel model, List<String> keyColumns) {
    if (model.params().text() || data.sequence().rows()) {
      throw new DataException("a sequence or text model scores whole sequences, not rows; use sequenceRows");
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    if ("idx".equals(data.format())) {
      return IdxPipeline.examplesWithIndex(Idx.read(sc, path, "t10k", 0, sc.defaultParallelism(), "DATA"), model);
    }
    DataSpec all = withoutLimit(data);
    Dataset<Row> read = Tabular.read(spark, all, path, "DATA");
    return Tabular.featureRows(skipMissing(read, model), model, keyColumns, RawCsv.Origin.of(all, path, read));
  }

  /**
   * Drops rows with a missing value in a column the pipeline reads when it was fitted with
   * data.missing.policy skip, as train did; the split of the rows that remain is unchanged.
   */
  private static Dataset<Row> skipMissing(Dataset<Row> rows, FeaturePipelineModel model) {
    if (!model.params().skipsMissing()) {
      return rows;
    }
    List<String> present = java.util.Arrays.asList(rows.columns());
    List<String> used = new java.util.ArrayList<>();
    used.addAll(model.params().numericColumns());
    used.addAll(model.params().categoricalColumns());
    if (model.params().labelColumn() != null) {
      used.add(model.params().labelColumn());
    }
    // a column that is absent is reported by featurizing, with the columns present
    return Tabular.skipMissing(rows, used.stream().filter(present::contains).toList(), "DATA", new long[1]);
  }

  private static DataSpec withoutLimit(DataSpec d) {
    return new DataSpec(d.format(), d.path(), d.testPath(), d.header(), d.delimiter(), d.split(), d.partitions(), 0, d.features(), d.label(), d.sequence(), d.augmentShift(), d.missing(), d.unseen(), d.text(), d.multiline(), d.cache());
  }

}
