package org.sparktrain.model;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparktrain.checkpoint.CheckpointStore;
import org.sparktrain.data.FeaturePipelineModel;

/**
 * Reads the network and feature pipeline that model.init_from names: a model.zip, a checkpoint
 * step directory or its network.zip, or a checkpoint directory (its newest good checkpoint).
 */
final class TrainedSource {
  static final String NETWORK = "network.zip";
  static final String PIPELINE = "feature-pipeline.json";

  private TrainedSource() {}

  /** A source network and the pipeline its inputs were made with. */
  record Read(String path, MultiLayerNetwork network, FeaturePipelineModel pipeline) {}

  static Read read(String from, Configuration hadoop) {
    Path path = new Path(from);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus status;
      try {
        status = fs.getFileStatus(path);
      } catch (FileNotFoundException e) {
        throw new ModelException(
            "model.init_from: '" + from + "' does not exist; expected a model.zip written by train, a checkpoint"
                + " directory (checkpoint.dir) or one of its step directories; check the path");
      }
      if (status.isDirectory()) {
        Path network = new Path(path, NETWORK);
        if (fs.exists(network)) {
          return fromCheckpointFiles(from, fs, network, new Path(path, PIPELINE));
        }
        return fromCheckpointDir(from, hadoop);
      }
      byte[] bytes;
      try (InputStream in = fs.open(path)) {
        bytes = in.readAllBytes();
      }
      if (hasEntry(bytes, ModelArchive.PIPELINE_ENTRY, from)) {
        ModelArchive.Loaded loaded = ModelArchive.load(path, hadoop);
        return new Read(from, loaded.network(), loaded.pipeline());
      }
      return fromCheckpointFiles(from, fs, path, new Path(path.getParent(), PIPELINE));
    } catch (IOException e) {
      throw new UncheckedIOException("reading model.init_from " + from, e);
    }
  }

  private static Read fromCheckpointFiles(String from, FileSystem fs, Path network, Path pipeline) throws IOException {
    if (!fs.exists(pipeline)) {
      throw new ModelException(
          "model.init_from: " + network + " has no " + PIPELINE + " beside it; expected a model.zip written by"
              + " train or a checkpoint written by train (a plain DL4J model lacks the feature pipeline its inputs"
              + " were made with)");
    }
    byte[] net;
    try (InputStream in = fs.open(network)) {
      net = in.readAllBytes();
    }
    String json;
    try (InputStream in = fs.open(pipeline)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return new Read(from, restore(net, from), FeaturePipelineModel.fromJson(json));
  }

  private static Read fromCheckpointDir(String from, Configuration hadoop) {
    CheckpointStore store = new CheckpointStore(from, hadoop);
    Optional<CheckpointStore.Loaded> found = store.latestGood(problem -> { });
    if (found.isEmpty()) {
      throw new ModelException(
          "model.init_from: directory '" + from + "' holds neither a network.zip nor a good checkpoint;"
              + " expected a model.zip, a checkpoint directory written by train, or one of its step directories");
    }
    Map<String, byte[]> files = found.get().files();
    return new Read(
        from,
        restore(files.get(NETWORK), from),
        FeaturePipelineModel.fromJson(new String(files.get(PIPELINE), StandardCharsets.UTF_8)));
  }

  private static MultiLayerNetwork restore(byte[] bytes, String from) {
    try {
      return SafeNetworkReader.read(bytes, false, Set.of(), from);
    } catch (ModelException e) {
      throw new ModelException("model.init_from: " + e.getMessage(), e);
    }
  }

  private static boolean hasEntry(byte[] zip, String name, String from) throws IOException {
    boolean any = false;
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        any = true;
        if (e.getName().equals(name)) {
          return true;
        }
      }
    }
    if (!any) {
      throw new ModelException(
          "model.init_from: '" + from + "' is not a zip archive; expected a model.zip written by train or a"
              + " checkpoint's network.zip");
    }
    return false;
  }
}
