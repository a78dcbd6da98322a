package org.sparktrain.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.spec.FieldDef.Type;

/** Every field of a job file, declared once. */
public final class JobFields {
  private static final Map<String, FieldDef> FIELDS = new LinkedHashMap<>();

  public static final List<String> ACTIVATIONS =
      List.of("relu", "leakyrelu", "elu", "selu", "swish", "tanh", "sigmoid", "softmax", "identity");
  /** Layer types and the fields each takes (besides type and name), in declaration order. */
  public static final Map<String, List<String>> LAYER_FIELDS = layerFields();
  public static final List<String> LOSSES =
      List.of("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
          "binary_crossentropy_from_logits", "categorical_crossentropy_from_logits", "mse", "mae");

  static {
    str("name", "job", "A name for the run, used in logs and the Spark application name.");
    num("seed", Type.LONG, 42L, null, false, null, false, "Seed for splits, weight initialisation and DL4J's training masters.");

    oneOf("data.format", "csv", List.of("csv", "parquet", "idx"), "Input format.");
    required("data.path", Type.STRING, "Input: a Hadoop URI or a local path (file://, hdfs://, s3a://). For idx, a directory with the MNIST-format train-* and t10k-* files.");
    str("data.test_path", null, "Separate test file (csv/parquet); when set, data.split.test must be 0.");
    def("data.header", Type.BOOL, true, "CSV: the first line holds column names.");
    str("data.delimiter", ",", "CSV: field delimiter (one character).");
    def("data.multiline", Type.BOOL, false, "CSV: a quoted value may span lines (a line break inside double quotes). Spark then reads each file whole in one task instead of splitting it; off, such a row stops the run with its line.");
    num("data.partitions", Type.INT, 0, 0.0, false, null, false, "Partitions of the training split; 0: Spark's default parallelism.");
    num("data.limit", Type.LONG, 0L, 0.0, false, null, false, "At most this many rows from each input file; 0: all (for runs on small slices).");
    oneOf("data.cache", "auto", List.of("auto", "memory", "disk", "none"), "How the training and validation minibatches are kept between epochs (Spark storage levels): memory: serialized in executor memory, spilling to local disk what does not fit (MEMORY_AND_DISK_SER); disk: serialized to each executor's local disk once (DISK_ONLY); none: not kept, the source is read and the minibatches rebuilt every epoch (for data larger than the executors' disks); auto: memory when the estimated size (rows x (inputs + outputs) x 4 bytes, plus per-minibatch overhead) fits the executors' storage memory, else disk. The choice and its figures are logged.");
    num("data.split.train", Type.DOUBLE, 0.8, 0.0, true, 1.0, false, "Fraction of rows for training.");
    num("data.split.validation", Type.DOUBLE, 0.1, 0.0, false, 1.0, true, "Fraction of rows for per-epoch validation.");
    num("data.split.test", Type.DOUBLE, 0.1, 0.0, false, 1.0, true, "Fraction of rows for the final test.");
    def("data.features.drop", Type.STRING_LIST, List.of(), "Columns to ignore (identifiers, free text).");
    def("data.features.categorical", Type.STRING_LIST, List.of(), "Columns to one-hot encode with the categories seen in training.");
    def("data.features.numeric", Type.STRING_LIST, List.of(), "Numeric columns; empty: every remaining column except the label.");
    oneOf("data.features.scaling", "standardize", List.of("standardize", "minmax", "none"), "Scaling of numeric columns, fitted on the training split.");
    str("data.label.column", null, "The label column (csv/parquet; absent for idx).");
    oneOf("data.label.kind", "class_index", List.of("binary", "class_index", "numeric", "multi_label", "reconstruct"), "binary: two values to 0/1; class_index: integer or string classes; numeric: a regression target; multi_label: several 0/1 columns (data.label.columns), one sigmoid output each; reconstruct: the scaled features themselves (an autoencoder; no label column).");
    num("data.label.classes", Type.INT, 0, 0.0, false, null, false, "Number of classes; 0: inferred from the training split.");
    def("data.label.columns", Type.STRING_LIST, List.of(), "multi_label: the 0/1 label columns, one output each (instead of data.label.column).");
    oneOf("data.label.scaling", "none", List.of("none", "standardize"), "Scaling of a numeric target (undone for reported metrics).");
    str("data.sequence.id", null, "Sequences from csv/parquet rows: the column naming the sequence a row belongs to (one label per sequence, from data.label.column); splits are drawn per sequence.");
    str("data.sequence.step", null, "Sequences: the column that orders rows within a sequence (numeric); optional with data.sequence.per_file (default: the order of the rows in the file).");
    def("data.sequence.per_file", Type.BOOL, false, "Sequences from files: data.path is a directory (or glob) of csv/parquet files, each one sequence whose id is its file name without extension (instead of data.sequence.id); every file has the same columns, the label column holding the same value in each row.");
    str("data.text.column", null, "Text for recurrent networks: the column holding free text (csv/parquet). It is lower-cased and split on non-letters; each example is one row, a sequence of token ids (0: padding, 1: unknown word, 2..: the vocabulary) padded or truncated to model.input.length and masked; other feature columns are ignored. Feeds an embedding layer.");
    num("data.text.vocabulary", Type.INT, 5000, 1.0, false, null, false, "Text: keep the this many most frequent words of the training split (ties by word); the embedding's vocabulary defaults to this + 2. Saved with the feature pipeline, so evaluate uses the same ids.");
    num("data.augment.shift", Type.INT, 0, 0.0, false, null, false, "idx: shift each training image by a random offset of up to this many pixels in x and y (seeded per image, the same in every epoch), filling with the background; 0: off. Validation and test images are never shifted.");
    oneOf("data.missing.policy", "fail", List.of("fail", "skip", "fill"), "A missing (empty) value in a feature or label column: fail stops and names the column; skip drops the row (the count goes to the log and summary.json; evaluate and predict skip alike); fill replaces a feature value (a missing label still fails).");
    def("data.missing.tokens", Type.STRING_LIST, List.of(""), "Cell values that mean a missing value, compared without surrounding spaces and case-sensitively, e.g. [\"\", NA, \"?\", \"null\"]; such cells are handled by data.missing.policy (csv, and text columns of parquet). The empty cell is always missing.");
    oneOf("data.missing.fill", "mean", List.of("mean", "mode", "constant"), "fill: numeric columns get the training split's mean (mode: its most frequent value), categorical columns its most frequent category; constant: data.missing.value. Saved in the feature pipeline, so predict fills alike.");
    str("data.missing.value", null, "fill with constant: the value (a number for numeric columns, a category for categorical ones).");
    oneOf("data.features.unseen", "error", List.of("error", "ignore"), "A category not seen in the training split (validation, test, evaluate, predict): error stops and names column, value and known categories; ignore encodes it as all zeros.");

    oneOf("model.weight_init", "xavier", List.of("xavier", "xavier_uniform", "relu", "relu_uniform", "lecun_normal", "normal", "uniform"), "Weight initialisation.");
    num("model.l1", Type.DOUBLE, 0.0, 0.0, false, null, false, "L1 regularisation coefficient.");
    num("model.l2", Type.DOUBLE, 0.0, 0.0, false, null, false, "L2 regularisation coefficient.");
    oneOf("model.input.kind", "auto", List.of("auto", "features", "image", "sequence"), "What one example is: a feature vector, an image (height x width x channels) or a sequence (length x features); auto: image for idx, sequence with data.sequence, else features.");
    num("model.input.height", Type.INT, 0, 0.0, false, null, false, "image: height in pixels; 0: from the data (idx: from the file header).");
    num("model.input.width", Type.INT, 0, 0.0, false, null, false, "image: width in pixels; 0: from the data (idx: from the file header).");
    num("model.input.channels", Type.INT, 0, 0.0, false, null, false, "image: channels; 0: from the data (1 for idx).");
    num("model.input.length", Type.INT, 0, 0.0, false, null, false, "sequence: time steps; longer sequences are truncated, shorter ones padded and masked (required for sequences).");
    num("model.input.features", Type.INT, 0, 0.0, false, null, false, "Features per example (features) or per time step (sequence); 0: from the data. When set, a test checks the data against it.");
    required("model.layers", Type.LIST_OF_MAPS, "The layers, first to last; the last is the output layer. Not needed with model.keras.config or model.init_from; with model.init_from and model.replace_output, the new layers that replace the source's output layer.");
    FIELDS.put("model.layers[].type", new FieldDef("model.layers[].type", Type.ENUM, null, true, List.copyOf(LAYER_FIELDS.keySet()), null, false, null, false, "Layer type; the fields each type takes are listed in docs/models.md (Networks)."));
    str("model.layers[].name", null, "Optional layer name.");
    num("model.layers[].units", Type.INT, null, 1.0, false, null, false, "Units (dense, output, lstm) or embedding size (embedding); required there.");
    FIELDS.put("model.layers[].activation", new FieldDef("model.layers[].activation", Type.ENUM, null, false, ACTIVATIONS, null, false, null, false, "Activation; dense, conv2d and conv1d default relu, lstm tanh; output default from the loss (sigmoid, softmax or identity)."));
    num("model.layers[].alpha", Type.DOUBLE, 0.01, 0.0, true, null, false, "Slope for leakyrelu below zero.");
    num("model.layers[].rate", Type.DOUBLE, null, 0.0, false, 1.0, true, "Dropout layer: fraction of inputs dropped (required there).");
    FIELDS.put("model.layers[].loss", new FieldDef("model.layers[].loss", Type.ENUM, null, false, LOSSES, null, false, null, false, "Output layer: loss (required there). *_from_logits: the layer is linear and the loss applies the sigmoid or softmax itself (numerically stable); metrics and predictions still report probabilities."));
    num("model.layers[].filters", Type.INT, null, 1.0, false, null, false, "conv2d, conv1d: number of filters (output channels); required there.");
    num("model.layers[].kernel", Type.INT, null, 1.0, false, null, false, "conv2d, conv1d: kernel size (square for conv2d), required there; pool2d, pool1d: window size, default 2.");
    num("model.layers[].stride", Type.INT, null, 1.0, false, null, false, "conv2d, conv1d: stride, default 1; pool2d, pool1d: stride, default the window size.");
    FIELDS.put("model.layers[].padding", new FieldDef("model.layers[].padding", Type.ENUM, "valid", false, List.of("valid", "same"), null, false, null, false, "conv and pool layers: valid (no padding, the output shrinks) or same (output size = ceil(input / stride))."));
    FIELDS.put("model.layers[].pooling", new FieldDef("model.layers[].pooling", Type.ENUM, "max", false, List.of("max", "avg"), null, false, null, false, "pool2d, pool1d, global_pool: max or average."));
    def("model.layers[].return_sequences", Type.BOOL, false, "lstm: output the whole sequence (true, to feed another lstm or conv1d) or only the last unmasked time step (false).");
    def("model.layers[].bidirectional", Type.BOOL, false, "lstm: a second lstm reads the sequence backwards; their outputs are concatenated (2 x units).");
    num("model.layers[].vocabulary", Type.INT, null, 1.0, false, null, false, "embedding: number of token ids (0 .. vocabulary-1); required there. The input is a sequence with one token id per step (data.features.scaling: none).");

    str("model.init_from", null, "Start from a trained model: a model.zip written by train, or a checkpoint (a step directory or its network.zip); its feature pipeline is reused.");
    def("model.replace_output", Type.BOOL, false, "With model.init_from: drop the source's output layer and append model.layers (the new head) after the kept layers.");
    num("model.freeze", Type.INT, 0, 0.0, false, null, false, "Freeze the first this many layers of the network (their parameters stay unchanged); 0: none.");
    def("model.freeze_layers", Type.STRING_LIST, List.of(), "Freeze the layers with these names (instead of model.freeze).");
    str("model.keras.config", null, "A Keras Sequential model definition (model.to_json()) to train instead of model.layers.");
    str("model.keras.weights", null, "Optional Keras HDF5 weights (.h5) for model.keras.config; without it the network starts from model.weight_init.");

    num("training.epochs", Type.INT, 10, 1.0, false, null, false, "Passes over the training split.");
    num("training.batch_size", Type.INT, 32, 1.0, false, null, false, "Examples per minibatch.");
    oneOf("training.updater", "adam", List.of("sgd", "nesterov", "momentum", "adam", "rmsprop", "adagrad"), "Optimiser; momentum is Nesterov momentum (DL4J's Nesterovs).");
    num("training.learning_rate", Type.DOUBLE, 0.001, 0.0, true, null, false, "Learning rate.");
    num("training.momentum", Type.DOUBLE, 0.9, 0.0, false, 1.0, true, "Momentum for nesterov/momentum.");
    num("training.rms_decay", Type.DOUBLE, 0.95, 0.0, true, 1.0, true, "Decay for rmsprop.");

    oneOf("strategy.type", "auto", List.of("averaging", "sharing", "synchronous", "auto"), "auto (the default, and the fastest measured): synchronous with workers, threads and averaging frequency chosen by a short measured probe; averaging: DL4J parameter averaging; sharing: DL4J gradient sharing; synchronous: our parameter averaging on Spark primitives (minibatches cached per worker, networks kept in the executors).");
    num("strategy.workers", Type.INT, 0, 0.0, false, null, false, "Workers training in parallel; 0: Spark's default parallelism (sharing on a cluster: one per registered executor).");
    num("strategy.batch_size_per_worker", Type.INT, 0, 0.0, false, null, false, "Minibatch size on each worker; 0: training.batch_size.");
    num("strategy.averaging_frequency", Type.INT, 5, 1.0, false, null, false, "averaging, synchronous: minibatches per worker between averagings.");
    num("strategy.threads_per_worker", Type.INT, 0, 0.0, false, null, false, "synchronous and auto: native (OpenMP and BLAS) threads of each worker; 0: in local mode OMP_NUM_THREADS of the JVM's environment, else the cores divided by the workers; on a cluster spark.executorEnv.OMP_NUM_THREADS, else spark.task.cpus. ND4J takes OMP_NUM_THREADS only at JVM start: set it to the same figure (cluster-configs/*.conf do).");
    num("strategy.prefetch", Type.INT, 2, 0.0, false, null, false, "Minibatches each worker prefetches asynchronously.");
    oneOf("strategy.approach", "export", List.of("export", "direct"), "export: minibatches saved once to a shared filesystem and streamed; direct: kept in Spark's memory.");
    str("strategy.export_dir", null, "Where export writes minibatches (a URI every executor can read); default: /tmp/sparktrain-export on Spark's default filesystem.");
    oneOf("strategy.threshold.algorithm", "adaptive", List.of("adaptive", "fixed"), "sharing: threshold encoding of updates.");
    num("strategy.threshold.initial", Type.DOUBLE, 1e-3, 0.0, true, null, false, "sharing: initial (or fixed) threshold.");
    num("strategy.port", Type.INT, 40123, 1.0, false, 65535.0, false, "sharing: UDP port of the parameter-server controller and workers.");
    str("strategy.network_mask", null, "sharing: network (CIDR) whose interface the workers use, e.g. 10.0.0.0/16; default: the driver's address.");

    str("output.dir", null, "Output directory when train is given no --output.");
    def("output.save_model", Type.BOOL, true, "Write model.zip at the end.");

    str("checkpoint.dir", null, "Where checkpoints go (any Hadoop URI, e.g. hdfs://nn:8020/runs/churn/checkpoints); default: checkpoints/ in the output directory.");
    num("checkpoint.every", Type.INT, 1, 0.0, false, null, false, "Checkpoint after every this many epochs; 0: only by time.");
    num("checkpoint.every_minutes", Type.DOUBLE, 0.0, 0.0, false, null, false, "Also checkpoint after an epoch when this many minutes passed since the last checkpoint; 0: off.");
    num("checkpoint.keep", Type.INT, 2, 1.0, false, null, false, "Keep the newest this many checkpoints.");
    def("checkpoint.keep_best", Type.BOOL, true, "Also keep the checkpoint with the best early_stopping.monitor value.");
    num("checkpoint.auto_resume", Type.INT, 3, 0.0, false, null, false, "When the strategy cannot go on after losing an executor (gradient sharing: DL4J's mesh cannot drop a member), train starts a new Spark application and resumes from the newest checkpoint by itself, up to this many times per run; 0: fail (exit 1) instead.");

    str("early_stopping.monitor", "val_loss", "Metric that early stopping and keep_best watch: train_loss or val_ + a validation metric (val_loss, val_accuracy, val_auc, val_macro_f1, val_r2, ...).");
    oneOf("early_stopping.mode", "auto", List.of("auto", "min", "max"), "Whether smaller or larger is better; auto: min for losses, mse and mae, max otherwise.");
    num("early_stopping.patience", Type.INT, 0, 0.0, false, null, false, "Stop after this many epochs without improvement, and keep the best epoch's model; 0: off.");
    num("early_stopping.min_delta", Type.DOUBLE, 0.0, 0.0, false, null, false, "Smallest change of the monitored metric that counts as an improvement.");
  }

  private JobFields() {}

  private static Map<String, List<String>> layerFields() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("dense", List.of("units", "activation", "alpha"));
    m.put("dropout", List.of("rate"));
    m.put("output", List.of("units", "activation", "alpha", "loss"));
    m.put("conv2d", List.of("filters", "kernel", "stride", "padding", "activation", "alpha"));
    m.put("conv1d", List.of("filters", "kernel", "stride", "padding", "activation", "alpha"));
    m.put("pool2d", List.of("kernel", "stride", "padding", "pooling"));
    m.put("pool1d", List.of("kernel", "stride", "padding", "pooling"));
    m.put("global_pool", List.of("pooling"));
    m.put("batch_norm", List.of());
    m.put("lstm", List.of("units", "activation", "alpha", "return_sequences", "bidirectional"));
    m.put("embedding", List.of("units", "vocabulary"));
    return Collections.unmodifiableMap(m);
  }

  private static void str(String path, String dflt, String description) {
    def(path, Type.STRING, dflt, description);
  }

  private static void def(String path, Type type, Object dflt, String description) {
    FIELDS.put(path, new FieldDef(path, type, dflt, false, List.of(), null, false, null, false, description));
  }

  private static void required(String path, Type type, String description) {
    FIELDS.put(path, new FieldDef(path, type, null, true, List.of(), null, false, null, false, description));
  }

  private static void oneOf(String path, String dflt, List<String> allowed, String description) {
    FIELDS.put(path, new FieldDef(path, Type.ENUM, dflt, false, allowed, null, false, null, false, description));
  }

  private static void num(String path, Type type, Object dflt, Double min, boolean minEx, Double max, boolean maxEx, String description) {
    FIELDS.put(path, new FieldDef(path, type, dflt, false, List.of(), min, minEx, max, maxEx, description));
  }

  /** All declarations, in document order. */
  public static Map<String, FieldDef> all() {
    return Collections.unmodifiableMap(FIELDS);
  }

  public static FieldDef get(String path) {
    return FIELDS.get(path);
  }

  /** Names of the sections and fields that may appear under {@code prefix} (empty for the root). */
  static List<String> childNames(String prefix) {
    List<String> names = new ArrayList<>();
    String p = prefix.isEmpty() ? "" : prefix + ".";
    for (String path : FIELDS.keySet()) {
      if (path.startsWith(p)) {
        String rest = path.substring(p.length());
        int dot = rest.indexOf('.');
        String child = dot < 0 ? rest : rest.substring(0, dot);
        if (child.endsWith("[]")) {
          child = child.substring(0, child.length() - 2);
        }
        if (!child.isEmpty() && !names.contains(child)) {
          names.add(child);
        }
      }
    }
    return names;
  }

  /** A default as written in a job file; list items that YAML would misread (the empty text) quoted. */
  static String shown(Object value) {
    if (value instanceof List<?> items) {
      List<String> out = new ArrayList<>();
      for (Object item : items) {
        String t = String.valueOf(item);
        out.add(t.matches("[A-Za-z0-9_.-]+") ? t : "\"" + t + "\"");
      }
      return "[" + String.join(", ", out) + "]";
    }
    return String.valueOf(value);
  }

  /** The job-file reference as a Markdown table, generated from the declarations. */
  public static String markdownReference() {
    StringBuilder sb = new StringBuilder();
    sb.append("| field | type | default | allowed | meaning |\n|---|---|---|---|---|\n");
    for (FieldDef f : FIELDS.values()) {
      String dflt = f.required() ? "required" : f.defaultValue() == null ? "—" : shown(f.defaultValue());
      sb.append("| `").append(f.path()).append("` | ")
          .append(f.type().name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
          .append(dflt).append(" | ")
          .append(f.allowedText().replace("|", "\\|")).append(" | ")
          .append(f.description().replace("|", "\\|")).append(" |\n");
    }
    return sb.toString();
  }
}
