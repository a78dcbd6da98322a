package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.TrainerProcess;
import org.sparktrain.data.DataException;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.model.Freezing;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.model.ModelException;
import org.sparktrain.model.InputDims;
import org.sparktrain.model.NetworkSources;
import org.sparktrain.spec.JobSpec;

/**
 * jobs/churn-transfer.yaml end to end: a churn model is trained, then a second run starts from it
 * (its model.zip, or its checkpoints), freezes the first layer and trains a new output layer. The
 * frozen layer comes out bit-identical to the source's, the source's feature pipeline is reused
 * although the new run splits differently, and impossible requests are bad input (exit 2).
 */
class TransferIT {
  @TempDir static Path tmp;
  static Path slice;
  static Path source;

  @BeforeAll
  static void trainSource() throws Exception {
    slice = TestJobs.churnSlice(tmp, 2000);
    source = tmp.resolve("source");
    JobSpec spec = TestJobs.job("churn.yaml", "data.path=" + slice.toUri(), "training.epochs=2");
    new TrainingRun(TestSpark.session(), spec, source.toString()).run();
  }

  private static JobSpec transfer(String... more) {
    String[] base = {
      "data.path=" + slice.toUri(), "model.init_from=" + source.resolve("model.zip"), "training.epochs=2"
    };
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return TestJobs.job("churn-transfer.yaml", all);
  }

  private static ModelArchive.Loaded load(Path run) {
    return ModelArchive.load(new org.apache.hadoop.fs.Path(run.resolve("model.zip").toString()), new Configuration());
  }

  @Test
  void frozenLayerKeepsTheSourceWeightsAndTheHeadTrains() {
    SparkSession spark = TestSpark.session();
    Path out = tmp.resolve("transfer");
    new TrainingRun(spark, transfer(), out.toString()).run();
    ModelArchive.Loaded from = load(source);
    ModelArchive.Loaded to = load(out);
    MultiLayerNetwork a = from.network();
    MultiLayerNetwork b = to.network();
    assertEquals(List.of("layer0"), Freezing.frozenNames(b));
    assertArrayEquals(a.getLayer(0).params().toFloatVector(), b.getLayer(0).params().toFloatVector());
    assertTrue(a.getLayer(1).params().sub(b.getLayer(1).params()).amaxNumber().doubleValue() > 1e-4,
        "the second layer is not frozen and trains");
    assertEquals("new_output", b.getLayer(2).conf().getLayer().getLayerName());
    // seed 7 splits the rows differently from the source's seed 42, yet the features are the source's.
    assertFeaturesEqual(from.pipeline(), to.pipeline());
  }

  @Test
  void checkpointsServeAsSourceToo() {
    Configuration conf = new Configuration();
    FeaturePipelineModel fromZip = NetworkSources.sourcePipeline(transfer(), conf);
    String checkpoints = source.resolve("checkpoints").toString();
    FeaturePipelineModel fromDir = NetworkSources.sourcePipeline(transfer("model.init_from=" + checkpoints), conf);
    assertFeaturesEqual(fromZip, fromDir);
    // The newest checkpoint (epoch 2) holds the network model.zip was written from.
    JobSpec spec = transfer("model.init_from=" + checkpoints, "model.freeze=0");
    MultiLayerNetwork viaCheckpoint = NetworkSources.network(spec, InputDims.fromData(spec, fromDir.numInputs(), 0, 0, 0), fromDir, conf);
    assertArrayEquals(
        load(source).network().getLayer(0).params().toFloatVector(), viaCheckpoint.getLayer(0).params().toFloatVector());
  }

  @Test
  void impossibleRequestsAreBadInput() {
    SparkSession spark = TestSpark.session();
    ModelException missing = assertThrows(ModelException.class,
        () -> new TrainingRun(spark, transfer("model.init_from=" + tmp.resolve("nope/model.zip")), tmp.resolve("e1").toString()).run());
    assertTrue(missing.getMessage().contains("model.init_from") && missing.getMessage().contains("does not exist"), missing.getMessage());

    ModelException tooMany = assertThrows(ModelException.class,
        () -> new TrainingRun(spark, transfer("model.freeze=3"), tmp.resolve("e2").toString()).run());
    assertTrue(tooMany.getMessage().contains("model.freeze: 3 layers, but the network has 3"), tooMany.getMessage());

    ModelException unknown = assertThrows(ModelException.class,
        () -> new TrainingRun(spark, transfer("model.freeze=0", "model.freeze_layers=[hidden]"), tmp.resolve("e3").toString()).run());
    assertTrue(unknown.getMessage().contains("no layer named 'hidden'") && unknown.getMessage().contains("layer0, layer1, new_output"),
        unknown.getMessage());

    DataException features = assertThrows(DataException.class,
        () -> new TrainingRun(spark, transfer("data.features.drop=[RowNumber,CustomerId,Surname,Tenure]"), tmp.resolve("e4").toString()).run());
    assertTrue(features.getMessage().contains("features differ") && features.getMessage().contains("Tenure"), features.getMessage());
  }

  @Test
  void aMissingSourceExits2() throws Exception {
    TrainerProcess p = TrainerProcess.start(tmp.resolve("logs"), List.of(
        "train", "jobs/churn-transfer.yaml", "--quiet", "--output", tmp.resolve("cli").toString(),
        "--set", "data.path=" + slice.toUri(), "--set", "model.init_from=" + tmp.resolve("absent.zip")));
    assertEquals(2, p.waitFor(), p.stderr());
    assertTrue(p.stderr().contains("model.init_from") && p.stderr().contains("absent.zip"), p.stderr());
    assertFalse(p.stderr().contains("\tat "), "bad input prints no stack trace: " + p.stderr());
  }

  /**
   * A copy of the source's checkpoints whose newest step's network.zip has one byte changed; with
   * {@code dropCrc}, as by a tool that ignores Hadoop's .crc files (which would catch it first).
   */
  private static Path tamperedCheckpoints(String name, boolean dropCrc) throws Exception {
    Path copy = tmp.resolve(name);
    Path from = source.resolve("checkpoints");
    try (var files = java.nio.file.Files.walk(from)) {
      for (Path p : files.toList()) {
        java.nio.file.Files.copy(p, copy.resolve(from.relativize(p).toString()));
      }
    }
    Path network = newestStep(copy).resolve("network.zip");
    byte[] bytes = java.nio.file.Files.readAllBytes(network);
    bytes[bytes.length / 2] ^= 0x01;
    java.nio.file.Files.write(network, bytes);
    if (dropCrc) {
      java.nio.file.Files.delete(network.resolveSibling(".network.zip.crc"));
    }
    return copy;
  }

  private static Path newestStep(Path checkpoints) throws Exception {
    try (var dirs = java.nio.file.Files.list(checkpoints)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("step-")).sorted().reduce((a, b) -> b).orElseThrow();
    }
  }

  @Test
  void aTamperedOrUncommittedCheckpointIsRefused() throws Exception {
    Configuration conf = new Configuration();
    Path step = newestStep(tamperedCheckpoints("tampered", true));
    for (Path given : List.of(step, step.resolve("network.zip"))) {
      ModelException e = assertThrows(ModelException.class,
          () -> NetworkSources.sourcePipeline(transfer("model.init_from=" + given), conf));
      assertTrue(e.getMessage().contains("model.init_from") && e.getMessage().contains("network.zip has SHA-256")
          && e.getMessage().contains("the manifest says"), e.getMessage());
    }
    // With its .crc in place Hadoop's own checksum finds the change first: refused all the same.
    Path withCrc = newestStep(tamperedCheckpoints("tampered-crc", false));
    ModelException crc = assertThrows(ModelException.class,
        () -> NetworkSources.sourcePipeline(transfer("model.init_from=" + withCrc), conf));
    assertTrue(crc.getMessage().contains("network.zip is damaged") && crc.getMessage().contains("cannot be used"),
        crc.getMessage());
    // Without its manifest a step directory is an unfinished save: never read.
    Path unfinished = newestStep(tamperedCheckpoints("unfinished", true));
    java.nio.file.Files.delete(unfinished.resolve("MANIFEST.json"));
    ModelException e = assertThrows(ModelException.class,
        () -> NetworkSources.sourcePipeline(transfer("model.init_from=" + unfinished), conf));
    assertTrue(e.getMessage().contains("not committed: no MANIFEST.json"), e.getMessage());
    // A checkpoint directory falls back to its newest good checkpoint, here epoch 1's.
    Path dir = tmp.resolve("tampered");
    FeaturePipelineModel older = NetworkSources.sourcePipeline(transfer("model.init_from=" + dir), conf);
    assertFeaturesEqual(NetworkSources.sourcePipeline(transfer(), conf), older);
  }

  @Test
  void aTamperedCheckpointExits2FromTrainAndEvaluate() throws Exception {
    Path step = newestStep(tamperedCheckpoints("tampered-cli", true));
    TrainerProcess train = TrainerProcess.start(tmp.resolve("logs-tampered"), List.of(
        "train", "jobs/churn-transfer.yaml", "--quiet", "--output", tmp.resolve("cli-tampered").toString(),
        "--set", "data.path=" + slice.toUri(), "--set", "model.init_from=" + step));
    assertEquals(2, train.waitFor(), train.stderr());
    assertTrue(train.stderr().contains("model.init_from") && train.stderr().contains("SHA-256"), train.stderr());
    assertFalse(train.stderr().contains("\tat "), "bad input prints no stack trace: " + train.stderr());

    TrainerProcess evaluate = TrainerProcess.start(tmp.resolve("logs-tampered-eval"), List.of(
        "evaluate", step.resolve("network.zip").toString(), slice.toUri().toString(), "--quiet"));
    assertEquals(2, evaluate.waitFor(), evaluate.stderr());
    assertTrue(evaluate.stderr().contains("checkpoint") && evaluate.stderr().contains("model.zip"), evaluate.stderr());
    assertFalse(evaluate.stderr().contains("\tat "), "bad input prints no stack trace: " + evaluate.stderr());
  }

  private static void assertFeaturesEqual(FeaturePipelineModel a, FeaturePipelineModel b) {
    assertEquals(a.featureNames(), b.featureNames());
    assertArrayEquals(a.params().center(), b.params().center());
    assertArrayEquals(a.params().scale(), b.params().scale());
  }
}
