package org.sparktrain.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.DataSpec;
import scala.Tuple2;

/**
 * Sequences from csv/parquet rows: rows sharing an id (or a file, with data.sequence.per_file)
 * form one sequence, ordered by a step column (or the file's order), with one label per sequence. Per-column scaling is fitted on the training rows; sequences are
 * assembled after a shuffle by id, padded or truncated to the input length with a feature mask,
 * and batched as [batch, features, time] inside the partitions.
 */
public final class Sequences {
  private Sequences() {}

  /** One sequence: its steps (time x features), their count, and its encoded label. */
  static final class Sequence implements Serializable {
    private static final long serialVersionUID = 1L;
    final float[][] steps;
    final float[] label;

    Sequence(float[][] steps, float[] label) {
      this.steps = steps;
      this.label = label;
    }
  }

  /** Columns added to per-file sequences: the file's name (the sequence's id) and a row's place in the file. */
  static final String FILE = "__sparktrain_file";
  static final String ROW = "__sparktrain_row";

  /** Rows read for sequences, with the row-level data spec whose id and step name their columns. */
  record Source(Dataset<Row> rows, DataSpec data) {}

  /**
   * Reads the rows of sequences from {@code path}. With data.sequence.id they are the file's rows;
   * with data.sequence.per_file each file is one sequence: its name without extension becomes the
   * id, and its rows keep the file's order unless data.sequence.step names an ordering column.
   */
  static Source read(SparkSession spark, DataSpec data, String path, String field) {
    if (!data.sequence().perFile()) {
      DataSpec spec = rowSpec(data);
      Dataset<Row> rows = Tabular.read(spark, spec, path, field);
      requireColumns(rows, spec);
      return new Source(rows, spec);
    }
    String step = data.sequence().step();
    // The limit is applied after the file's name is taken: above a limit, Spark no longer knows it.
    Dataset<Row> rows = Tabular.read(spark, with(data, data.sequence(), 0), path, field);
    if (step == null) {
      requireWholeFiles(spark, path, field);
    }
    rows = rows.withColumn(FILE, functions.regexp_extract(functions.input_file_name(), "([^/]*?)(\\.[^./]*)?$", 1));
    if (step == null) {
      // Increasing within a partition, and a file that is not split is read by one partition in order.
      rows = rows.withColumn(ROW, functions.monotonically_increasing_id());
      step = ROW;
    }
    if (data.limit() > 0) {
      rows = rows.limit((int) Math.min(Integer.MAX_VALUE, data.limit()));
    }
    DataSpec spec = rowSpec(with(data, new JobSpec.SequenceSpec(FILE, step, true), data.limit()));
    requireColumns(rows, spec);
    return new Source(rows, spec);
  }

  /**
   * Spark reads a file larger than spark.sql.files.maxPartitionBytes in pieces whose partitions
   * need not follow the file's order; without a step column, such a file is refused.
   */
  private static void requireWholeFiles(SparkSession spark, String path, String field) {
    long max = spark.sessionState().conf().filesMaxPartitionBytes();
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] files = fs.getFileStatus(p).isDirectory() ? fs.listStatus(p) : new FileStatus[] {fs.getFileStatus(p)};
      for (FileStatus f : files) {
        if (f.isFile() && f.getLen() > max) {
          throw new DataException(field + ": file " + f.getPath() + " is " + f.getLen() + " bytes, more than spark.sql.files.maxPartitionBytes ("
              + max + "), so Spark reads it in pieces and its row order is lost; with data.sequence.per_file each file is one sequence:"
              + " set data.sequence.step to the column that orders its rows, or raise spark.sql.files.maxPartitionBytes");
        }
      }
    } catch (IOException e) {
      throw new DataException(field + ": cannot list '" + path + "': " + e.getMessage());
    }
  }

  private static DataSpec with(DataSpec d, JobSpec.SequenceSpec sequence, long limit) {
    return new DataSpec(d.format(), d.path(), d.testPath(), d.header(), d.delimiter(), d.split(), d.partitions(), limit,
        d.features(), d.label(), sequence, d.augmentShift(), d.missing(), d.unseen(), d.text(), d.multiline(), d.cache());
  }

  /** The row-level data spec: the id and step columns are not features. */
  static DataSpec rowSpec(DataSpec data) {
    List<String> drop = new ArrayList<>(data.features().drop());
    for (String c : List.of(data.sequence().id(), data.sequence().step())) {
      if (!drop.contains(c)) {
        drop.add(c);
      }
    }
    var f = data.features();
    return new DataSpec(data.format(), data.path(), data.testPath(), data.header(), data.delimiter(), data.split(),
        data.partitions(), data.limit(), new JobSpec.FeatureSpec(drop, f.categorical(), f.numeric(), f.scaling()),
        data.label(), data.sequence(), data.augmentShift(), data.missing(), data.unseen(), JobSpec.TextSpec.NONE, data.multiline(), data.cache());
  }

  static void requireColumns(Dataset<Row> rows, DataSpec data) {
    List<String> all = Arrays.asList(rows.columns());
    for (String[] c : new String[][] {{"data.sequence.id", data.sequence().id()}, {"data.sequence.step", data.sequence().step()}}) {
      if (!all.contains(c[1])) {
        throw new DataException(c[0] + ": column '" + c[1] + "' is not in the data; columns are: " + String.join(", ", all) + "; set " + c[0] + " to one of them");
      }
    }
  }

  /**
   * Splits rows by a hash of their sequence id and the seed, so that a sequence is never divided
   * between splits.
   */
  @SuppressWarnings("unchecked")
  static Dataset<Row>[] split(Dataset<Row> all, DataSpec data, long seed) {
    var s = data.split();
    double test = data.testPath() != null ? 0 : s.test();
    double total = s.train() + s.validation() + test;
    double trainEnd = s.train() / total;
    double validationEnd = (s.train() + s.validation()) / total;
    Column u = functions.pmod(functions.xxhash64(functions.lit(seed), all.col(data.sequence().id()).cast("string")), functions.lit(1L << 53))
        .divide((double) (1L << 53));
    return new Dataset[] {
      all.where(u.lt(trainEnd)), all.where(u.geq(trainEnd).and(u.lt(validationEnd))), all.where(u.geq(validationEnd))
    };
  }

  static long count(Dataset<Row> rows, DataSpec data) {
    return rows.select(data.sequence().id()).distinct().count();
  }

  /** Labelled minibatches of the sequences in {@code rows}. */
  static JavaRDD<DataSet> batches(Dataset<Row> rows, DataSpec data, FeaturePipelineModel model, int length, int batchSize, int partitions) {
    String id = data.sequence().id();
    String step = data.sequence().step();
    String labelColumn = model.params().labelColumn();
    JavaRDD<Sequence> sequences =
        Tabular.featureRows(rows, model, List.of(id, step, labelColumn))
            .mapToPair(r -> new Tuple2<>(r.keys()[0], r))
            .groupByKey(partitions)
            .map(g -> sequence(g._1(), g._2(), model, length, step, labelColumn));
    return sequences.mapPartitions((Iterator<Sequence> it) -> minibatches(it, length, batchSize));
  }

  /** Sequences to score, one per id, keyed by it; no label column is needed. */
  static JavaRDD<SequenceRow> unlabelled(Dataset<Row> rows, DataSpec data, FeaturePipelineModel model, int length, int partitions) {
    String step = data.sequence().step();
    return Tabular.featureRows(rows, model, List.of(data.sequence().id(), step))
        .mapToPair(r -> new Tuple2<>(r.keys()[0], r))
        .groupByKey(partitions)
        .map(g -> {
          List<FeatureRow> list = new ArrayList<>();
          g._2().forEach(list::add);
          Integer[] idx = ordered(list, step);
          float[][] steps = new float[Math.min(length, idx.length)][];
          for (int i = 0; i < steps.length; i++) {
            steps[i] = list.get(idx[i]).features();
          }
          return new SequenceRow(new String[] {g._1()}, steps);
        });
  }

  /** Indices of {@code rows} in the order of their step (the second key). */
  private static Integer[] ordered(List<FeatureRow> rows, String stepColumn) {
    double[] order = new double[rows.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = Tabular.parseNumber(rows.get(i).keys()[1], stepColumn);
    }
    Integer[] idx = new Integer[rows.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.comparingDouble(i -> order[i]));
    return idx;
  }

  private static Sequence sequence(String id, Iterable<FeatureRow> rows, FeaturePipelineModel model, int length, String stepColumn, String labelColumn) {
    List<FeatureRow> list = new ArrayList<>();
    rows.forEach(list::add);
    Integer[] idx = ordered(list, stepColumn);
    String label = list.get(0).keys()[2];
    int n = Math.min(length, idx.length);
    float[][] steps = new float[n][];
    for (int i = 0; i < idx.length; i++) {
      String l = list.get(idx[i]).keys()[2];
      if (l == null ? label != null : !l.equals(label)) {
        throw new DataException("sequence '" + id + "': label column '" + labelColumn + "' holds both \"" + label + "\" and \"" + l
            + "\"; expected one label per sequence (the same value in each of its rows); fix the data");
      }
      if (i < n) {
        steps[i] = list.get(idx[i]).features();
      }
    }
    return new Sequence(steps, model.label(label));
  }

  /** Minibatches [batch, features, time], zero-padded, with a feature mask [batch, time]. */
  static Iterator<DataSet> minibatches(Iterator<Sequence> it, int length, int batchSize) {
    return Minibatches.chunked(it, batchSize, batch -> {
      List<float[][]> steps = new ArrayList<>(batch.size());
      float[][] y = new float[batch.size()][];
      for (int i = 0; i < y.length; i++) {
        steps.add(batch.get(i).steps);
        y[i] = batch.get(i).label;
      }
      INDArray[] x = padded(steps, length);
      return new DataSet(x[0], Nd4j.create(y), x[1], null);
    });
  }

  /**
   * Features [batch, features, time] of sequences of at most {@code length} steps, zero-padded,
   * and their mask [batch, time] (1 for a step that is there).
   */
  public static INDArray[] padded(List<float[][]> sequences, int length) {
    int features = 0;
    for (float[][] s : sequences) {
      if (s.length > 0) {
        features = s[0].length;
      }
    }
    int b = sequences.size();
    float[] x = new float[b * features * length];
    float[] mask = new float[b * length];
    for (int i = 0; i < b; i++) {
      float[][] s = sequences.get(i);
      for (int t = 0; t < s.length; t++) {
        mask[i * length + t] = 1f;
        for (int f = 0; f < features; f++) {
          x[(i * features + f) * length + t] = s[t][f];
        }
      }
    }
    return new INDArray[] {
      Nd4j.create(x, new long[] {b, features, length}, 'c'), Nd4j.create(mask, new long[] {b, length}, 'c')
    };
  }
}
