package org.sparktrain.data;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparktrain.spec.JobSpec.LabelSpec;

/**
 * Labels that are not one column: multi_label (several 0/1 columns, one output each) and
 * reconstruct (the scaled features are the target, as for an autoencoder).
 */
final class LabelColumns {
  private LabelColumns() {}

  static boolean handles(LabelSpec label) {
    return "multi_label".equals(label.kind()) || "reconstruct".equals(label.kind());
  }

  /** The kind an idx pipeline records: reconstruct, or classes from the label files. */
  static String idxKind(LabelSpec label) {
    return "reconstruct".equals(label.kind()) ? "reconstruct" : "class_index";
  }

  static void requirePresent(LabelSpec label, List<String> columns) {
    for (String c : label.columns()) {
      if (!columns.contains(c)) {
        throw new DataException("data.label.columns: column '" + c + "' is not in the data; columns are: " + String.join(", ", columns));
      }
    }
  }

  /**
   * The label names as the pipeline keeps them (the multi_label columns; none for reconstruct),
   * after checking with one aggregation that every multi_label value in the training split is 0 or
   * 1.
   */
  static List<String> fit(Dataset<Row> train, LabelSpec label) {
    if (!"multi_label".equals(label.kind())) {
      return List.of();
    }
    List<String> columns = label.columns();
    List<Column> bad = new ArrayList<>();
    for (String c : columns) {
      Column v = col(c).cast("double");
      bad.add(org.apache.spark.sql.functions.sum(
          org.apache.spark.sql.functions.when(v.isNull().or(v.notEqual(0.0).and(v.notEqual(1.0))), 1).otherwise(0)));
    }
    Row counts = train.agg(bad.get(0), bad.subList(1, bad.size()).toArray(new Column[0])).first();
    for (int i = 0; i < columns.size(); i++) {
      if (!counts.isNullAt(i) && counts.getLong(i) > 0) {
        String c = columns.get(i);
        Row example = train.filter(col(c).isNull().or(col(c).cast("double").isNull())
            .or(col(c).cast("double").notEqual(0.0).and(col(c).cast("double").notEqual(1.0)))).select(c).first();
        throw new DataException("label column '" + c + "': " + counts.getLong(i) + " row(s) in the training split are not 0 or 1 (e.g. \""
            + example.get(0) + "\"); multi_label columns hold 0/1 flags; fix the data or leave the column out of data.label.columns");
      }
    }
    return List.copyOf(columns);
  }
}
