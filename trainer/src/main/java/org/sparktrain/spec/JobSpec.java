package org.sparktrain.spec;

import java.util.List;

/**
 * A resolved, validated job file. Every field is declared once in {@link JobFields}; these records
 * only carry the values.
 */
public record JobSpec(
    String name,
    long seed,
    DataSpec data,
    ModelSpec model,
    TrainingSpec training,
    StrategySpec strategy,
    OutputSpec output,
    CheckpointSpec checkpoint,
    EarlyStoppingSpec earlyStopping) {

  /** The input kind, with auto resolved: image for idx, sequence for data.sequence, else features. */
  public String inputKind() {
    String kind = model.input().kind();
    if (!"auto".equals(kind)) {
      return kind;
    }
    if ("idx".equals(data.format())) {
      return "image";
    }
    return data.sequence().rows() || data.text().enabled() ? "sequence" : "features";
  }

  /** Where the rows come from and how they become features and labels. */
  public record DataSpec(
      String format, // csv | parquet | idx
      String path,
      String testPath, // null when the test split is cut from path
      boolean header,
      String delimiter,
      SplitSpec split,
      int partitions, // 0: Spark's default parallelism
      long limit, // 0: all rows
      FeatureSpec features,
      LabelSpec label,
      SequenceSpec sequence,
      int augmentShift, // idx: random shift of training images in pixels; 0: off
      MissingSpec missing,
      String unseen, // error | ignore: a category not seen in training
      TextSpec text,
      boolean multiline, // csv: quoted values may span lines
      String cache) { // auto | memory | disk | none: how the minibatches are kept between epochs

    public DataSpec(String format, String path, String testPath, boolean header, String delimiter, SplitSpec split,
        int partitions, long limit, FeatureSpec features, LabelSpec label, SequenceSpec sequence, int augmentShift,
        MissingSpec missing, String unseen, TextSpec text, boolean multiline) {
      this(format, path, testPath, header, delimiter, split, partitions, limit, features, label, sequence, augmentShift,
          missing, unseen, text, multiline, "auto");
    }

    public DataSpec(String format, String path, String testPath, boolean header, String delimiter, SplitSpec split,
        int partitions, long limit, FeatureSpec features, LabelSpec label, SequenceSpec sequence, int augmentShift,
        MissingSpec missing, String unseen, TextSpec text) {
      this(format, path, testPath, header, delimiter, split, partitions, limit, features, label, sequence, augmentShift,
          missing, unseen, text, false);
    }

    public DataSpec(String format, String path, String testPath, boolean header, String delimiter, SplitSpec split,
        int partitions, long limit, FeatureSpec features, LabelSpec label, SequenceSpec sequence, int augmentShift,
        MissingSpec missing, String unseen) {
      this(format, path, testPath, header, delimiter, split, partitions, limit, features, label, sequence, augmentShift,
          missing, unseen, TextSpec.NONE);
    }

    public DataSpec(String format, String path, String testPath, boolean header, String delimiter, SplitSpec split,
        int partitions, long limit, FeatureSpec features, LabelSpec label) {
      this(format, path, testPath, header, delimiter, split, partitions, limit, features, label,
          new SequenceSpec(null, null), 0, MissingSpec.FAIL, "error");
    }

    public DataSpec(String format, String path, String testPath, boolean header, String delimiter, SplitSpec split,
        int partitions, long limit, FeatureSpec features, LabelSpec label, MissingSpec missing, String unseen) {
      this(format, path, testPath, header, delimiter, split, partitions, limit, features, label,
          new SequenceSpec(null, null), 0, missing, unseen);
    }
  }

  /** A free-text column read as a sequence of token ids; column null for none. */
  public record TextSpec(String column, int vocabulary) {
    public static final TextSpec NONE = new TextSpec(null, 5000);

    public boolean enabled() {
      return column != null;
    }
  }

  /**
   * Rows grouped into sequences: by an id column, or one sequence per file; id and step null and
   * perFile false for tabular data.
   */
  public record SequenceSpec(
      String id, // column naming the sequence of a row
      String step, // column ordering rows within a sequence; with perFile, null for file order
      boolean perFile) { // each file of data.path is one sequence, named by its file name

    public SequenceSpec(String id, String step) {
      this(id, step, false);
    }

    /** True when rows are grouped into sequences (by id or by file). */
    public boolean rows() {
      return id != null || perFile;
    }
  }

  /** What to do with missing values, and which cell values are missing ones. */
  public record MissingSpec(
      String policy, // fail | skip | fill
      String fill, // mean | mode | constant
      String value, // the constant, or null
      List<String> tokens) { // cell values that mean missing, compared trimmed; "" is always one
    public static final List<String> DEFAULT_TOKENS = List.of("");
    public static final MissingSpec FAIL = new MissingSpec("fail", "mean", null);

    public MissingSpec(String policy, String fill, String value) {
      this(policy, fill, value, DEFAULT_TOKENS);
    }

    public MissingSpec {
      tokens = tokens == null ? DEFAULT_TOKENS : List.copyOf(tokens);
    }

    /** Whether a raw cell is missing: null, or equal to a token once trimmed. */
    public boolean isMissing(String cell) {
      if (cell == null) {
        return true;
      }
      String t = cell.trim();
      return t.isEmpty() || tokens.stream().anyMatch(k -> k.trim().equals(t));
    }
  }

  /** Fractions of the rows for each split; they sum to 1. */
  public record SplitSpec(double train, double validation, double test) {}

  /** The feature pipeline as declared: what to drop, encode and scale. */
  public record FeatureSpec(
      List<String> drop,
      List<String> categorical,
      List<String> numeric, // empty: every remaining column
      String scaling) {} // standardize | minmax | none

  /** The label column and its kind. */
  public record LabelSpec(
      String column, // null for idx, multi_label and reconstruct
      String kind, // binary | class_index | numeric | multi_label | reconstruct
      int classes, // 0: inferred from the training split
      String scaling, // none | standardize (numeric targets only)
      List<String> columns) { // multi_label: the 0/1 columns

    public LabelSpec(String column, String kind, int classes, String scaling) {
      this(column, kind, classes, scaling, List.of());
    }
  }

  /** A sequential network, the shape of one example, and where it starts other than from model.layers. */
  public record ModelSpec(
      String weightInit, double l1, double l2, InputSpec input, List<LayerSpec> layers, SourceSpec source) {

    public ModelSpec(String weightInit, double l1, double l2, InputSpec input, List<LayerSpec> layers) {
      this(weightInit, l1, l2, input, layers, SourceSpec.NONE);
    }
  }

  /** What one example is; 0 for a size that comes from the data. */
  public record InputSpec(
      String kind, // features | image | sequence (auto resolved)
      int height,
      int width,
      int channels,
      int length,
      int features) {}
  /** Where a network starts other than from model.layers, and which of its layers stay fixed. */
  public record SourceSpec(
      String initFrom, // null: no transfer
      boolean replaceOutput,
      int freeze, // first N layers
      List<String> freezeLayers,
      String kerasConfig, // null: no Keras import
      String kerasWeights) {
    public static final SourceSpec NONE = new SourceSpec(null, false, 0, List.of(), null, null);

    /** Whether the network comes from a Keras definition or a trained model rather than model.layers alone. */
    public boolean replacesLayers() {
      return kerasConfig != null || initFrom != null;
    }

    /** Whether any layer is frozen. */
    public boolean freezes() {
      return freeze > 0 || !freezeLayers.isEmpty();
    }
  }

  /** One layer; fields that do not apply to its type are null (or 0). */
  public record LayerSpec(
      String type, // dense | dropout | output
      String name,
      int units,
      String activation,
      double alpha, // leakyrelu slope
      double rate, // dropout: fraction of inputs dropped (Keras meaning)
      String loss,
      int filters, // conv
      int kernel, // conv, pool
      int stride, // conv, pool
      String padding, // conv, pool: valid | same
      String pooling, // pool, global_pool: max | avg
      boolean returnSequences, // lstm
      boolean bidirectional, // lstm
      int vocabulary) { // embedding

    /** A dense, dropout or output layer. */
    public LayerSpec(String type, String name, int units, String activation, double alpha, double rate, String loss) {
      this(type, name, units, activation, alpha, rate, loss, 0, 0, 0, null, null, false, false, 0);
    }
  }

  /** Optimisation settings shared by every strategy. */
  public record TrainingSpec(
      int epochs,
      int batchSize,
      String updater, // sgd | nesterov | adam | rmsprop | adagrad
      double learningRate,
      double momentum,
      double rmsDecay) {}

  /** How workers combine their updates. */
  public record StrategySpec(
      String type, // averaging | sharing | synchronous | auto
      int workers, // 0: Spark's default parallelism
      int batchSizePerWorker, // 0: training.batch_size
      int averagingFrequency,
      int threadsPerWorker, // 0: cores / workers in local mode, else spark.task.cpus
      int prefetch,
      String approach, // export | direct
      String exportDir, // null: under the output directory
      ThresholdSpec threshold,
      int port,
      String networkMask) {}

  /** Gradient-sharing threshold encoding. */
  public record ThresholdSpec(String algorithm, double initial) {} // adaptive | fixed

  /** Where the run's artifacts go. */
  public record OutputSpec(String dir, boolean saveModel) {}

  public record CheckpointSpec(
      String dir, // null: <output>/checkpoints
      int every, // epochs; 0: only by time
      double everyMinutes, // 0: off
      int keep,
      boolean keepBest,
      int autoResume) {}

  public record EarlyStoppingSpec(
      String monitor, // a metric of metrics.jsonl, e.g. val_loss
      String mode, // auto | min | max
      int patience, // 0: off
      double minDelta) {

    /** Whether early stopping is on. */
    public boolean enabled() {
      return patience > 0;
    }

    /** Whether larger values of the monitored metric are better. */
    public boolean maximize() {
      return switch (mode) {
        case "max" -> true;
        case "min" -> false;
        default -> !(monitor.endsWith("loss") || monitor.endsWith("mse") || monitor.endsWith("mae"));
      };
    }
  }
}
