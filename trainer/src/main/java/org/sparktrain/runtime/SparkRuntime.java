package org.sparktrain.runtime;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the one SparkSession a command uses. Settings given by spark-submit or a cluster config
 * win; the defaults here only fill what is missing, so a job runs unchanged on a laptop and on a
 * cluster.
 */
public final class SparkRuntime {
  /** Aeron's client liveness timeout that DL4J's gradient-sharing transport sets (30 s, in ns). */
  static final long AERON_CLIENT_LIVENESS_NS = 30_000_000_000L;

  /**
   * Aeron's media driver refuses to start unless the publication unblock timeout exceeds the client
   * liveness timeout; its default (15 s) does not.
   */
  static final long AERON_UNBLOCK_NS = 60_000_000_000L;

  private SparkRuntime() {}

  /** The JVM options every executor needs: Java 17 opens and the Aeron timeouts. */
  public static String executorJavaOptions() {
    return JavaOptions.OPENS
        + " -Daeron.client.liveness.timeout="
        + AERON_CLIENT_LIVENESS_NS
        + " -Daeron.publication.unblock.timeout="
        + AERON_UNBLOCK_NS;
  }

  /**
   * Sets Aeron's timeouts in this JVM (the driver, and the executors of local mode) unless the user
   * chose their own.
   */
  public static void configureAeron() {
    setIfAbsent("aeron.client.liveness.timeout", Long.toString(AERON_CLIENT_LIVENESS_NS));
    setIfAbsent("aeron.publication.unblock.timeout", Long.toString(AERON_UNBLOCK_NS));
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /**
   * The SparkConf for a command: local[*] when no master was given by spark-submit or {@code
   * --master}; Kryo with ND4J's registrator and {@link ArrayRegistrator}; executor JVM options;
   * {@link NativeBuildPlugin} on the executors.
   */
  public static SparkConf conf(String appName, String masterOverride) {
    SparkConf conf = new SparkConf(true);
    if (masterOverride != null && !masterOverride.isBlank()) {
      conf.setMaster(masterOverride);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    ArrayRegistrator.configure(conf);
    conf.setIfMissing("spark.kryoserializer.buffer.max", "512m");
    // The synchronous strategy's workers return parameters and updater state (MBs) every round;
    // above 1 MB (Spark's default) each result takes a detour through the block manager.
    conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.sql.shuffle.partitions", "8");
    }
    String plugins = conf.get("spark.plugins", "");
    if (!plugins.contains(NativeBuildPlugin.class.getName())) {
      conf.set("spark.plugins", plugins.isBlank() ? NativeBuildPlugin.class.getName() : plugins + "," + NativeBuildPlugin.class.getName());
    }
    String extra = conf.get("spark.executor.extraJavaOptions", "");
    if (!extra.contains("aeron.publication.unblock.timeout")) {
      conf.set("spark.executor.extraJavaOptions", (extra + " " + executorJavaOptions()).trim());
    }
    return conf;
  }

  /**
   * The failure to report when Spark's context stopped under a command: on a cluster that is
   * almost always a master that refused the application or never answered, which Spark itself only
   * reports as "Cannot call methods on a stopped SparkContext".
   */
  public static RuntimeException stoppedUnder(SparkSession spark, RuntimeException seen) {
    String master = spark.sparkContext().master();
    if (master.startsWith("local")) {
      return seen;
    }
    return new IllegalStateException(
        "Spark stopped before the run ended: the cluster at "
            + master
            + " did not accept the application or dropped it. Seen: "
            + String.valueOf(seen.getMessage()).lines().findFirst().orElse("")
            + ". Usual causes: a wrong --master or spark.master; a cluster with spark.authenticate"
            + " and a client with no or a different secret (Spark's log above then says \"Expected"
            + " SaslMessage\" and \"All masters are unresponsive\"); no worker with enough free cores"
            + " or memory. Fix the master URL, or pass the cluster's secret with --conf"
            + " spark.authenticate=true --conf spark.authenticate.secret=...",
        seen);
  }

  /** Starts (or joins) the session. */
  public static SparkSession start(String appName, String masterOverride) {
    NativeBuild.choose();
    configureAeron();
    return SparkSession.builder().config(conf(appName, masterOverride)).getOrCreate();
  }
}
