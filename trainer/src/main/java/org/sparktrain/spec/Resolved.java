package org.sparktrain.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.spec.JobSpec.DataSpec;
import org.sparktrain.spec.JobSpec.FeatureSpec;
import org.sparktrain.spec.JobSpec.LabelSpec;
import org.sparktrain.spec.JobSpec.LayerSpec;
import org.sparktrain.spec.JobSpec.ModelSpec;
import org.sparktrain.spec.JobSpec.CheckpointSpec;
import org.sparktrain.spec.JobSpec.EarlyStoppingSpec;
import org.sparktrain.spec.JobSpec.OutputSpec;
import org.sparktrain.spec.JobSpec.SplitSpec;
import org.sparktrain.spec.JobSpec.StrategySpec;
import org.sparktrain.spec.JobSpec.ThresholdSpec;
import org.sparktrain.spec.JobSpec.TrainingSpec;

/** Field values by declared path after pass one, with defaults filled; builds the records. */
final class Resolved {
  final Map<String, Object> values = new LinkedHashMap<>();
  final List<Map<String, Object>> layers = new ArrayList<>();

  String str(String path) {
    return (String) values.get(path);
  }

  int integer(String path) {
    return ((Number) values.get(path)).intValue();
  }

  double dbl(String path) {
    return ((Number) values.get(path)).doubleValue();
  }

  @SuppressWarnings("unchecked")
  List<String> list(String path) {
    return List.copyOf((List<String>) values.get(path));
  }

  /** The loss of the output layer, or null. */
  String outputLoss() {
    return layers.isEmpty() ? null : (String) layers.get(layers.size() - 1).get("model.layers[].loss");
  }

  JobSpec toSpec() {
    DataSpec data =
        new DataSpec(
            str("data.format"),
            str("data.path"),
            str("data.test_path"),
            (Boolean) values.get("data.header"),
            str("data.delimiter"),
            new SplitSpec(dbl("data.split.train"), dbl("data.split.validation"), dbl("data.split.test")),
            integer("data.partitions"),
            ((Number) values.get("data.limit")).longValue(),
            new FeatureSpec(
                list("data.features.drop"),
                list("data.features.categorical"),
                list("data.features.numeric"),
                str("data.features.scaling")),
            new LabelSpec(
                str("data.label.column"),
                str("data.label.kind"),
                integer("data.label.classes"),
                str("data.label.scaling"),
                list("data.label.columns")),
            new JobSpec.SequenceSpec(
                str("data.sequence.id"),
                str("data.sequence.step"),
                Boolean.TRUE.equals(values.get("data.sequence.per_file"))),
            integer("data.augment.shift"),
            new JobSpec.MissingSpec(str("data.missing.policy"), str("data.missing.fill"), str("data.missing.value"), list("data.missing.tokens")),
            str("data.features.unseen"),
            new JobSpec.TextSpec(str("data.text.column"), integer("data.text.vocabulary")),
            Boolean.TRUE.equals(values.get("data.multiline")),
            str("data.cache"));
    List<LayerSpec> layerSpecs = new ArrayList<>();
    for (Map<String, Object> l : layers) {
      layerSpecs.add(layer(l));
    }
    ModelSpec model =
        new ModelSpec(
            str("model.weight_init"),
            dbl("model.l1"),
            dbl("model.l2"),
            input(),
            List.copyOf(layerSpecs),
            new JobSpec.SourceSpec(
                str("model.init_from"),
                (Boolean) values.get("model.replace_output"),
                integer("model.freeze"),
                list("model.freeze_layers"),
                str("model.keras.config"),
                str("model.keras.weights")));
    TrainingSpec training =
        new TrainingSpec(
            integer("training.epochs"),
            integer("training.batch_size"),
            str("training.updater"),
            dbl("training.learning_rate"),
            dbl("training.momentum"),
            dbl("training.rms_decay"));
    StrategySpec strategy =
        new StrategySpec(
            str("strategy.type"),
            integer("strategy.workers"),
            integer("strategy.batch_size_per_worker"),
            integer("strategy.averaging_frequency"),
            integer("strategy.threads_per_worker"),
            integer("strategy.prefetch"),
            str("strategy.approach"),
            str("strategy.export_dir"),
            new ThresholdSpec(str("strategy.threshold.algorithm"), dbl("strategy.threshold.initial")),
            integer("strategy.port"),
            str("strategy.network_mask"));
    OutputSpec output = new OutputSpec(str("output.dir"), (Boolean) values.get("output.save_model"));
    CheckpointSpec checkpoint =
        new CheckpointSpec(
            str("checkpoint.dir"),
            integer("checkpoint.every"),
            dbl("checkpoint.every_minutes"),
            integer("checkpoint.keep"),
            (Boolean) values.get("checkpoint.keep_best"),
            integer("checkpoint.auto_resume"));
    EarlyStoppingSpec earlyStopping =
        new EarlyStoppingSpec(
            str("early_stopping.monitor"),
            str("early_stopping.mode"),
            integer("early_stopping.patience"),
            dbl("early_stopping.min_delta"));
    return new JobSpec(
        str("name"),
        ((Number) values.get("seed")).longValue(),
        data,
        model,
        training,
        strategy,
        output,
        checkpoint,
        earlyStopping);
  }

  /** The input kind with auto resolved. */
  String inputKind() {
    String kind = str("model.input.kind");
    if (!"auto".equals(kind)) {
      return kind;
    }
    if ("idx".equals(str("data.format"))) {
      return "image";
    }
    return str("data.sequence.id") != null || perFileSequences() || str("data.text.column") != null ? "sequence" : "features";
  }

  /** data.sequence.per_file is set. */
  boolean perFileSequences() {
    return Boolean.TRUE.equals(values.get("data.sequence.per_file"));
  }

  private JobSpec.InputSpec input() {
    return new JobSpec.InputSpec(
        str("model.input.kind"),
        integer("model.input.height"),
        integer("model.input.width"),
        integer("model.input.channels"),
        integer("model.input.length"),
        integer("model.input.features"));
  }

  private static LayerSpec layer(Map<String, Object> l) {
    String type = (String) l.get("model.layers[].type");
    String loss = "output".equals(type) ? (String) l.get("model.layers[].loss") : null;
    String activation = (String) l.get("model.layers[].activation");
    if (activation == null) {
      activation = switch (type) {
        case "dense" -> "relu";
        case "output" -> defaultOutputActivation(loss);
        default -> null;
      };
    }
    List<String> takes = JobFields.LAYER_FIELDS.getOrDefault(type, List.of());
    if (activation == null && takes.contains("activation")) {
      activation = switch (type) {
        case "lstm" -> "tanh";
        default -> "relu";
      };
    }
    boolean pool = type.startsWith("pool");
    int kernel = intOr(l, "kernel", pool ? 2 : 0);
    return new LayerSpec(
        type,
        (String) l.get("model.layers[].name"),
        takes.contains("units") ? intOr(l, "units", 0) : 0,
        takes.contains("activation") ? activation : null,
        takes.contains("alpha") ? ((Number) l.getOrDefault("model.layers[].alpha", 0.01)).doubleValue() : 0.01,
        takes.contains("rate") ? ((Number) l.getOrDefault("model.layers[].rate", 0.0)).doubleValue() : 0.0,
        loss,
        takes.contains("filters") ? intOr(l, "filters", 0) : 0,
        takes.contains("kernel") ? kernel : 0,
        takes.contains("stride") ? intOr(l, "stride", pool ? kernel : 1) : 0,
        takes.contains("padding") ? (String) l.getOrDefault("model.layers[].padding", "valid") : null,
        takes.contains("pooling") ? (String) l.getOrDefault("model.layers[].pooling", "max") : null,
        takes.contains("return_sequences") && Boolean.TRUE.equals(l.get("model.layers[].return_sequences")),
        takes.contains("bidirectional") && Boolean.TRUE.equals(l.get("model.layers[].bidirectional")),
        takes.contains("vocabulary") ? intOr(l, "vocabulary", 0) : 0);
  }

  private static int intOr(Map<String, Object> l, String field, int dflt) {
    Object v = l.get("model.layers[]." + field);
    return v == null ? dflt : ((Number) v).intValue();
  }

  static String defaultOutputActivation(String loss) {
    if (loss == null) {
      return "identity";
    }
    return switch (loss) {
      case "binary_crossentropy" -> "sigmoid";
      case "binary_crossentropy_from_logits", "categorical_crossentropy_from_logits" -> "identity";
      case "categorical_crossentropy", "sparse_categorical_crossentropy" -> "softmax";
      default -> "identity";
    };
  }
}
