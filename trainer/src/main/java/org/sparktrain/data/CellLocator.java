package org.sparktrain.data;

import java.io.Serializable;
import java.util.function.Predicate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Adds the file and line to a bad cell's error inside the task that met it: the task reads the
 * source's text again, only on that failure, so no row goes to the driver.
 */
final class CellLocator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RawCsv.Origin origin;
  private final Broadcast<SerializableConfiguration> conf;

  private CellLocator(RawCsv.Origin origin, Broadcast<SerializableConfiguration> conf) {
    this.origin = origin;
    this.conf = conf;
  }

  /** A locator for rows read from {@code origin}; with none, errors are passed on as they are. */
  static CellLocator of(SparkSession spark, RawCsv.Origin origin) {
    if (origin == null) {
      return new CellLocator(null, null);
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return new CellLocator(origin, sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration())));
  }

  /** The error with "the first at line N of FILE" (or the source's path) in its message. */
  BadCell locate(BadCell e) {
    if (origin == null) {
      return e;
    }
    Predicate<String> same = e.kind() == BadCell.Kind.MISSING ? origin::isMissing : v -> v != null && v.equals(e.raw());
    String where = origin.where(conf.value().value(), e.column(), same);
    return e.at(where.isEmpty() ? "(in " + origin.path() + ")" : "(the first " + where + ")");
  }
}
