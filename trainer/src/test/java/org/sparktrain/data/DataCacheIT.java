package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** Each data.cache setting gives its storage level on a real SparkSession, and the blocks land where it says. */
class DataCacheIT {
  @TempDir static Path tmp;

  private static RDDInfo info(SparkSession spark, JavaRDD<?> rdd) {
    return Arrays.stream(spark.sparkContext().getRDDStorageInfo()).filter(i -> i.id() == rdd.id()).findFirst().orElse(null);
  }

  private static JavaRDD<DataSet> persisted(String setting, StorageLevel expected) throws Exception {
    SparkSession spark = TestSpark.session();
    JobSpec spec = TestJobs.job("churn.yaml", "data.path=" + TestJobs.churnSlice(tmp, 600).toUri(), "data.cache=" + setting);
    assertEquals(setting, spec.data().cache());
    PreparedData data = Datasets.prepare(spark, spec, 32);
    DataCache cache = DataCache.choose(spark.sparkContext(), spec, data, 32);
    JavaRDD<DataSet> train = cache.persist(data.train());
    JavaRDD<DataSet> validation = cache.persist(data.validation());
    assertEquals(expected, train.getStorageLevel(), setting);
    assertEquals(expected, validation.getStorageLevel(), setting);
    assertEquals(Datasets.TRAINING_MINIBATCHES, train.name());
    assertTrue(train.count() > 0);
    validation.count();
    return train;
  }

  @Test
  void memoryKeepsSerializedMinibatchesInMemory() throws Exception {
    JavaRDD<DataSet> train = persisted("memory", StorageLevel.MEMORY_AND_DISK_SER());
    RDDInfo info = info(TestSpark.session(), train);
    assertTrue(info != null && info.memSize() > 0 && info.diskSize() == 0, "in memory: " + info);
    train.unpersist(true);
  }

  @Test
  void diskWritesThemToLocalDiskOnly() throws Exception {
    JavaRDD<DataSet> train = persisted("disk", StorageLevel.DISK_ONLY());
    RDDInfo info = info(TestSpark.session(), train);
    assertTrue(info != null && info.diskSize() > 0 && info.memSize() == 0, "on disk: " + info);
    train.unpersist(true);
  }

  @Test
  void noneKeepsNothing() throws Exception {
    JavaRDD<DataSet> train = persisted("none", StorageLevel.NONE());
    assertEquals(null, info(TestSpark.session(), train), "no blocks of the training minibatches");
    long first = train.count();
    assertEquals(first, train.count(), "rebuilt alike on every pass");
  }

  @Test
  void autoKeepsSmallDataInMemoryAndSaysWhy() throws Exception {
    assertTrue(DataCache.storageMemory(TestSpark.session().sparkContext()) > 0, "the driver's storage memory in local mode");
    JavaRDD<DataSet> train = persisted("auto", StorageLevel.MEMORY_AND_DISK_SER());
    train.unpersist(true);
  }
}
