package org.sparktrain.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.spec.JobSpec.DataSpec;

/**
 * Finds the file and line of a bad CSV row for error messages. Spark's rows carry no line numbers,
 * so this reads the raw text again, on the driver and only after something went wrong, stopping at
 * the first match (or after {@link #MAX_LINES} lines).
 */
final class RawCsv {
  static final long MAX_LINES = 5_000_000;

  private RawCsv() {}

  /** "at line N of FILE" for the first line (header included in the count) that matches, or "". */
  static String where(SparkSession spark, String path, Predicate<String> line) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(conf);
      List<FileStatus> files = new ArrayList<>();
      FileStatus top = fs.getFileStatus(root);
      if (top.isDirectory()) {
        for (FileStatus f : fs.listStatus(root)) {
          String name = f.getPath().getName();
          if (f.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
            files.add(f);
          }
        }
        files.sort(Comparator.comparing(f -> f.getPath().getName()));
      } else {
        files.add(top);
      }
      long read = 0;
      for (FileStatus f : files) {
        try (BufferedReader in =
            new BufferedReader(new InputStreamReader(fs.open(f.getPath()), StandardCharsets.UTF_8))) {
          String l;
          long number = 0;
          while ((l = in.readLine()) != null && read++ < MAX_LINES) {
            number++;
            if (line.test(stripCr(l))) {
              return "at line " + number + " of " + f.getPath();
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
    if (!"csv".equals(data.format())) {
      return "";
    }
    char delimiter = data.delimiter().charAt(0);
    int index = Arrays.asList(rows.columns()).indexOf(column);
    if (index < 0) {
      return "";
    }
    boolean[] header = {data.header()};
    return where(
        rows.sparkSession(),
        data.path(),
        l -> {
          if (header[0]) {
            header[0] = false;
            return false;
          }
          List<String> f = fields(l, delimiter);
          return index < f.size() ? value.test(f.get(index)) : value.test(null);
        });
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
