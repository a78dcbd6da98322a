package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.checkpoint.CheckpointInfo;
import org.sparktrain.checkpoint.CheckpointStore;
import org.sparktrain.spec.JobSpec;

/**
 * A training run that checkpoints to a real in-process HDFS, keeps the newest checkpoint and the
 * best one, and resumes from HDFS.
 */
class HdfsCheckpointIT {
  @TempDir static Path tmp;
  private static MiniDFSCluster cluster;

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

  private static JobSpec job(Path data, String checkpoints, int epochs) {
    return TestJobs.job(
        "churn.yaml",
        "data.path=" + data.toUri(),
        "training.epochs=" + epochs,
        "training.batch_size=32",
        "training.learning_rate=0.01",
        "checkpoint.dir=" + checkpoints,
        "checkpoint.keep=1",
        "checkpoint.keep_best=true",
        // The first epoch has the largest mean training loss: "best" by max is epoch 1.
        "early_stopping.monitor=train_loss",
        "early_stopping.mode=max");
  }

  private static Set<Long> committed(String dir) {
    Set<Long> steps = new TreeSet<>();
    for (CheckpointInfo info : new CheckpointStore(dir, new Configuration()).list()) {
      if (info.committed()) {
        steps.add(info.step());
      }
    }
    return steps;
  }

  @Test
  void checkpointsKeepsTheBestAndResumesFromHdfs() throws Exception {
    Path data = TestJobs.churnSlice(tmp, 1500);
    String checkpoints = cluster.getURI() + "/runs/churn/checkpoints";
    Path out = tmp.resolve("run");

    new TrainingRun(TestSpark.session(), job(data, checkpoints, 3), out.toString()).run();
    assertEquals(Set.of(1L, 3L), committed(checkpoints), "the newest and the best");
    List<String> verify = new CheckpointStore(checkpoints, new Configuration()).verify(3);
    assertEquals(List.of(), verify);

    // A finished run is never resumed: leave it as a run killed after its last checkpoint is.
    for (String file : List.of("summary.json", "report.html", "loss.png", "metrics.png", "confusion.png", "roc.png")) {
      Files.deleteIfExists(out.resolve(file));
    }
    new TrainingRun(TestSpark.session(), job(data, checkpoints, 4), out.toString(), true).run();
    assertEquals(4, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    assertEquals(Set.of(1L, 4L), committed(checkpoints));
  }

  @Test
  void aRunFileIsReplacedInOneRenameOnHdfs() throws Exception {
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(cluster.getURI() + "/runs/replace/summary.json");
    org.sparktrain.files.AtomicFiles.write(target, "{\"old\": 1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), conf);
    org.sparktrain.files.AtomicFiles.write(target, "{\"new\": 2}".getBytes(java.nio.charset.StandardCharsets.UTF_8), conf);
    org.apache.hadoop.fs.FileSystem fs = target.getFileSystem(conf);
    try (var in = fs.open(target)) {
      assertEquals("{\"new\": 2}", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
    List<String> names = new java.util.ArrayList<>();
    for (var status : fs.listStatus(target.getParent())) {
      names.add(status.getPath().getName());
    }
    assertEquals(List.of("summary.json"), names, "no temporary file left");
  }
}
