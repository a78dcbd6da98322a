package org.sparktrain.dl4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DL4J version on the class path, and the check that it is the one this package's
 * work-arounds were written for: they reach into DL4J's internals (private fields, threading and
 * port behaviour), which another version may change. DL4J's jars carry no Implementation-Version;
 * their Maven metadata ({@code META-INF/maven/GROUP/ARTIFACT/pom.properties}) does.
 */
public final class Dl4jVersion {
  private static final Logger LOG = LoggerFactory.getLogger(Dl4jVersion.class);
  /** The DL4J version the work-arounds in this package were written for and tested with. */
  public static final String WRITTEN_FOR = "1.0.0-M2";
  /** Where the work-arounds are described. */
  public static final String PAGE = "docs/strategies.md";

  private static final String GROUP = "org.deeplearning4j";
  private static final AtomicBoolean CHECKED = new AtomicBoolean();

  private Dl4jVersion() {}

  /** deeplearning4j-nn's version, or null when its jar has no Maven metadata. */
  public static String nn() {
    return version(NeuralNetConfiguration.class, GROUP, "deeplearning4j-nn");
  }

  /** dl4j-spark's version (for Scala 2.12 or 2.13), or null when its jar has no Maven metadata. */
  public static String spark() {
    String v = version(SparkDl4jMultiLayer.class, GROUP, "dl4j-spark_2.12");
    return v != null ? v : version(SparkDl4jMultiLayer.class, GROUP, "dl4j-spark_2.13");
  }

  /**
   * Logs one WARN line, once per JVM, when the DL4J jars on the class path are not {@link
   * #WRITTEN_FOR}. Called where Spark is set up for a run (the strategy factory).
   */
  public static void warnIfUntested() {
    if (CHECKED.compareAndSet(false, true)) {
      Map<String, String> found = new LinkedHashMap<>();
      found.put("deeplearning4j-nn", nn());
      found.put("dl4j-spark", spark());
      String warning = warning(found);
      if (warning != null) {
        LOG.warn(warning);
      }
    }
  }

  /**
   * The warning for the versions {@code found} (artifact to version, null when unknown), or null
   * when every one is {@link #WRITTEN_FOR}.
   */
  static String warning(Map<String, String> found) {
    Map<String, String> other = new LinkedHashMap<>();
    found.forEach((artifact, version) -> {
      if (!WRITTEN_FOR.equals(version)) {
        other.put(artifact, version == null ? "unknown (no Maven metadata in its jar)" : version);
      }
    });
    if (other.isEmpty()) {
      return null;
    }
    StringBuilder seen = new StringBuilder();
    other.forEach((artifact, version) -> seen.append(seen.length() == 0 ? "" : ", ").append(artifact).append(' ').append(version));
    return "DL4J on the class path is "
        + seen
        + ", but this trainer's work-arounds of DL4J behaviour were written for "
        + WRITTEN_FOR
        + "; training may hang or fail where they no longer apply: see "
        + PAGE
        + " (section \"DL4J workarounds\") before relying on it";
  }

  /** The version in {@code artifact}'s pom.properties, found through {@code anchor}'s class loader. */
  static String version(Class<?> anchor, String group, String artifact) {
    String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }
}
