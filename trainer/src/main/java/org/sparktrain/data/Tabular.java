package org.sparktrain.data;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.DataSpec;

/** CSV and Parquet sources: reading, fitting the pipeline with Spark aggregations, featurizing rows. */
final class Tabular {
  private static final Logger LOG = LoggerFactory.getLogger(Tabular.class);

  private Tabular() {}

  static Dataset<Row> read(SparkSession spark, DataSpec data, String path, String field) {
    requireExists(spark, path, field, data.format());
    if ("parquet".equals(data.format())) {
      Dataset<Row> df = missingTokens(spark.read().parquet(path), data.missing());
      return data.limit() > 0 ? df.limit((int) Math.min(Integer.MAX_VALUE, data.limit())) : df;
    }
    // Spark's permissive CSV reader silently pads short rows with nulls and cuts long ones; with a
    // corrupt-record column it marks them instead, and a row of the wrong width is refused here.
    StructType columns =
        spark.read().option("header", data.header()).option("delimiter", data.delimiter())
            .option("multiLine", data.multiline()).csv(path).schema();
    StructType withCorrupt = columns.add(CORRUPT, DataTypes.StringType, true);
    Dataset<Row> df =
        spark.read()
            .option("header", data.header())
            .option("delimiter", data.delimiter())
            .option("multiLine", data.multiline())
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT)
            .schema(withCorrupt)
            .csv(path);
    if (data.limit() > 0) {
      df = df.limit((int) Math.min(Integer.MAX_VALUE, data.limit()));
    }
    // Every column, so that the parser tokenizes whole rows (with column pruning a row's width
    // is not checked).
    List<Row> bad = df.where(col(CORRUPT).isNotNull()).limit(1).collectAsList();
    if (!bad.isEmpty()) {
      String raw = bad.get(0).getString(columns.size());
      int seen = RawCsv.fields(raw, data.delimiter().charAt(0)).size();
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      String where = RawCsv.where(spark, path, line::equals);
      if (!data.multiline() && RawCsv.openQuote(line)) {
        throw new DataException(
            field + ": a quoted value " + (where.isEmpty() ? "in " + path : where) + " is not closed on its line; the line is: "
                + RawCsv.preview(raw) + "; expected every row on one line; if the value goes on over the next lines, set data.multiline: true"
                + " (Spark then reads each file in one task), or remove the line breaks inside the quotes");
      }
      throw new DataException(
          field + ": a row " + (where.isEmpty() ? "in " + path : where) + " has " + seen + " field(s), expected "
              + columns.size() + (data.header() ? " (the header's columns: " + String.join(", ", columns.fieldNames()) + ")" : "")
              + "; the line is: " + RawCsv.preview(raw)
              + "; fix or remove that line (quote a value that contains the delimiter '" + data.delimiter() + "')");
    }
    return missingTokens(df.drop(CORRUPT), data.missing());
  }

  private static final String CORRUPT = "__sparktrain_corrupt_record";

  /**
   * Text cells equal to a data.missing.tokens value (both trimmed), or blank, become null, which
   * is what every later step takes for a missing value.
   */
  static Dataset<Row> missingTokens(Dataset<Row> df, JobSpec.MissingSpec missing) {
    List<String> tokens = new ArrayList<>(List.of(""));
    for (String t : missing.tokens()) {
      if (!tokens.contains(t.trim())) {
        tokens.add(t.trim());
      }
    }
    Column[] out = new Column[df.columns().length];
    boolean any = false;
    for (int i = 0; i < out.length; i++) {
      var f = df.schema().fields()[i];
      Column c = df.col("`" + f.name().replace("`", "``") + "`");
      if (f.dataType().equals(DataTypes.StringType)) {
        out[i] = when(functions.trim(c).isin(tokens.toArray()), functions.lit(null).cast(DataTypes.StringType)).otherwise(c).as(f.name());
        any = true;
      } else {
        out[i] = c;
      }
    }
    return any ? df.select(out) : df;
  }

  /**
   * Before training: every row of a source, whatever its split, checked in one aggregation for
   * missing values (under data.missing.policy fail, and in the label always), values that are not
   * numbers, and NaN or infinite values in the numeric feature and label columns. Fails naming
   * each bad column with its count, the first value seen and its file and line.
   *
   * @param policy the data.missing.policy in force (the fitted pipeline's when resuming)
   */
  static void check(Dataset<Row> rows, DataSpec data, String path, String field, String policy) {
    List<String> numeric = numericColumns(data, rows.columns());
    boolean failMissing = policy == null || "fail".equals(policy);
    String label = data.label().column();
    boolean hasLabel = label != null && !LabelColumns.handles(data.label()) && Arrays.asList(rows.columns()).contains(label);
    boolean numericLabel = hasLabel && "numeric".equals(data.label().kind());
    List<ValueCheck> checks = new ArrayList<>();
    List<Column> aggs = new ArrayList<>();
    for (String c : numeric) {
      if (failMissing) {
        checks.add(new ValueCheck(c, "missing", false, "a number"));
      }
      checks.add(new ValueCheck(c, "nan", false, null));
      checks.add(new ValueCheck(c, "infinite", false, null));
    }
    if (failMissing) {
      for (String c : data.features().categorical()) {
        checks.add(new ValueCheck(c, "missing", false, "a category"));
      }
    }
    if (hasLabel) {
      checks.add(new ValueCheck(label, "missing", true, "a label"));
      if (numericLabel) {
        checks.add(new ValueCheck(label, "nan", true, null));
        checks.add(new ValueCheck(label, "infinite", true, null));
      }
    }
    if (checks.isEmpty()) {
      return;
    }
    for (ValueCheck k : checks) {
      aggs.add(sum(when(bad(k.column(), k.what()), 1).otherwise(0)));
    }
    Row counts = rows.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      long n = counts.isNullAt(i) ? 0 : counts.getLong(i);
      if (n > 0) {
        problems.add(problem(rows, data, path, field, checks.get(i), n));
      }
    }
    if (!problems.isEmpty()) {
      throw new DataException(String.join("\n", problems));
    }
  }

  /**
   * One count of {@link #check}: rows of {@code column} that are missing, not numbers ("nan") or
   * NaN/infinite ("infinite"); {@code expected} names what a missing cell should have held.
   */
  private record ValueCheck(String column, String what, boolean label, String expected) {}

  /** Rows where {@code c} is missing ("missing"), not a number ("nan") or NaN/infinite ("infinite"). */
  private static Column bad(String c, String what) {
    Column v = col(c).cast("double");
    return switch (what) {
      case "missing" -> col(c).isNull();
      case "nan" -> col(c).isNotNull().and(v.isNull());
      default -> functions.isnan(v).or(v.equalTo(Double.POSITIVE_INFINITY)).or(v.equalTo(Double.NEGATIVE_INFINITY));
    };
  }

  private static String problem(Dataset<Row> rows, DataSpec data, String path, String field, ValueCheck k, long n) {
    String c = k.column();
    String head = (k.label() ? "label column '" : "column '") + c + "': ";
    if ("missing".equals(k.what())) {
      String where = RawCsv.where(rows, data, path, c, data.missing()::isMissing);
      return head + n + " missing value(s) in " + field + (where.isEmpty() ? "" : " (the first " + where + ")")
          + "; expected " + k.expected() + " in every row; fill or drop those rows, or set data.missing.policy: skip"
          + (k.label() ? "" : " or fill") + (k.label() || !"a number".equals(k.expected()) ? "" : ", or add the column to data.features.drop");
    }
    Object first = rows.filter(bad(c, k.what())).select(c).first().get(0);
    String value = String.valueOf(first);
    String where = first instanceof String ? RawCsv.where(rows, data, path, c, value::equals) : "";
    String count = "(" + n + " such rows in " + field + (where.isEmpty() ? "" : "; the first " + where) + ")";
    if ("nan".equals(k.what())) {
      return head + "value \"" + value + "\" is not a number " + count + "; expected numeric values"
          + (k.label() ? " for data.label.kind numeric; fix the data, or use data.label.kind binary or class_index" : "; fix the data, list the column in data.features.categorical or data.features.drop")
          + ", or, " + BadCell.tokenHint(value);
    }
    return head + "value \"" + value + "\" is not a finite number " + count + "; " + NON_FINITE_FIX + ", or, " + BadCell.tokenHint(value);
  }

  static final String NON_FINITE_FIX =
      "expected a finite number (NaN and infinities make training diverge); clean the data (drop or correct those rows)";

  /**
   * The columns the pipeline reads: the numeric and categorical feature columns and the label
   * (when present in {@code df}).
   */
  static List<String> usedColumns(DataSpec data, Dataset<Row> df) {
    List<String> used = new ArrayList<>(numericColumns(data, df.columns(), false));
    used.addAll(data.features().categorical());
    if (data.label().column() != null && Arrays.asList(df.columns()).contains(data.label().column())) {
      used.add(data.label().column());
    }
    return used;
  }

  /**
   * With data.missing.policy skip: the rows without a missing value in {@code columns}; logs how
   * many were dropped and returns the count through {@code skipped}.
   */
  static Dataset<Row> skipMissing(Dataset<Row> df, List<String> columns, String what, long[] skipped) {
    Column any = functions.lit(false);
    for (String c : columns) {
      any = any.or(col(c).isNull());
    }
    Row r = df.agg(sum(when(any, 1).otherwise(0))).first();
    long n = r.isNullAt(0) ? 0 : r.getLong(0);
    skipped[0] += n;
    if (n > 0) {
      LOG.warn("{}: skipped {} row(s) with a missing value (data.missing.policy: skip)", what, n);
    }
    return df.where(functions.not(any));
  }

  static void requireExists(SparkSession spark, String path, String field, String format) {
    try {
      Path p = new Path(path);
      if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        throw new DataException(
            field + ": no such file or directory '" + path + "'; expected an existing " + format
                + " file or directory; check the path, run deploy/fetch-data.sh for the bundled jobs, or set it with --set " + field + "=...");
      }
    } catch (IOException e) {
      throw new DataException(field + ": cannot access '" + path + "': " + e.getMessage());
    }
  }

  /** The numeric columns the job uses: declared, or every column not otherwise used. */
  static List<String> numericColumns(JobSpec.DataSpec data, String[] columns) {
    return numericColumns(data, columns, true);
  }

  private static List<String> numericColumns(JobSpec.DataSpec data, String[] columns, boolean requireLabel) {
    List<String> declared = data.features().numeric();
    List<String> all = Arrays.asList(columns);
    for (List<String> list : List.of(declared, data.features().categorical(), data.features().drop())) {
      for (String c : list) {
        if (!all.contains(c)) {
          throw new DataException("column '" + c + "' named in data.features is not in the data; columns are: " + String.join(", ", all));
        }
      }
    }
    if (requireLabel && data.label().column() != null && !all.contains(data.label().column())) {
      throw new DataException("data.label.column: column '" + data.label().column() + "' is not in the data; columns are: " + String.join(", ", all));
    }
    LabelColumns.requirePresent(data.label(), all);
    if (!declared.isEmpty()) {
      return declared;
    }
    List<String> rest = new ArrayList<>();
    for (String c : columns) {
      if (!c.equals(data.label().column()) && !data.label().columns().contains(c) && !data.features().drop().contains(c) && !data.features().categorical().contains(c)) {
        rest.add(c);
      }
    }
    return rest;
  }

  static FeaturePipelineModel fit(Dataset<Row> train, JobSpec.DataSpec data) {
    List<String> numeric = numericColumns(data, train.columns());
    List<Column> aggs = new ArrayList<>();
    for (String c : numeric) {
      Column v = col(c).cast("double");
      aggs.add(avg(v));
      aggs.add(stddev_pop(v));
      aggs.add(min(v));
      aggs.add(max(v));
      aggs.add(sum(when(col(c).isNull(), 1).otherwise(0)));
      aggs.add(sum(when(col(c).isNotNull().and(v.isNull()), 1).otherwise(0)));
      aggs.add(sum(when(bad(c, "infinite"), 1).otherwise(0)));
    }
    double[] center = new double[numeric.size()];
    double[] scale = new double[numeric.size()];
    JobSpec.MissingSpec missing = data.missing();
    boolean fill = "fill".equals(missing.policy());
    double[] numericFill = new double[numeric.size()];
    Arrays.fill(numericFill, Double.NaN);
    if (!aggs.isEmpty()) {
      Row stats = train.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
      for (int i = 0; i < numeric.size(); i++) {
        String c = numeric.get(i);
        if (!fill && stats.get(7 * i + 4) != null && stats.getLong(7 * i + 4) > 0) {
          throw new DataException("column '" + c + "': " + stats.getLong(7 * i + 4) + " missing value(s) in the training split" + firstMissing(train, c, data)
              + "; expected a number in every row; fill or drop those rows, set data.missing.policy to skip or fill, or add the column to data.features.drop");
        }
        if (stats.get(7 * i + 5) != null && stats.getLong(7 * i + 5) > 0) {
          Row bad = train.filter(col(c).isNotNull().and(col(c).cast("double").isNull())).select(c).first();
          String value = String.valueOf(bad.get(0));
          throw new DataException("column '" + c + "': value \"" + value + "\" is not a number (" + stats.getLong(7 * i + 5) + " such rows; the first " + RawCsv.where(train, data, c, value::equals)
              + "); expected numeric values; fix the data, list the column in data.features.categorical or data.features.drop, or, " + BadCell.tokenHint(value));
        }
        if (stats.get(7 * i + 6) != null && stats.getLong(7 * i + 6) > 0) {
          Object bad = train.filter(bad(c, "infinite")).select(c).first().get(0);
          String value = String.valueOf(bad);
          throw new DataException("column '" + c + "': value \"" + value + "\" is not a finite number (" + stats.getLong(7 * i + 6) + " such rows in the training split"
              + (bad instanceof String ? "; the first " + RawCsv.where(train, data, c, value::equals) : "") + "); " + NON_FINITE_FIX + ", or, " + BadCell.tokenHint(value));
        }
        double mean = stats.isNullAt(7 * i) ? 0 : stats.getDouble(7 * i);
        double sd = stats.isNullAt(7 * i + 1) ? 0 : stats.getDouble(7 * i + 1);
        double lo = stats.isNullAt(7 * i + 2) ? 0 : stats.getDouble(7 * i + 2);
        double hi = stats.isNullAt(7 * i + 3) ? 0 : stats.getDouble(7 * i + 3);
        double[] cs = Scaling.centerScale(data.features().scaling(), mean, sd, lo, hi);
        center[i] = cs[0];
        scale[i] = cs[1];
        if (fill) {
          numericFill[i] = numericFill(train, c, mean, missing);
        }
      }
    }
    List<String> categorical = data.features().categorical();
    List<List<String>> categories = new ArrayList<>();
    List<String> categoricalFill = new ArrayList<>();
    for (String c : categorical) {
      if (fill) {
        String with = "constant".equals(missing.fill()) ? canonical(missing.value()) : mostFrequent(train, c);
        TreeSet<String> values = new TreeSet<>(distinct(train.where(col(c).isNotNull()), c, data));
        if (with != null) {
          values.add(with);
        }
        categories.add(new ArrayList<>(values));
        categoricalFill.add(with);
      } else {
        categories.add(distinct(train, c, data));
        categoricalFill.add(null);
      }
    }
    String labelColumn = data.label().column();
    if (LabelColumns.handles(data.label())) {
      return new FeaturePipelineModel(
          new FeaturePipelineModel.Params(data.format(), numeric, center, scale, categorical, categories, null,
              data.label().kind(), LabelColumns.fit(train, data.label()), false, 0, 1));
    }
    // A numeric target has no classes: check its values with an aggregation instead of
    // collecting (and capping) its distinct values.
    boolean numericLabel = "numeric".equals(data.label().kind());
    if (numericLabel) {
      requireNumericLabel(train, labelColumn);
    }
    List<String> labelValues = numericLabel ? List.of() : distinct(train, labelColumn, data);
    LabelFit label = LabelFit.fit(data.label(), labelValues, () -> meanStd(train, labelColumn));
    return new FeaturePipelineModel(
        new FeaturePipelineModel.Params(data.format(), numeric, center, scale, categorical, categories, labelColumn,
            data.label().kind(), label.classNames(), label.integerClasses(), label.center(), label.scale(),
            missing.policy(), fill ? numericFill : null, fill ? categoricalFill : null, data.unseen()));
  }

  private static void requireNumericLabel(Dataset<Row> train, String c) {
    Column v = col(c).cast("double");
    Row r = train.agg(sum(when(col(c).isNull(), 1).otherwise(0)), sum(when(col(c).isNotNull().and(v.isNull()), 1).otherwise(0))).first();
    if (!r.isNullAt(0) && r.getLong(0) > 0) {
      throw new DataException("label column '" + c + "': " + r.getLong(0) + " missing value(s) in the training split; expected a number in every row; fill or drop those rows, or set data.missing.policy: skip");
    }
    if (!r.isNullAt(1) && r.getLong(1) > 0) {
      Row bad = train.filter(col(c).isNotNull().and(v.isNull())).select(c).first();
      throw new DataException("label column '" + c + "': value \"" + bad.get(0) + "\" is not a number (" + r.getLong(1) + " such rows); expected numeric values for data.label.kind numeric; fix the data, or use kind binary or class_index");
    }
    if (!train.filter(bad(c, "infinite")).isEmpty()) {
      Object bad = train.filter(bad(c, "infinite")).select(c).first().get(0);
      throw new DataException("label column '" + c + "': value \"" + bad + "\" is not a finite number; " + NON_FINITE_FIX);
    }
  }

  private static double[] meanStd(Dataset<Row> train, String c) {
    Row r = train.agg(avg(col(c).cast("double")), stddev_pop(col(c).cast("double"))).first();
    return new double[] {r.isNullAt(0) ? 0 : r.getDouble(0), r.isNullAt(1) ? 0 : r.getDouble(1)};
  }

  /** Most distinct values a categorical column or a label may have. */
  static final int MAX_DISTINCT = 10_000;

  /**
   * Distinct values of a column in canonical text form, sorted; fails on missing values. Capped
   * inside Spark: at most {@link #MAX_DISTINCT} + 1 values reach the driver.
   */
  private static List<String> distinct(Dataset<Row> df, String c, DataSpec data) {
    TreeSet<String> values = new TreeSet<>();
    List<Row> raw = df.select(c).distinct().limit(MAX_DISTINCT + 1).collectAsList();
    boolean complete = raw.size() <= MAX_DISTINCT;
    if (!complete && !df.where(col(c).isNull()).isEmpty()) {
      throw missingValues(df, c, data);
    }
    if (complete) {
      for (Row r : raw) {
        if (r.isNullAt(0)) {
          throw missingValues(df, c, data);
        }
        values.add(canonical(String.valueOf(r.get(0))));
      }
    } else {
      // More raw values than the cap; 1, 1.0 and 1.00 are one category, so count canonical forms
      // (an aggregation) and bring back at most cap + 1 of them.
      JavaRDD<String> canonical = df.select(c).distinct().javaRDD().map(r -> canonical(String.valueOf(r.get(0)))).distinct();
      long n = canonical.count();
      if (n > MAX_DISTINCT) {
        throw tooMany(c, n);
      }
      values.addAll(canonical.take(MAX_DISTINCT + 1));
    }
    if (values.size() > MAX_DISTINCT) {
      throw tooMany(c, values.size());
    }
    return new ArrayList<>(values);
  }

  private static DataException tooMany(String c, long n) {
    return new DataException("column '" + c + "' has " + n + " distinct values; expected a categorical column or label with at most " + MAX_DISTINCT + "; drop it or treat it as numeric");
  }

  private static DataException missingValues(Dataset<Row> df, String c, DataSpec data) {
    boolean label = c.equals(data.label().column());
    return new DataException((label ? "label column '" : "column '") + c + "': missing values in the training split" + firstMissing(df, c, data)
        + "; expected a value in every row; fill or drop those rows, or set data.missing.policy: skip"
        + (label ? "" : " or fill"));
  }

  /** Where the first missing value of {@code c} is, for messages: "; the first at line N of F". */
  private static String firstMissing(Dataset<Row> df, String c, DataSpec data) {
    String where = RawCsv.where(df, data, c, data.missing()::isMissing);
    return where.isEmpty() ? "" : "; the first " + where;
  }

  private static double numericFill(Dataset<Row> train, String c, double mean, JobSpec.MissingSpec missing) {
    switch (missing.fill()) {
      case "constant" -> {
        try {
          return Double.parseDouble(missing.value().trim());
        } catch (NumberFormatException e) {
          throw new DataException("data.missing.value: \"" + missing.value() + "\" is not a number, but numeric column '" + c
              + "' is filled with it; expected a number; set a numeric value, or use data.missing.fill: mean or mode");
        }
      }
      case "mode" -> {
        String v = mostFrequent(train, c);
        return v == null ? 0 : Double.parseDouble(v);
      }
      default -> {
        return mean;
      }
    }
  }

  /** The most frequent non-missing value of {@code c} (ties: the smallest), or null. */
  private static String mostFrequent(Dataset<Row> df, String c) {
    List<Row> top =
        df.where(col(c).isNotNull())
            .groupBy(col(c).cast("string").as("v"))
            .count()
            .orderBy(col("count").desc(), col("v"))
            .limit(1)
            .collectAsList();
    return top.isEmpty() ? null : canonical(top.get(0).getString(0));
  }

  /** Numbers written as 1, 1.0 or 1.00 are the same category. */
  static String canonical(String raw) {
    if (raw == null) {
      return null;
    }
    String t = raw.trim();
    try {
      double d = Double.parseDouble(t);
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
    } catch (NumberFormatException e) {
      // not a number: the text itself is the category
    }
    return t;
  }

  static double parseNumber(String raw, String column) {
    if (raw == null || raw.isBlank()) {
      throw new BadCell(column, null, BadCell.Kind.MISSING, "expected a number; fill or drop the row, or set data.missing.policy: skip or fill");
    }
    double d;
    try {
      d = Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      if (BadCell.nonFiniteWord(raw)) {
        throw nonFinite(column, raw);
      }
      throw new BadCell(column, raw, BadCell.Kind.NOT_A_NUMBER, "expected numeric values; fix the data, or, " + BadCell.tokenHint(raw));
    }
    if (!Double.isFinite(d)) {
      throw nonFinite(column, raw);
    }
    return d;
  }

  private static BadCell nonFinite(String column, String raw) {
    return new BadCell(column, raw, BadCell.Kind.NOT_FINITE, NON_FINITE_FIX + ", or, " + BadCell.tokenHint(raw));
  }

  /** Rows to examples, inside partitions; the column positions are resolved once on the driver. */
  static JavaRDD<Example> examples(Dataset<Row> df, FeaturePipelineModel model) {
    return examples(df, model, null);
  }

  /** As {@link #examples(Dataset, FeaturePipelineModel)}; a bad cell's error names its line in origin. */
  static JavaRDD<Example> examples(Dataset<Row> df, FeaturePipelineModel model, RawCsv.Origin origin) {
    CellLocator locator = CellLocator.of(df.sparkSession(), origin);
    requireColumns(df, model, true);
    int[] num = indices(df, model.params().numericColumns());
    int[] cat = indices(df, model.params().categoricalColumns());
    int[] label = indices(df, model.labelColumns());
    List<String> names = model.params().numericColumns();
    return df.javaRDD().mapPartitions((Iterator<Row> it) -> new Iterator<Example>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Example next() {
        Row r = it.next();
        String[] raw = new String[label.length];
        for (int i = 0; i < label.length; i++) {
          raw[i] = r.isNullAt(label[i]) ? null : String.valueOf(r.get(label[i]));
        }
        try {
          SparseFeatures x = featurize(r, num, cat, names, model);
          return new Example(x, model.labels(raw, x));
        } catch (BadCell e) {
          throw locator.locate(e);
        }
      }
    });
  }

  static JavaRDD<FeatureRow> featureRows(Dataset<Row> df, FeaturePipelineModel model, List<String> keys) {
    return featureRows(df, model, keys, null);
  }

  static JavaRDD<FeatureRow> featureRows(Dataset<Row> df, FeaturePipelineModel model, List<String> keys, RawCsv.Origin origin) {
    CellLocator locator = CellLocator.of(df.sparkSession(), origin);
    requireColumns(df, model, false);
    int[] num = indices(df, model.params().numericColumns());
    int[] cat = indices(df, model.params().categoricalColumns());
    int[] key = indices(df, keys);
    List<String> names = model.params().numericColumns();
    return df.javaRDD().map(r -> {
      String[] k = new String[key.length];
      for (int i = 0; i < key.length; i++) {
        k[i] = r.isNullAt(key[i]) ? null : String.valueOf(r.get(key[i]));
      }
      try {
        return new FeatureRow(k, featurize(r, num, cat, names, model));
      } catch (BadCell e) {
        throw locator.locate(e);
      }
    });
  }

  private static SparseFeatures featurize(Row r, int[] num, int[] cat, List<String> names, FeaturePipelineModel model) {
    double[] x = new double[num.length];
    FeaturePipelineModel.Params p = model.params();
    for (int i = 0; i < num.length; i++) {
      Object v = r.get(num[i]);
      boolean missing = v == null || (v instanceof String s && s.isBlank());
      x[i] =
          missing && !Double.isNaN(p.numericFill(i))
              ? p.numericFill(i)
              : v instanceof Number n ? finite(n, names.get(i)) : parseNumber(v == null ? null : String.valueOf(v), names.get(i));
    }
    String[] c = new String[cat.length];
    for (int i = 0; i < cat.length; i++) {
      if (r.isNullAt(cat[i])) {
        c[i] = p.categoricalFill(i);
        if (c[i] == null) {
          throw new BadCell(p.categoricalColumns().get(i), null, BadCell.Kind.MISSING, "expected a category; fill or drop the row, or set data.missing.policy: skip or fill");
        }
      } else {
        c[i] = canonical(String.valueOf(r.get(cat[i])));
      }
    }
    return model.encode(x, c);
  }

  private static double finite(Number n, String column) {
    double d = n.doubleValue();
    if (!Double.isFinite(d)) {
      throw nonFinite(column, String.valueOf(n));
    }
    return d;
  }

  /** Fails naming every column the pipeline reads that {@code df} lacks. */
  private static void requireColumns(Dataset<Row> df, FeaturePipelineModel model, boolean label) {
    List<String> needed = new ArrayList<>(model.params().numericColumns());
    needed.addAll(model.params().categoricalColumns());
    if (label && model.params().labelColumn() != null) {
      needed.add(model.params().labelColumn());
    }
    indices(df, needed);
  }

  private static int[] indices(Dataset<Row> df, List<String> columns) {
    List<String> all = Arrays.asList(df.columns());
    int[] idx = new int[columns.size()];
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < idx.length; i++) {
      idx[i] = all.indexOf(columns.get(i));
      if (idx[i] < 0) {
        missing.add(columns.get(i));
      }
    }
    if (missing.size() == 1) {
      throw new DataException("column '" + missing.get(0) + "' is missing from the data; the model was trained with it; columns present: " + String.join(", ", all));
    }
    if (!missing.isEmpty()) {
      throw new DataException("columns " + String.join(", ", missing.stream().map(c -> "'" + c + "'").toList())
          + " are missing from the data; the model was trained with them; columns present: " + String.join(", ", all)
          + "; give data with the training data's columns (extra columns are ignored)");
    }
    return idx;
  }
}
