package org.sparktrain.model;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.checkpoint.CheckpointInputException;
import org.sparktrain.checkpoint.CheckpointStore;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.files.RunLayout;

/**
 * Reads the network and feature pipeline that model.init_from names: a model.zip, a checkpoint
 * step directory or a file in one, or a checkpoint directory (its newest good checkpoint). A
 * checkpoint is read only through {@link CheckpointStore}, which checks every file against the
 * checkpoint's manifest: one that is not committed, or changed after it was saved, is refused.
 */
final class TrainedSource {
  private static final Logger LOG = LoggerFactory.getLogger(TrainedSource.class);

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
        if (RunLayout.Checkpoint.stepOf(path.getName()).isPresent()) {
          return fromStep(from, path, RunLayout.Checkpoint.NETWORK, hadoop);
        }
        return fromCheckpointDir(from, fs, path, hadoop);
      }
      Path parent = path.getParent();
      if (parent != null && RunLayout.Checkpoint.stepOf(parent.getName()).isPresent()) {
        // A network file of a checkpoint (network.zip, best-network.zip): read with its checkpoint.
        return fromStep(from, parent, path.getName(), hadoop);
      }
      byte[] bytes;
      try (InputStream in = fs.open(path)) {
        bytes = in.readAllBytes();
      }
      if (!hasEntry(bytes, ModelArchive.PIPELINE_ENTRY, from)) {
        throw new ModelException(
            "model.init_from: '" + from + "' has no " + ModelArchive.PIPELINE_ENTRY + " entry and is not in a"
                + " checkpoint step directory; expected a model.zip written by train, a checkpoint directory or"
                + " one of its step directories (a plain DL4J model lacks the feature pipeline its inputs were"
                + " made with)");
      }
      ModelArchive.Loaded loaded = ModelArchive.load(path, hadoop);
      return new Read(from, loaded.network(), loaded.pipeline());
    } catch (IOException e) {
      throw new UncheckedIOException("reading model.init_from " + from, e);
    }
  }

  /** The network file {@code networkFile} of the checkpoint in {@code stepDir}, verified. */
  private static Read fromStep(String from, Path stepDir, String networkFile, Configuration hadoop) {
    CheckpointStore.Loaded loaded;
    try {
      loaded = CheckpointStore.loadStepDirectory(stepDir.toString(), hadoop);
    } catch (CheckpointInputException e) {
      throw new ModelException(
          "model.init_from: '" + from + "' is not a usable checkpoint: " + e.getMessage(), e);
    }
    return fromCheckpoint(from, loaded, networkFile);
  }

  private static Read fromCheckpointDir(String from, FileSystem fs, Path dir, Configuration hadoop) throws IOException {
    CheckpointStore store = new CheckpointStore(from, hadoop);
    List<String> skipped = new ArrayList<>();
    Optional<CheckpointStore.Loaded> found =
        store.latestGood(
            problem -> {
              LOG.warn("model.init_from: {}", problem);
              skipped.add(problem);
            });
    if (found.isEmpty()) {
      boolean looseFiles = fs.exists(new Path(dir, RunLayout.Checkpoint.NETWORK));
      throw new ModelException(
          "model.init_from: directory '"
              + from
              + "' holds no good checkpoint"
              + (skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")")
              + (looseFiles
                  ? "; it holds a " + RunLayout.Checkpoint.NETWORK + " but is not a checkpoint step directory"
                      + " (step-NNNNNNNNNN with its " + RunLayout.Checkpoint.MANIFEST + "), and loose files are not read"
                  : "")
              + "; expected a model.zip, a checkpoint directory written by train, or one of its step directories");
    }
    return fromCheckpoint(from, found.get(), RunLayout.Checkpoint.NETWORK);
  }

  private static Read fromCheckpoint(String from, CheckpointStore.Loaded loaded, String networkFile) {
    Map<String, byte[]> files = loaded.files();
    byte[] network = files.get(networkFile);
    byte[] pipeline = files.get(RunLayout.Checkpoint.PIPELINE);
    if (network == null || pipeline == null) {
      throw new ModelException(
          "model.init_from: the checkpoint at "
              + loaded.info().path()
              + " has no "
              + (network == null ? networkFile : RunLayout.Checkpoint.PIPELINE)
              + " in its manifest (it lists "
              + String.join(", ", new TreeSet<>(files.keySet()))
              + "); expected a checkpoint written by train, or a model.zip (a plain DL4J model lacks the"
              + " feature pipeline its inputs were made with)");
    }
    return new Read(
        from,
        restore(network, from),
        FeaturePipelineModel.fromJson(new String(pipeline, StandardCharsets.UTF_8)));
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
    } catch (java.util.zip.ZipException e) {
      throw new ModelException(
          "model.init_from: '" + from + "' is not a valid zip archive (" + e.getMessage() + "); expected a"
              + " model.zip written by train; restore the file or train it again");
    }
    if (!any) {
      throw new ModelException(
          "model.init_from: '" + from + "' is not a zip archive; expected a model.zip written by train or a"
              + " checkpoint's network.zip");
    }
    return false;
  }
}
