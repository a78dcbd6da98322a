package org.sparktrain;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The one local SparkSession shared by every Spark-backed test in a JVM (local[2], Kryo, UI off). */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      SparkConf conf =
          new SparkConf()
              .setMaster("local[2]")
              .setAppName("trainer-tests")
              .set("spark.ui.enabled", "false")
              .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
              .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator,org.sparktrain.runtime.ArrayRegistrator")
              .set("spark.sql.shuffle.partitions", "4")
              .set("spark.driver.host", "127.0.0.1")
              .set("spark.driver.bindAddress", "127.0.0.1");
      session = SparkSession.builder().config(conf).getOrCreate();
    }
    return session;
  }
}
