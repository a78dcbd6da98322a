package org.sparktrain.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.sparktrain.model.SafeNetworkReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.checkpoint.CheckpointInfo;
import org.sparktrain.checkpoint.CheckpointStore;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.files.Json;
import org.sparktrain.files.RunLayout;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.EarlyStoppingSpec;
import org.sparktrain.spec.JobSpecLoader;
import org.sparktrain.spec.JobSpecWriter;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;

/**
 * What a run puts in a checkpoint and takes back on resume: the network with its updater state,
 * the fitted feature pipeline, the resolved job file, the training state (epoch, iteration, seed,
 * early-stopping state, metrics history) and, with early stopping, the best network so far.
 */
final class RunCheckpoints {
  private static final Logger LOG = LoggerFactory.getLogger(RunCheckpoints.class);
  static final String NETWORK = RunLayout.Checkpoint.NETWORK;
  static final String BEST = RunLayout.Checkpoint.BEST;
  static final String PIPELINE = RunLayout.Checkpoint.PIPELINE;
  static final String JOB = RunLayout.Checkpoint.JOB;
  static final String STATE = RunLayout.Checkpoint.STATE;

  private final CheckpointStore store;
  private final String dir;
  private final Configuration conf;
  private final JobSpec spec;
  private final Map<String, Object> provenance;

  /**
   * @param spec the run's job, saved in each checkpoint and compared with the one a checkpoint holds
   * @param provenance the run's {@link Provenance}; each manifest names its versions
   */
  RunCheckpoints(String dir, Configuration conf, JobSpec spec, Map<String, Object> provenance) {
    this.dir = dir;
    this.conf = conf;
    this.spec = spec;
    this.provenance = provenance;
    this.store = new CheckpointStore(dir, conf);
  }

  /** checkpoint.dir, or checkpoints/ in the output directory. */
  static String dir(JobSpec spec, Path outputDir) {
    return spec.checkpoint().dir() != null
        ? spec.checkpoint().dir()
        : RunLayout.checkpoints(outputDir).toString();
  }

  String dir() {
    return dir;
  }

  /**
   * What one checkpoint saves: the state after its epoch (whose number is the checkpoint's step),
   * the network with its updater state, the best network so far (null without early stopping), the
   * fitted feature pipeline, the epoch's metrics line (in the manifest) and the checkpoints
   * retention keeps beyond checkpoint.keep.
   */
  record Checkpoint(
      TrainingState state,
      MultiLayerNetwork network,
      MultiLayerNetwork best,
      FeaturePipelineModel pipeline,
      Map<String, Object> metrics,
      Set<Long> alsoKeep) {}

  /** A run taken back from a checkpoint. */
  record Resumed(
      TrainingState state, MultiLayerNetwork network, MultiLayerNetwork best, FeaturePipelineModel pipeline) {

    /** The epoch the checkpoint was written after. */
    int epoch() {
      return state.epoch();
    }

    List<Map<String, Object>> history() {
      return state.history();
    }
  }

  /** Saves {@code c} as checkpoint step {@code c.state().epoch()}; retention follows. */
  void save(Checkpoint c) {
    int epoch = c.state().epoch();
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(NETWORK, bytes(c.network(), true));
    if (c.best() != null) {
      files.put(BEST, bytes(c.best(), false));
    }
    files.put(PIPELINE, c.pipeline().toJson().getBytes(StandardCharsets.UTF_8));
    files.put(JOB, JobSpecWriter.toYaml(spec).getBytes(StandardCharsets.UTF_8));
    files.put(STATE, Json.write(c.state().toMap()).getBytes(StandardCharsets.UTF_8));
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("epoch", epoch);
    manifest.put("iteration", (long) c.network().getIterationCount());
    manifest.put("metrics", c.metrics());
    manifest.put("seed", spec.seed());
    manifest.put("spark_version", provenance.get("spark_version"));
    manifest.put("dl4j_version", provenance.get("dl4j_version"));
    manifest.put("trainer_version", provenance.get("trainer_version"));
    store.save(epoch, manifest, files);
    List<Long> deleted = store.retain(spec.checkpoint().keep(), c.alsoKeep());
    LOG.info("Checkpoint of epoch {} in {}{}", epoch, dir, deleted.isEmpty() ? "" : "; removed " + deleted);
  }

  /**
   * The newest good checkpoint, refused when its job differs from the run's in anything but
   * training.epochs, early_stopping and checkpoint.auto_resume; empty when the directory holds none.
   */
  Optional<Resumed> latest() {
    Optional<CheckpointStore.Loaded> found = store.latestGood(problem -> LOG.warn("Skipping checkpoint: {}", problem));
    if (found.isEmpty()) {
      return Optional.empty();
    }
    CheckpointStore.Loaded c = found.get();
    discardNewerThan(c.info().step());
    Map<String, byte[]> files = c.files();
    JobSpec saved =
        JobSpecLoader.parse(new String(files.get(JOB), StandardCharsets.UTF_8), c.info().path() + "/" + JOB, List.of());
    requireCompatible(saved, spec, "the checkpoint in " + c.info().path());
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> state = Json.mapper().readValue(files.get(STATE), Map.class);
      TrainingState training = TrainingState.fromMap(state, c.info().path() + "/" + STATE);
      MultiLayerNetwork network =
          SafeNetworkReader.read(files.get(NETWORK), true, Set.of(), c.info().path() + "/" + NETWORK);
      MultiLayerNetwork best =
          files.containsKey(BEST)
              ? SafeNetworkReader.read(files.get(BEST), false, Set.of(), c.info().path() + "/" + BEST)
              : null;
      FeaturePipelineModel pipeline =
          FeaturePipelineModel.fromJson(new String(files.get(PIPELINE), StandardCharsets.UTF_8));
      return Optional.of(new Resumed(training, network, best, pipeline));
    } catch (IOException e) {
      throw new UncheckedIOException("reading checkpoint " + c.info().path(), e);
    }
  }

  /**
   * Moves the checkpoints newer than the one a run resumes from (damaged or half-written) aside,
   * to {@code damaged-<name>-<time>} beside them, where readers do not look; the resumed run can
   * then write those steps again, and nothing is deleted.
   */
  private void discardNewerThan(long step) {
    for (CheckpointInfo info : store.list()) {
      if (info.step() > step) {
        Path p = new Path(info.path());
        Path aside = new Path(p.getParent(), "damaged-" + p.getName() + "-" + System.currentTimeMillis());
        try {
          if (!p.getFileSystem(conf).rename(p, aside)) {
            throw new IOException("could not rename " + p + " to " + aside);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("moving aside checkpoint " + p + ", newer than the one resumed from", e);
        }
        LOG.warn("Moved checkpoint {} aside to {}: the run resumes from step {}", p, aside, step);
      }
    }
  }

  /**
   * Refuses to continue a run whose job changed in anything that changes its result; {@code saved}
   * was read from {@code where} ("the checkpoint in ...").
   */
  static void requireCompatible(JobSpec saved, JobSpec now, String where) {
    Map<String, Object> a = comparable(saved);
    Map<String, Object> b = comparable(now);
    List<Violation> differences = new ArrayList<>();
    TreeSet<String> paths = new TreeSet<>(a.keySet());
    paths.addAll(b.keySet());
    for (String path : paths) {
      Object x = a.get(path);
      Object y = b.get(path);
      if (!String.valueOf(x).equals(String.valueOf(y))) {
        differences.add(
            new Violation(
                path,
                where + " was written with " + x + ", the job now says " + y
                    + "; resume may only change training.epochs, early_stopping.* and checkpoint.auto_resume: restore the"
                    + " job file, or start a new run with another output and checkpoint directory"));
      }
    }
    if (!differences.isEmpty()) {
      throw new SpecException(differences);
    }
  }

  private static Map<String, Object> comparable(JobSpec s) {
    JobSpec normalized =
        new JobSpec(
            s.name(),
            s.seed(),
            s.data(),
            s.model(),
            new JobSpec.TrainingSpec(
                0,
                s.training().batchSize(),
                s.training().updater(),
                s.training().learningRate(),
                s.training().momentum(),
                s.training().rmsDecay()),
            s.strategy(),
            s.output(),
            // How often a run may restart itself does not change what it computes.
            new JobSpec.CheckpointSpec(
                s.checkpoint().dir(), s.checkpoint().every(), s.checkpoint().everyMinutes(),
                s.checkpoint().keep(), s.checkpoint().keepBest(), 0),
            new EarlyStoppingSpec("-", "-", 0, 0));
    Map<String, Object> flat = new TreeMap<>();
    flatten("", JobSpecWriter.toMap(normalized), flat);
    return flat;
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Object value, Map<String, Object> out) {
    if (value instanceof Map<?, ?> m) {
      m.forEach((k, v) -> flatten(prefix.isEmpty() ? (String) k : prefix + "." + k, v, out));
    } else if (value instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map) {
      for (int i = 0; i < l.size(); i++) {
        flatten(prefix + "[" + i + "]", l.get(i), out);
      }
    } else {
      out.put(prefix, value);
    }
  }

  private static byte[] bytes(MultiLayerNetwork network, boolean withUpdater) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ModelSerializer.writeModel(network, out, withUpdater);
    } catch (IOException e) {
      throw new UncheckedIOException("serializing the network", e);
    }
    return out.toByteArray();
  }
}
