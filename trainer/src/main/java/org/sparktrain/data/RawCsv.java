package org.sparktrain.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.DataSpec;

/**
 * Finds the file and line of a bad CSV row for error messages. Spark's rows carry no line numbers,
 * so this reads the raw text again, only after something went wrong (on the driver, or in the task
 * that met the bad value), stopping at the first match (or after {@link #MAX_LINES} lines).
 */
final class RawCsv {
  static final long MAX_LINES = 5_000_000;

  private RawCsv() {}

  /**
   * Where a source's rows come from, small enough to travel with a task: enough to find the line
   * of a cell again.
   *
   * @param columns the column names in file order (the header's)
   */
  record Origin(String format, String path, char delimiter, boolean header, boolean multiline, List<String> columns,
      List<String> tokens) implements Serializable {
    static Origin of(DataSpec data, String path, Dataset<Row> rows) {
      return new Origin(data.format(), path, data.delimiter().charAt(0), data.header(), data.multiline(), List.of(rows.columns()),
          data.missing().tokens());
    }

    /** Whether a raw cell counts as missing under data.missing.tokens. */
    boolean isMissing(String cell) {
      return new JobSpec.MissingSpec("fail", "mean", null, tokens).isMissing(cell);
    }

    /** "at line N of FILE" for the first data row whose {@code column} matches, or "". */
    String where(Configuration conf, String column, Predicate<String> value) {
      int index = columns.indexOf(column);
      if (!"csv".equals(format) || index < 0) {
        return "";
      }
      boolean[] header = {this.header};
      return RawCsv.where(conf, path, multiline, record -> {
        if (header[0]) {
          header[0] = false;
          return false;
        }
        List<String> f = fields(record, delimiter);
        return index < f.size() ? value.test(f.get(index)) : value.test(null);
      });
    }
  }

  /** "at line N of FILE" for the first line (header included in the count) that matches, or "". */
  static String where(SparkSession spark, String path, Predicate<String> line) {
    return where(spark.sparkContext().hadoopConfiguration(), path, false, line);
  }

  /**
   * "at line N of FILE" for the first record that matches, or "". With {@code multiline}, a record
   * whose quotes are still open at a line's end goes on over the next lines (joined with "\n") and
   * is named by its first line.
   */
  static String where(Configuration conf, String path, boolean multiline, Predicate<String> record) {
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(conf);
      List<FileStatus> files = new ArrayList<>();
      FileStatus[] matched = fs.globStatus(root);
      for (FileStatus top : matched == null ? new FileStatus[0] : matched) {
        if (top.isDirectory()) {
          List<FileStatus> inside = new ArrayList<>();
          for (FileStatus f : fs.listStatus(top.getPath())) {
            String name = f.getPath().getName();
            if (f.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
              inside.add(f);
            }
          }
          inside.sort(Comparator.comparing(f -> f.getPath().getName()));
          files.addAll(inside);
        } else {
          files.add(top);
        }
      }
      CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
      long read = 0;
      for (FileStatus f : files) {
        CompressionCodec codec = codecs.getCodec(f.getPath());
        InputStream raw = fs.open(f.getPath());
        try (BufferedReader in =
            new BufferedReader(new InputStreamReader(codec == null ? raw : codec.createInputStream(raw), StandardCharsets.UTF_8))) {
          String l;
          long number = 0;
          while ((l = in.readLine()) != null && read++ < MAX_LINES) {
            number++;
            long first = number;
            String text = stripCr(l);
            while (multiline && openQuote(text) && (l = in.readLine()) != null && read++ < MAX_LINES) {
              number++;
              text = text + "\n" + stripCr(l);
            }
            if (record.test(text)) {
              return "at line " + first + " of " + f.getPath();
            }
          }
        }
      }
    } catch (IOException e) {
      // Only a message's detail is lost; the error it belongs to is still thrown.
      return "";
    }
    return "";
  }

  /**
   * "at line N of FILE" for the first data row of the csv at data.path whose value in {@code
   * column} matches, or "" (also for parquet, which has no lines).
   */
  static String where(Dataset<Row> rows, DataSpec data, String column, Predicate<String> value) {
    return where(rows, data, data.path(), column, value);
  }

  /** As {@link #where(Dataset, DataSpec, String, Predicate)} for the rows read from {@code path}. */
  static String where(Dataset<Row> rows, DataSpec data, String path, String column, Predicate<String> value) {
    return Origin.of(data, path, rows).where(rows.sparkSession().sparkContext().hadoopConfiguration(), column, value);
  }

  /** Whether a line leaves a double-quoted value open: an odd number of quote characters. */
  static boolean openQuote(String line) {
    long quotes = line.chars().filter(c -> c == '"').count();
    return quotes % 2 == 1;
  }

  /** The fields of one CSV line; double quotes enclose a field, "" inside is a quote. */
  static List<String> fields(String line, char delimiter) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          field.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == delimiter) {
        out.add(field.toString());
        field.setLength(0);
      } else {
        field.append(ch);
      }
    }
    out.add(field.toString());
    return out;
  }

  /** A raw line for a message: quoted, at most 200 characters. */
  static String preview(String raw) {
    String s = stripCr(raw);
    return "\"" + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + "\"";
  }

  private static String stripCr(String s) {
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }
}
