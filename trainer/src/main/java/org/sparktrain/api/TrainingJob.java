package org.sparktrain.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.runtime.SparkRuntime;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;
import org.sparktrain.spec.JobSpecWriter;
import org.sparktrain.spec.SpecException;
import org.sparktrain.train.TrainingRun;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A validated training job: the job file's fields, from YAML text, a file or {@link #builder()}.
 * Immutable; {@link #fit(Dataset)} trains on a caller's DataFrame in the caller's SparkSession.
 */
public final class TrainingJob {
  /**
   * The data.path of a job that names none: it trains only on a DataFrame given to {@link
   * #fit(Dataset)}.
   */
  public static final String NO_PATH = "<DataFrame>";

  private final String yaml;
  private final String source;
  private final List<String> overrides;
  private final JobSpec spec;

  private TrainingJob(String yaml, String source, List<String> overrides) {
    this.yaml = yaml;
    this.source = source;
    this.overrides = List.copyOf(overrides);
    this.spec = JobSpecLoader.parse(yaml, source, this.overrides);
  }

  /**
   * A job from YAML text in the job-file format; data.path may be left out when the data comes as
   * a DataFrame.
   *
   * @throws SpecException naming every invalid field with its YAML path
   */
  public static TrainingJob fromYaml(String yaml) {
    return fromYaml(yaml, "job.yaml");
  }

  private static TrainingJob fromYaml(String yaml, String source) {
    return new TrainingJob(yaml, source, namesPath(yaml) ? List.of() : List.of("data.path=" + NO_PATH));
  }

  /** A job from a job file (YAML). */
  public static TrainingJob fromFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new SpecException("job file", "cannot read '" + file + "' (" + e.getMessage() + "); expected a YAML job file; check the path");
    }
    return fromYaml(text, file.toString());
  }

  /** A builder starting from the defaults of every field. */
  public static Builder builder() {
    return new Builder(new LinkedHashMap<>());
  }

  /**
   * This job with one field changed, by its YAML path, as {@code train --set path=value} does:
   * {@code job.with("training.epochs", 5)}.
   */
  public TrainingJob with(String path, Object value) {
    List<String> more = new ArrayList<>(overrides);
    more.add(path + "=" + flow(value));
    return new TrainingJob(yaml, source, more);
  }

  /**
   * This job with fields changed as {@code train --set} changes them: {@code
   * job.withSettings("training.epochs=5", "strategy.type=sharing")}.
   */
  public TrainingJob withSettings(String... pathEqualsValue) {
    List<String> more = new ArrayList<>(overrides);
    more.addAll(List.of(pathEqualsValue));
    return new TrainingJob(yaml, source, more);
  }

  /** The resolved job, every default filled in. */
  public JobSpec spec() {
    return spec;
  }

  /** The resolved job as a job file (YAML). */
  public String toYaml() {
    return JobSpecWriter.toYaml(spec);
  }

  /**
   * Trains on {@code rows} in their SparkSession, which stays running: split, feature pipeline,
   * strategy, evaluation and outputs are those of {@code train}. Outputs go to output.dir when the
   * job names one (a new directory), else to a temporary directory that is removed afterwards.
   */
  public TrainedModel fit(Dataset<Row> rows) {
    return run(rows.sparkSession(), rows);
  }

  /** Trains on the job's data.path in {@code spark}, which stays running. */
  public TrainedModel fit(SparkSession spark) {
    if (NO_PATH.equals(spec.data().path())) {
      throw new SpecException(
          "data.path", "the job names no data; expected data.path, or a DataFrame passed to fit(Dataset)");
    }
    return run(spark, null);
  }

  private TrainedModel run(SparkSession spark, Dataset<Row> rows) {
    requireUsable(spark);
    // Takes effect only where ND4J has not loaded yet in this JVM (see NativeBuild).
    org.sparktrain.runtime.NativeBuild.choose();
    if ("sharing".equals(spec.strategy().type())) {
      // Gradient sharing's transport runs in this JVM in local mode; its timeouts must be set first.
      SparkRuntime.configureAeron();
    }
    JobSpec run = spec;
    Path temp = null;
    String dir = spec.output().dir();
    if (dir == null) {
      try {
        temp = Files.createTempDirectory("sparktrain-fit-");
      } catch (IOException e) {
        throw new UncheckedIOException("creating a temporary output directory", e);
      }
      dir = temp.toUri().toString();
    }
    List<String> forced = new ArrayList<>(overrides);
    // The returned model is read from the run's model.zip.
    forced.add("output.save_model=true");
    if (temp != null && spec.checkpoint().dir() == null) {
      // Checkpoints in a directory that is removed at the end would only cost time.
      forced.add("checkpoint.every=0");
      forced.add("checkpoint.every_minutes=0");
    }
    run = JobSpecLoader.parse(yaml, source, forced);
    try {
      Map<String, Object> summary = new TrainingRun(spark, run, dir).input(rows).run();
      return TrainedModel.readRun(new org.apache.hadoop.fs.Path(dir), spark.sparkContext().hadoopConfiguration(), summary);
    } finally {
      if (temp != null) {
        deleteTree(temp);
      }
    }
  }

  /** Refuses a stopped session, and Kryo without ND4J's registrator (arrays would not survive a shuffle or cache). */
  static void requireUsable(SparkSession spark) {
    if (spark.sparkContext().isStopped()) {
      throw new IllegalStateException(
          "the SparkSession's context is stopped; expected a running session; train with a session from SparkSession.builder().getOrCreate()");
    }
    SparkConf conf = spark.sparkContext().getConf();
    if (conf.get("spark.serializer", "").contains("Kryo")
        && !conf.get("spark.kryo.registrator", "").contains("org.nd4j.kryo.Nd4jRegistrator")) {
      throw new SpecException(
          "spark.kryo.registrator",
          "the session uses Kryo without ND4J's registrator (seen: '" + conf.get("spark.kryo.registrator", "")
              + "'); expected org.nd4j.kryo.Nd4jRegistrator among the registrators; set"
              + " spark.kryo.registrator=org.nd4j.kryo.Nd4jRegistrator,org.sparktrain.runtime.ArrayRegistrator when building"
              + " the session, or use Java serialization");
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // The trained model was already read; a leftover temporary directory costs only disk space.
      dir.toFile().deleteOnExit();
    }
  }

  /** Whether YAML text names data.path (malformed text is left for the loader to report). */
  @SuppressWarnings("unchecked")
  private static boolean namesPath(String yaml) {
    try {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
      return doc instanceof Map<?, ?> root
          && root.get("data") instanceof Map<?, ?> data
          && ((Map<String, Object>) data).containsKey("path");
    } catch (YAMLException e) {
      return true;
    }
  }

  /** A value as YAML flow text, quoted where plain text would mean something else. */
  static String flow(Object value) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
    o.setWidth(Integer.MAX_VALUE);
    return new Yaml(o).dump(value).trim();
  }

  /**
   * Builds a job in code. Every field of the job file can be set by its YAML path with {@link
   * #set}; the named methods cover the common ones.
   */
  public static final class Builder {
    private final Map<String, Object> root;
    private final List<Map<String, Object>> layers = new ArrayList<>();

    private Builder(Map<String, Object> root) {
      this.root = root;
    }

    /** Sets a field by its YAML path, e.g. {@code set("strategy.averaging_frequency", 2)}. */
    @SuppressWarnings("unchecked")
    public Builder set(String path, Object value) {
      String[] parts = path.split("\\.");
      Map<String, Object> node = root;
      for (int i = 0; i < parts.length - 1; i++) {
        Object next = node.get(parts[i]);
        if (!(next instanceof Map)) {
          next = new LinkedHashMap<String, Object>();
          node.put(parts[i], next);
        }
        node = (Map<String, Object>) next;
      }
      node.put(parts[parts.length - 1], value);
      return this;
    }

    public Builder name(String name) {
      return set("name", name);
    }

    public Builder seed(long seed) {
      return set("seed", seed);
    }

    /** The label column and its kind: binary, class_index, numeric. */
    public Builder label(String column, String kind) {
      set("data.label.column", column);
      return set("data.label.kind", kind);
    }

    /** Numeric feature columns; none named: every column not otherwise used. */
    public Builder numeric(String... columns) {
      return set("data.features.numeric", List.of(columns));
    }

    /** Columns one-hot encoded with the categories of the training split. */
    public Builder categorical(String... columns) {
      return set("data.features.categorical", List.of(columns));
    }

    /** Columns to ignore (identifiers, free text). */
    public Builder drop(String... columns) {
      return set("data.features.drop", List.of(columns));
    }

    /** Fractions of the rows for training, per-epoch validation and the final test. */
    public Builder split(double train, double validation, double test) {
      set("data.split.train", train);
      set("data.split.validation", validation);
      return set("data.split.test", test);
    }

    /** A dense layer. */
    public Builder dense(int units, String activation) {
      return layer(Map.of("type", "dense", "units", units, "activation", activation));
    }

    /** A dropout layer dropping {@code rate} of its inputs. */
    public Builder dropout(double rate) {
      return layer(Map.of("type", "dropout", "rate", rate));
    }

    /** The output layer. */
    public Builder output(int units, String activation, String loss) {
      return layer(Map.of("type", "output", "units", units, "activation", activation, "loss", loss));
    }

    /** Any layer, with the fields of model.layers[] in the job file. */
    public Builder layer(Map<String, Object> fields) {
      layers.add(new LinkedHashMap<>(fields));
      return this;
    }

    public Builder epochs(int epochs) {
      return set("training.epochs", epochs);
    }

    public Builder batchSize(int batchSize) {
      return set("training.batch_size", batchSize);
    }

    /** sgd, nesterov, momentum, adam, rmsprop or adagrad. */
    public Builder updater(String updater) {
      return set("training.updater", updater);
    }

    public Builder learningRate(double learningRate) {
      return set("training.learning_rate", learningRate);
    }

    /** averaging, synchronous, sharing or auto. */
    public Builder strategy(String type) {
      return set("strategy.type", type);
    }

    /** Where the run's outputs (metrics, summary, model, checkpoints) go; none: not kept. */
    public Builder outputDir(String dir) {
      return set("output.dir", dir);
    }

    /**
     * The validated job.
     *
     * @throws SpecException naming every invalid field with its YAML path
     */
    public TrainingJob build() {
      Map<String, Object> doc = new LinkedHashMap<>(root);
      if (!layers.isEmpty()) {
        Map<String, Object> model = new LinkedHashMap<>();
        if (doc.get("model") instanceof Map<?, ?> m) {
          m.forEach((k, v) -> model.put(String.valueOf(k), v));
        }
        model.put("layers", new ArrayList<>(layers));
        doc.put("model", model);
      }
      DumperOptions o = new DumperOptions();
      o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
      return fromYaml(new Yaml(o).dump(doc), "builder");
    }
  }
}
