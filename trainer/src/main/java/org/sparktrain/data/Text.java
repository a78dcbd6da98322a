package org.sparktrain.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.DataSpec;
import scala.Tuple2;

/**
 * Free text as sequences of token ids for an embedding layer. Words are counted in the partitions
 * of the training split and only the most frequent reach the driver; each row becomes one sequence
 * of ids (0: padding, 1: unknown word, 2..: the vocabulary in order of frequency), truncated to the
 * input length and batched as [batch, 1, time] with a feature mask, like {@link Sequences}.
 */
public final class Text {
  /** Id of a padded step. */
  public static final int PADDING = 0;
  /** Id of a word not in the vocabulary. */
  public static final int UNKNOWN = 1;

  private Text() {}

  /** Lower-cased words: maximal runs of letters. */
  public static List<String> tokens(String text) {
    List<String> words = new ArrayList<>();
    if (text == null) {
      return words;
    }
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }

  static void requireColumns(Dataset<Row> rows, DataSpec data, String field) {
    List<String> all = Arrays.asList(rows.columns());
    String c = data.text().column();
    if (!all.contains(c)) {
      throw new DataException("data.text.column: column '" + c + "' is not in " + field + "; columns are: "
          + String.join(", ", all) + "; set data.text.column to the column holding the text");
    }
  }

  /** Most frequent first, ties by word: a total order, so the vocabulary does not depend on partitioning. */
  private static final class ByCount implements Comparator<Tuple2<String, Long>>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Tuple2<String, Long> a, Tuple2<String, Long> b) {
      int c = Long.compare(b._2(), a._2());
      return c != 0 ? c : a._1().compareTo(b._1());
    }
  }

  /** The {@code size} most frequent words of {@code column}, counted in the partitions. */
  static List<String> vocabulary(Dataset<Row> train, String column, int size) {
    List<Tuple2<String, Long>> top =
        train.select(column).javaRDD()
            .flatMap(r -> tokens(r.isNullAt(0) ? null : String.valueOf(r.get(0))).iterator())
            .mapToPair(w -> new Tuple2<>(w, 1L))
            .reduceByKey(Long::sum)
            .takeOrdered(size, new ByCount());
    List<String> words = new ArrayList<>(top.size());
    for (Tuple2<String, Long> t : top) {
      words.add(t._1());
    }
    return words;
  }

  /** The label's encoding fitted on the training split, with the vocabulary of its text column. */
  static FeaturePipelineModel fit(Dataset<Row> train, DataSpec data) {
    String label = data.label().column();
    List<String> drop = new ArrayList<>();
    for (String c : train.columns()) {
      if (!c.equals(label)) {
        drop.add(c);
      }
    }
    var f = data.features();
    DataSpec labelOnly = new DataSpec(data.format(), data.path(), data.testPath(), data.header(), data.delimiter(), data.split(),
        data.partitions(), data.limit(), new JobSpec.FeatureSpec(drop, List.of(), List.of(), f.scaling()),
        data.label(), data.sequence(), data.augmentShift(), data.missing(), data.unseen(), data.text(), data.multiline(), data.cache());
    FeaturePipelineModel labels = Tabular.fit(train, labelOnly);
    List<String> words = vocabulary(train, data.text().column(), data.text().vocabulary());
    return new FeaturePipelineModel(labels.params().withText(data.text().column(), words));
  }

  /** Token ids of one text: known words 2.., others {@link #UNKNOWN}; at most {@code length}. */
  static float[][] ids(String text, Map<String, Integer> index, int length) {
    List<String> words = tokens(text);
    int n = Math.min(length, words.size());
    if (n == 0) {
      return new float[][] {{PADDING}}; // an empty text: one padding step, so the mask is not empty
    }
    float[][] steps = new float[n][1];
    for (int t = 0; t < n; t++) {
      steps[t][0] = index.getOrDefault(words.get(t), UNKNOWN);
    }
    return steps;
  }

  static Map<String, Integer> index(List<String> vocabulary) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < vocabulary.size(); i++) {
      index.put(vocabulary.get(i), i + 2);
    }
    return index;
  }

  /** Labelled minibatches [batch, 1, time] of the rows, with a feature mask [batch, time]. */
  static JavaRDD<DataSet> batches(Dataset<Row> rows, FeaturePipelineModel model, int length, int batchSize) {
    String textColumn = model.params().textColumn();
    String labelColumn = model.params().labelColumn();
    List<String> present = Arrays.asList(rows.columns());
    for (String c : new String[] {textColumn, labelColumn}) {
      if (!present.contains(c)) {
        throw new DataException("column '" + c + "' that the model's text pipeline reads is not in the data; columns are: "
            + String.join(", ", present) + "; give data with the columns the model was trained on");
      }
    }
    return rows.select(textColumn, labelColumn).javaRDD().mapPartitions((Iterator<Row> it) -> {
      Map<String, Integer> index = index(model.params().vocabulary());
      Iterator<Sequences.Sequence> sequences = new Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Sequences.Sequence next() {
          Row r = it.next();
          String text = r.isNullAt(0) ? null : String.valueOf(r.get(0));
          if (r.isNullAt(1)) {
            throw new DataException("label column '" + labelColumn + "': a missing value (text \"" + text
                + "\"); expected a label in every row; fill or drop those rows");
          }
          String label = String.valueOf(r.get(1));
          return new Sequences.Sequence(ids(text, index, length), model.label(label));
        }
      };
      return Sequences.minibatches(sequences, length, batchSize);
    });
  }

  /** Sequences of token ids to score (predict), one per row, keyed by {@code keys}; no label is needed. */
  static JavaRDD<SequenceRow> unlabelled(Dataset<Row> rows, FeaturePipelineModel model, int length, List<String> keys) {
    String textColumn = model.params().textColumn();
    List<String> present = Arrays.asList(rows.columns());
    List<String> wanted = new ArrayList<>(keys);
    wanted.add(0, textColumn);
    for (String c : wanted) {
      if (!present.contains(c)) {
        throw new DataException("column '" + c + "' is not in the data" + (c.equals(textColumn) ? " (the model's text column)" : " (a key column)")
            + "; columns are: " + String.join(", ", present) + "; give data with that column, or other --keys");
      }
    }
    List<String> words = model.params().vocabulary();
    return rows.selectExpr(wanted.stream().map(c -> "`" + c.replace("`", "``") + "`").toArray(String[]::new)).javaRDD().mapPartitions((Iterator<Row> it) -> {
      Map<String, Integer> index = index(words);
      return new Iterator<SequenceRow>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public SequenceRow next() {
          Row r = it.next();
          String[] k = new String[r.size() - 1];
          for (int i = 0; i < k.length; i++) {
            k[i] = r.isNullAt(i + 1) ? null : String.valueOf(r.get(i + 1));
          }
          return new SequenceRow(k, ids(r.isNullAt(0) ? null : String.valueOf(r.get(0)), index, length));
        }
      };
    });
  }
}
