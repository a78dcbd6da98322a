package org.sparktrain.train;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.dl4j.Dl4jVersion;
import org.sparktrain.spec.JobSpec;

/** Where an artifact came from: versions, seed, inputs, time. */
public final class Provenance {
  private Provenance() {}

  public static Map<String, Object> of(JobSpec spec, SparkSession spark, Instant started) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("trainer_version", version());
    p.put("spark_version", spark.version());
    p.put("dl4j_version", dl4jVersion());
    p.put("java_version", System.getProperty("java.version"));
    p.put("spark_master", spark.sparkContext().master());
    p.put("seed", spec.seed());
    p.put("data_path", spec.data().path());
    p.put("test_path", spec.data().testPath());
    p.put("started_at", started.toString());
    p.put("written_at", Instant.now().toString());
    return p;
  }

  static String version() {
    String v = Provenance.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  static String dl4jVersion() {
    return Dl4jVersion.nn();
  }
}
