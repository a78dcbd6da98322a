package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

/** data.cache's decision, without Spark. */
class DataCacheTest {
  private static final long GIB = 1L << 30;

  @Test
  void estimateCountsFloatsOfInputsAndOutputsAndPerMinibatchOverhead() {
    // flights: 2,700,000 rows x (447 + 1) x 4 bytes, 10,547 minibatches of 256
    long rows = 2_700_000;
    long minibatches = (rows + 255) / 256;
    assertEquals(rows * 448 * 4 + minibatches * DataCache.MINIBATCH_OVERHEAD_BYTES, DataCache.estimateBytes(rows, 447, 1, 256));
    assertEquals(0, DataCache.estimateBytes(0, 10, 1, 32));
  }

  @Test
  void theEstimateCoversASerializedMinibatch() {
    // What MEMORY_AND_DISK_SER and DISK_ONLY store: the DataSet serialized by Spark's Kryo with ND4J's registrator.
    org.nd4j.linalg.dataset.DataSet batch = new org.nd4j.linalg.dataset.DataSet(
        org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 256, 447),
        org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 256, 1));
    org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf().set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
    long actual = new org.apache.spark.serializer.KryoSerializer(conf).newInstance()
        .serialize(batch, scala.reflect.ClassTag$.MODULE$.apply(org.nd4j.linalg.dataset.DataSet.class)).remaining();
    long values = 256L * 448 * 4;
    System.out.printf("serialized minibatch of 256 x (447 + 1): %d bytes, %d of them values%n", actual, values);
    assertTrue(actual >= values && actual <= DataCache.estimateBytes(256, 447, 1, 256), actual + " bytes");
  }

  @Test
  void autoChoosesMemoryWhenTheEstimateFitsAndDiskWhenItDoesNot() {
    long estimate = DataCache.estimateBytes(100_000, 447, 1, 256); // about 171 MiB
    DataCache.Decision fits = DataCache.decide("auto", 100_000, 447, 1, 256, estimate);
    assertEquals("memory", fits.chosen());
    assertEquals(StorageLevel.MEMORY_AND_DISK_SER(), fits.level());
    DataCache.Decision over = DataCache.decide("auto", 100_000, 447, 1, 256, estimate - 1);
    assertEquals("disk", over.chosen());
    assertEquals(StorageLevel.DISK_ONLY(), over.level());
    DataCache.Decision unknown = DataCache.decide("auto", 10, 4, 1, 256, 0);
    assertEquals("disk", unknown.chosen(), "storage memory unknown: the safe choice");
  }

  @Test
  void explicitSettingsIgnoreTheEstimate() {
    assertEquals(StorageLevel.MEMORY_AND_DISK_SER(), DataCache.decide("memory", 3_000_000, 447, 1, 256, 1).level());
    assertEquals(StorageLevel.DISK_ONLY(), DataCache.decide("disk", 10, 4, 1, 256, 100 * GIB).level());
    assertEquals(StorageLevel.NONE(), DataCache.decide("none", 10, 4, 1, 256, 100 * GIB).level());
  }

  @Test
  void theLogLineNamesTheDecisionAndItsFigures() {
    String line = DataCache.decide("auto", 2_700_000, 447, 1, 256, 2 * GIB).describe();
    assertTrue(line.startsWith("data.cache auto: disk (DISK_ONLY); estimated 4.52 GiB for 2,700,000 rows x (447 inputs + 1 outputs)"), line);
    assertTrue(line.contains("10,547 minibatches of 256; storage memory 2.00 GiB (does not fit)"), line);
    assertTrue(DataCache.decide("none", 1, 1, 1, 1, 0).describe().contains("none (not persisted, rebuilt from the source every epoch)"));
  }

  @Test
  void anUnknownSettingIsRefusedWithTheChoices() {
    DataException e = assertThrows(DataException.class, () -> DataCache.decide("ssd", 1, 1, 1, 1, 0));
    assertTrue(e.getMessage().contains("'ssd' is not one of auto, memory, disk, none"), e.getMessage());
  }
}
