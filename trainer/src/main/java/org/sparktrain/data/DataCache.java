package org.sparktrain.data;

import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.spec.JobSpec;
import scala.Tuple2;

/**
 * How the training and validation minibatches are kept between epochs ({@code data.cache}), on
 * Spark's own storage levels:
 *
 * <ul>
 *   <li>memory: {@code MEMORY_AND_DISK_SER}, serialized in executor memory. Not {@code
 *       MEMORY_ONLY_SER}: a partition that does not fit (an estimate that was low, broadcasts or a
 *       strategy's own cache taking storage memory) then goes to local disk once instead of being
 *       rebuilt from the source silently every epoch; where everything fits the two are the same.
 *   <li>disk: {@code DISK_ONLY}, serialized to each executor's local disk once.
 *   <li>none: not persisted; every epoch reads the source and builds the minibatches again.
 *   <li>auto: memory when the estimated serialized size fits the executors' storage memory, else
 *       disk.
 * </ul>
 *
 * The estimate counts what the minibatches hold, rows x (inputs + outputs) x 4 bytes (float) plus
 * a fixed overhead per minibatch, since Spark's size estimator does not see ND4J's off-heap arrays.
 */
public final class DataCache {
  private static final Logger LOG = LoggerFactory.getLogger(DataCache.class);

  /** Serialized bytes of one minibatch besides its values (shapes, DataSet fields, Kryo headers): 326 bytes measured for 256 x 448 with Kryo, rounded up. */
  static final long MINIBATCH_OVERHEAD_BYTES = 1024;

  private final Decision decision;

  private DataCache(Decision decision) {
    this.decision = decision;
  }

  /** The outcome: the setting, what it chose, the storage level and the figures behind it. */
  public record Decision(
      String setting, String chosen, StorageLevel level, long estimatedBytes, long storageBytes, String figures) {

    /** The one log line. */
    public String describe() {
      String name = level == StorageLevel.NONE() ? "not persisted, rebuilt from the source every epoch" : levelName(level);
      return "data.cache " + setting + ": " + chosen + " (" + name + "); " + figures;
    }
  }

  /**
   * The decision for {@code setting} (auto, memory, disk, none), without Spark: {@code rows} the
   * training and validation rows to keep, {@code storageBytes} the executors' storage memory (0 or
   * less: unknown, auto then picks disk).
   */
  public static Decision decide(String setting, long rows, int inputs, int outputs, int batchSize, long storageBytes) {
    long estimate = estimateBytes(rows, inputs, outputs, batchSize);
    String figures =
        String.format(Locale.ROOT, "estimated %s for %,d rows x (%d inputs + %d outputs) x 4 bytes in %,d minibatches of %d; storage memory %s",
            bytes(estimate), rows, inputs, outputs, minibatches(rows, batchSize), batchSize,
            storageBytes > 0 ? bytes(storageBytes) : "unknown");
    return switch (setting) {
      case "memory" -> new Decision(setting, "memory", StorageLevel.MEMORY_AND_DISK_SER(), estimate, storageBytes, figures);
      case "disk" -> new Decision(setting, "disk", StorageLevel.DISK_ONLY(), estimate, storageBytes, figures);
      case "none" -> new Decision(setting, "none", StorageLevel.NONE(), estimate, storageBytes, figures);
      case "auto" -> storageBytes > 0 && estimate <= storageBytes
          ? new Decision(setting, "memory", StorageLevel.MEMORY_AND_DISK_SER(), estimate, storageBytes, figures + " (fits)")
          : new Decision(setting, "disk", StorageLevel.DISK_ONLY(), estimate, storageBytes,
              figures + (storageBytes > 0 ? " (does not fit)" : ""));
      default -> throw new DataException(
          "data.cache: '" + setting + "' is not one of auto, memory, disk, none; set one of those (auto: memory when the data fits the executors' storage memory)");
    };
  }

  /** Serialized bytes of {@code rows} examples in minibatches of {@code batchSize}. */
  public static long estimateBytes(long rows, int inputs, int outputs, int batchSize) {
    return rows * ((long) inputs + outputs) * Float.BYTES + minibatches(rows, batchSize) * MINIBATCH_OVERHEAD_BYTES;
  }

  private static long minibatches(long rows, int batchSize) {
    return batchSize <= 0 ? 0 : (rows + batchSize - 1) / batchSize;
  }

  /**
   * The decision for a run's prepared data, from the running SparkContext's storage memory; logs
   * one INFO line with the decision and its figures.
   */
  public static DataCache choose(SparkContext sc, JobSpec spec, PreparedData data, int batchSize) {
    String setting = spec.data().cache() == null ? "auto" : spec.data().cache();
    long storage = storageMemory(sc);
    int inputs = data.pipeline().numInputs();
    if (data.vocabulary() > 0) {
      inputs = Math.max(1, spec.model().input().length()) * 2; // token ids and their mask per step
    } else if (spec.data().sequence().rows()) {
      inputs = inputs * Math.max(1, spec.model().input().length()) + Math.max(1, spec.model().input().length());
    }
    Decision d = decide(setting, data.trainCount() + data.validationCount(), inputs, data.pipeline().numOutputs(), batchSize, storage);
    LOG.info(d.describe());
    if ("memory".equals(setting) && storage > 0 && d.estimatedBytes() > storage) {
      LOG.warn("data.cache memory: the minibatches (estimated {}) exceed the executors' storage memory ({}); what does not fit"
          + " goes to local disk (or evicts other cached blocks); data.cache: auto would choose disk", bytes(d.estimatedBytes()), bytes(storage));
    }
    if ("none".equals(d.chosen()) && "averaging".equals(spec.strategy().type()) && "direct".equals(spec.strategy().approach())) {
      LOG.warn("data.cache none with strategy.approach direct: DL4J's averaging cuts every epoch into rounds with randomSplit,"
          + " and each round reads the source again; use strategy.approach export (the minibatches are written once and"
          + " streamed) or data.cache disk");
    }
    return new DataCache(d);
  }

  public Decision decision() {
    return decision;
  }

  /** {@code minibatches} at the chosen storage level (unchanged for none). */
  public JavaRDD<DataSet> persist(JavaRDD<DataSet> minibatches) {
    return decision.level() == StorageLevel.NONE() ? minibatches : minibatches.persist(decision.level());
  }

  /**
   * Storage memory of the executors (in local mode the driver's): per block manager, the memory
   * Spark may store blocks in (the unified region, heap less 300 MB times spark.memory.fraction)
   * times spark.memory.storageFraction (the part execution cannot take back), summed. 0 when
   * unknown.
   */
  static long storageMemory(SparkContext sc) {
    double storageFraction = sc.conf().getDouble("spark.memory.storageFraction", 0.5);
    scala.collection.Map<String, Tuple2<Object, Object>> status = sc.getExecutorMemoryStatus();
    String driver = SparkEnv.get() == null ? null : SparkEnv.get().blockManager().blockManagerId().hostPort();
    long executors = 0;
    long all = 0;
    int count = 0;
    for (Map.Entry<String, Tuple2<Object, Object>> e : scala.collection.JavaConverters.mapAsJavaMapConverter(status).asJava().entrySet()) {
      long max = (Long) e.getValue()._1();
      all += max;
      if (!e.getKey().equals(driver)) {
        executors += max;
        count++;
      }
    }
    long region = count > 0 ? executors : sc.isLocal() ? all : 0;
    if (region == 0 && !sc.isLocal()) {
      // executors not registered yet: from the configuration
      long heap = sc.conf().getSizeAsBytes("spark.executor.memory", "1g");
      int instances = sc.conf().getInt("spark.executor.instances", 0);
      double fraction = sc.conf().getDouble("spark.memory.fraction", 0.6);
      region = instances <= 0 ? 0 : (long) (instances * Math.max(0, heap - 300L * 1024 * 1024) * fraction);
    }
    return (long) (region * storageFraction);
  }

  static String levelName(StorageLevel level) {
    if (level.equals(StorageLevel.MEMORY_AND_DISK_SER())) {
      return "MEMORY_AND_DISK_SER";
    }
    if (level.equals(StorageLevel.DISK_ONLY())) {
      return "DISK_ONLY";
    }
    return level.description();
  }

  public static String bytes(long b) {
    if (b >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
    }
    if (b >= 1L << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
    }
    return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
  }
}
