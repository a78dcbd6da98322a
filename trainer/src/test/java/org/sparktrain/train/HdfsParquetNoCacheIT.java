package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.RDDInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.data.Datasets;
import org.sparktrain.spec.JobSpec;

/**
 * Training from a multi-file Parquet directory on a real in-process HDFS, each file of several row
 * groups, with data.cache: none: the run trains (a metrics line per epoch, finite losses), the
 * training minibatches are never stored by Spark (averaging's export writes them once and streams
 * them), and the validation minibatches are built from the source in every epoch.
 */
class HdfsParquetNoCacheIT {
  @TempDir static Path tmp;
  private static MiniDFSCluster cluster;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startHdfs() throws Exception {
    cluster = org.sparktrain.TestHdfs.start(tmp.resolve("hdfs"));
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  /** 6,000 rows of y = 1 when 2x1 - x2 + (code's effect) > 0, as 3 Parquet files of small row groups. */
  private static String writeParquet(SparkSession spark, String dir) {
    StructType schema = new StructType()
        .add("x1", DataTypes.DoubleType).add("x2", DataTypes.DoubleType)
        .add("code", DataTypes.StringType).add("y", DataTypes.IntegerType);
    Random r = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      double x1 = r.nextGaussian();
      double x2 = r.nextGaussian();
      int code = r.nextInt(12);
      rows.add(RowFactory.create(x1, x2, "c" + code, 2 * x1 - x2 + (code - 5.5) / 4 > 0 ? 1 : 0));
    }
    String path = cluster.getURI() + dir;
    spark.createDataFrame(rows, schema).repartition(3).write()
        .option("parquet.block.size", 8192) // row groups of a few hundred rows
        .option("parquet.page.size", 1024)
        .parquet(path);
    return path;
  }

  @Test
  void trainsTwoEpochsStreamingFromHdfsWithoutCaching() throws Exception {
    SparkSession spark = TestSpark.session();
    String path = writeParquet(spark, "/data/rows.parquet");
    FileSystem fs = FileSystem.get(cluster.getURI(), new Configuration());
    int files = 0;
    for (FileStatus f : fs.listStatus(new org.apache.hadoop.fs.Path(path))) {
      if (f.getPath().getName().endsWith(".parquet")) {
        files++;
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(f, fs.getConf()))) {
          assertTrue(reader.getRowGroups().size() >= 3, f.getPath() + ": " + reader.getRowGroups().size() + " row groups");
        }
      }
    }
    assertEquals(3, files, "a multi-file directory");

    JobSpec spec = TestJobs.parse("""
        name: hdfs-nocache
        data:
          format: parquet
          cache: none
          split: {train: 0.8, validation: 0.1, test: 0.1}
          features: {categorical: [code]}
          label: {column: y, kind: binary}
        model:
          layers:
            - {type: dense, units: 8, activation: relu}
            - {type: output, units: 1, activation: sigmoid, loss: binary_crossentropy}
        training: {epochs: 2, batch_size: 64, updater: adam, learning_rate: 0.01}
        strategy: {type: averaging, approach: export, averaging_frequency: 5}
        checkpoint: {every: 0}
        """, "data.path=" + path);

    Map<Integer, String> minibatchRdds = new ConcurrentHashMap<>();
    java.util.Set<Integer> validationRdds = ConcurrentHashMap.newKeySet();
    List<String> storageLevels = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Integer> stagesReadingTraining = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Integer> stagesReadingValidation = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> storedBlocks = java.util.Collections.synchronizedList(new ArrayList<>());
    SparkListener watch = new SparkListener() {
      @Override
      public void onStageSubmitted(SparkListenerStageSubmitted e) {
        for (RDDInfo info : scala.collection.JavaConverters.seqAsJavaList(e.stageInfo().rddInfos())) {
          if (Datasets.TRAINING_MINIBATCHES.equals(info.name())) {
            minibatchRdds.put(info.id(), info.name());
            storageLevels.add(info.storageLevel().description());
            stagesReadingTraining.add(e.stageInfo().stageId());
          }
          if ("validation minibatches".equals(info.name())) {
            storageLevels.add(info.storageLevel().description());
            stagesReadingValidation.add(e.stageInfo().stageId());
            validationRdds.add(info.id());
          }
        }
      }

      @Override
      public void onBlockUpdated(SparkListenerBlockUpdated e) {
        if (e.blockUpdatedInfo().blockId() instanceof RDDBlockId b && e.blockUpdatedInfo().storageLevel().isValid()) {
          storedBlocks.add(b.name() + ":" + b.rddId());
        }
      }
    };
    spark.sparkContext().addSparkListener(watch);
    Path out = tmp.resolve("run");
    try {
      new TrainingRun(spark, spec, out.toString()).run();
    } finally {
      spark.sparkContext().removeSparkListener(watch);
    }
    // the listener bus delivers asynchronously
    Thread.sleep(500);

    List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(2, lines.size(), lines.toString());
    for (String line : lines) {
      JsonNode m = JSON.readTree(line);
      for (String k : List.of("train_loss", "val_loss")) {
        double v = m.get(k).asDouble(Double.NaN);
        assertTrue(Double.isFinite(v) && v > 0, k + " in " + line);
      }
    }
    assertTrue(JSON.readTree(lines.get(1)).get("val_accuracy").asDouble() > 0.7, "it learnt: " + lines);

    assertEquals(1, minibatchRdds.size(), "one training minibatch RDD: " + minibatchRdds);
    // export writes the training minibatches once and streams them; validation is built from the source every epoch
    assertTrue(!stagesReadingTraining.isEmpty(), "training minibatches built: stages " + stagesReadingTraining);
    assertTrue(stagesReadingValidation.size() >= 2, "validation minibatches built from the source in each epoch: stages " + stagesReadingValidation);
    assertTrue(storageLevels.stream().allMatch(l -> l.equals(org.apache.spark.storage.StorageLevel.NONE().description())),
        "not persisted: " + storageLevels);
    int id = minibatchRdds.keySet().iterator().next();
    assertTrue(storedBlocks.stream().noneMatch(b -> b.endsWith(":" + id)), "no stored block of RDD " + id + ": " + storedBlocks);
    for (int v : validationRdds) {
      assertTrue(storedBlocks.stream().noneMatch(b -> b.endsWith(":" + v)), "no stored block of RDD " + v + ": " + storedBlocks);
    }
  }
}
