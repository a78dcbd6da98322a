package org.sparktrain.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.DataSpec;
import scala.Tuple2;

/**
 * Sequences from csv/parquet rows: rows sharing an id form one sequence, ordered by a step column,
 * with one label per sequence. Per-column scaling is fitted on the training rows; sequences are
 * assembled after a shuffle by id, padded or truncated to the input length with a feature mask,
 * and batched as [batch, features, time] inside the partitions.
 */
final class Sequences {
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
        data.label(), data.sequence(), data.augmentShift(), data.missing(), data.unseen());
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

  private static Sequence sequence(String id, Iterable<FeatureRow> rows, FeaturePipelineModel model, int length, String stepColumn, String labelColumn) {
    List<FeatureRow> list = new ArrayList<>();
    rows.forEach(list::add);
    double[] order = new double[list.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = Tabular.parseNumber(list.get(i).keys()[1], stepColumn);
    }
    Integer[] idx = new Integer[list.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.comparingDouble(i -> order[i]));
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
      int features = 0;
      for (Sequence s : batch) {
        if (s.steps.length > 0) {
          features = s.steps[0].length;
        }
      }
      int b = batch.size();
      float[] x = new float[b * features * length];
      float[] mask = new float[b * length];
      float[][] y = new float[b][];
      for (int i = 0; i < b; i++) {
        Sequence s = batch.get(i);
        for (int t = 0; t < s.steps.length; t++) {
          mask[i * length + t] = 1f;
          for (int f = 0; f < features; f++) {
            x[(i * features + f) * length + t] = s.steps[t][f];
          }
        }
        y[i] = s.label;
      }
      return new DataSet(
          Nd4j.create(x, new long[] {b, features, length}, 'c'),
          Nd4j.create(y),
          Nd4j.create(mask, new long[] {b, length}, 'c'),
          null);
    });
  }
}
