package org.sparktrain.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.sparktrain.files.AtomicFiles;
import org.sparktrain.files.Json;
import org.sparktrain.files.RunLayout;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;
import org.sparktrain.spec.JobSpecWriter;

/**
 * {@code model.zip}: DL4J's own model entries plus the fitted feature pipeline, the resolved job
 * file and provenance, so that evaluate and predict need nothing else. Written under a temporary
 * name and renamed over the old archive in one step, on any Hadoop filesystem.
 */
public final class ModelArchive {
  public static final String PIPELINE_ENTRY = "feature-pipeline.json";
  public static final String JOB_ENTRY = "job.yaml";
  public static final String PROVENANCE_ENTRY = "provenance.json";

  private ModelArchive() {}

  /** A model read back from an archive. */
  public record Loaded(MultiLayerNetwork network, FeaturePipelineModel pipeline, JobSpec spec) {}

  public static void save(
      Path target,
      Configuration hadoopConf,
      MultiLayerNetwork net,
      FeaturePipelineModel pipeline,
      JobSpec spec,
      Map<String, Object> provenance) {
    java.nio.file.Path dl4j = null;
    try {
      dl4j = Files.createTempFile("model-", ".zip");
      ModelSerializer.writeModel(net, dl4j.toFile(), true);
      java.nio.file.Path entries = dl4j;
      AtomicFiles.write(
          target,
          raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            try (ZipFile src = new ZipFile(entries.toFile())) {
              Enumeration<? extends ZipEntry> all = src.entries();
              while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                zip.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream in = src.getInputStream(e)) {
                  in.transferTo(zip);
                }
                zip.closeEntry();
              }
            }
            put(zip, PIPELINE_ENTRY, pipeline.toJson());
            put(zip, JOB_ENTRY, JobSpecWriter.toYaml(spec));
            put(zip, PROVENANCE_ENTRY, Json.write(provenance));
            // The central directory, without closing the stream the caller owns.
            zip.finish();
          },
          hadoopConf);
    } catch (IOException e) {
      throw new UncheckedIOException("writing model archive " + target, e);
    } finally {
      deleteQuietly(dl4j);
    }
  }

  private static void put(ZipOutputStream zip, String name, String text) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(text.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }

  /** Reads an archive written by {@link #save}. */
  public static Loaded load(Path source, Configuration hadoopConf) {
    java.nio.file.Path local = null;
    try {
      FileSystem fs = source.getFileSystem(hadoopConf);
      if (!fs.exists(source)) {
        throw new ModelException(
            "model file "
                + source
                + " does not exist; expected a model.zip written by `train`; check the path");
      }
      refuseCheckpointFile(source);
      local = Files.createTempFile("model-", ".zip");
      try (InputStream in = fs.open(source)) {
        Files.copy(in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      try (ZipFile zip = new ZipFile(local.toFile())) {
        String pipelineJson = read(zip, PIPELINE_ENTRY, source);
        String jobYaml = read(zip, JOB_ENTRY, source);
        MultiLayerNetwork net =
            SafeNetworkReader.read(
                Files.readAllBytes(local), true, Set.of(PIPELINE_ENTRY, JOB_ENTRY, PROVENANCE_ENTRY), source.toString());
        JobSpec spec = JobSpecLoader.parse(jobYaml, source + "!/" + JOB_ENTRY, java.util.List.of());
        return new Loaded(net, FeaturePipelineModel.fromJson(pipelineJson), spec);
      }
    } catch (java.util.zip.ZipException e) {
      throw new ModelException(
          "model file " + source + " is not a valid zip archive (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("reading model archive " + source, e);
    } finally {
      deleteQuietly(local);
    }
  }

  /**
   * A checkpoint's files are read only with their manifest check (model.init_from does that); a
   * model file that lies in a checkpoint step directory is refused before it is read.
   */
  private static void refuseCheckpointFile(Path source) {
    Path parent = source.getParent();
    if (parent != null && RunLayout.Checkpoint.stepOf(parent.getName()).isPresent()) {
      throw new ModelException(
          "model file "
              + source
              + " is a file of checkpoint "
              + parent
              + "; expected a model.zip written by `train` (a checkpoint holds no feature pipeline in"
              + " its network file, and is read only with its manifest check); give the run's model.zip,"
              + " or train from the checkpoint with --set model.init_from="
              + parent);
    }
  }

  private static String read(ZipFile zip, String entry, Path source) throws IOException {
    ZipEntry e = zip.getEntry(entry);
    if (e == null) {
      throw new ModelException(
          "model file "
              + source
              + " has no entry '"
              + entry
              + "'; expected a model.zip written by `train` (a plain DL4J model lacks the feature"
              + " pipeline)");
    }
    try (InputStream in = zip.getInputStream(e)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void deleteQuietly(java.nio.file.Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // A leftover temporary file is harmless; the archive itself was handled above.
        p.toFile().deleteOnExit();
      }
    }
  }
}
