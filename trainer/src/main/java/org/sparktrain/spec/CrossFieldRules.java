package org.sparktrain.spec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pass two: rules that span fields, each reported at the path a user would change. */
final class CrossFieldRules {
  private CrossFieldRules() {}

  static void check(Resolved r, List<Violation> v) {
    source(r, v);
    layers(r, v);
    split(r, v);
    label(r, v);
    columns(r, v);
    monitor(r, v);
    missing(r, v);
    String mask = r.str("strategy.network_mask");
    if (mask != null && !validCidr(mask)) {
      v.add(new Violation("strategy.network_mask", "expected an IPv4 network in CIDR form like 10.0.0.0/16 (octets 0-255, prefix 0-32), got \"" + mask + "\""));
    }
  }

  static boolean validCidr(String mask) {
    if (!mask.matches("(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}")) {
      return false;
    }
    String[] parts = mask.split("[./]");
    for (int i = 0; i < 4; i++) {
      if (Integer.parseInt(parts[i]) > 255) {
        return false;
      }
    }
    return Integer.parseInt(parts[4]) <= 32;
  }

  /** model.init_from, model.keras, the head that replaces an output layer, and freezing. */
  private static void source(Resolved r, List<Violation> v) {
    String initFrom = r.str("model.init_from");
    String keras = r.str("model.keras.config");
    boolean replace = (Boolean) r.values.get("model.replace_output");
    boolean hasLayers = !r.layers.isEmpty();
    if (initFrom != null && keras != null) {
      v.add(new Violation("model.keras.config", "model.init_from and model.keras.config both name a starting network; keep one"));
    }
    if (keras != null && hasLayers) {
      v.add(new Violation("model.layers", "the Keras definition (model.keras.config) is the network; remove model.layers"));
    }
    if (r.str("model.keras.weights") != null && keras == null) {
      v.add(new Violation("model.keras.weights", "needs model.keras.config: the model definition the weights belong to"));
    }
    if (replace && initFrom == null) {
      v.add(new Violation("model.replace_output", "applies with model.init_from only; remove it or set model.init_from"));
    }
    if (initFrom != null && replace && !hasLayers) {
      v.add(new Violation("model.layers", "model.replace_output needs the new head in model.layers, ending in an output layer, e.g. [{type: output, units: 1, loss: binary_crossentropy}]"));
    }
    if (initFrom != null && !replace && hasLayers) {
      v.add(new Violation("model.replace_output", "model.layers with model.init_from is the new head that replaces the source's output layer; set model.replace_output: true, or remove model.layers to train the source network as it is"));
    }
    if (r.integer("model.freeze") > 0 && !r.list("model.freeze_layers").isEmpty()) {
      v.add(new Violation("model.freeze_layers", "give model.freeze (the first N layers) or model.freeze_layers (by name), not both"));
    }
  }

  private static void layers(Resolved r, List<Violation> v) {
    int n = r.layers.size();
    for (int i = 0; i < n; i++) {
      Map<String, Object> l = r.layers.get(i);
      String at = "model.layers[" + i + "]";
      String type = (String) l.get("model.layers[].type");
      if (type == null) {
        v.add(new Violation(at + ".type", "required: one of " + String.join(", ", JobFields.LAYER_FIELDS.keySet())));
        continue;
      }
      boolean isLast = i == n - 1;
      if (type.equals("output") != isLast) {
        v.add(new Violation(at + ".type", isLast
            ? "the last layer must be of type output, got " + type + "; add {type: output, units: N, loss: ...} at the end"
            : "an output layer must be the last layer; it is layer " + i + " of " + n));
      }
      List<String> takes = JobFields.LAYER_FIELDS.get(type);
      for (String field : List.of("units", "filters", "kernel")) {
        boolean needed = takes.contains(field) && !(field.equals("kernel") && type.startsWith("pool"));
        if (needed && l.get("model.layers[]." + field) == null) {
          v.add(new Violation(at + "." + field, "required for a " + type + " layer: " + JobFields.get("model.layers[]." + field).description()));
        }
      }
      if (type.equals("dropout") && l.get("model.layers[].rate") == null) {
        v.add(new Violation(at + ".rate", "required for a dropout layer: the fraction of inputs dropped, in [0, 1)"));
      }
      if (type.equals("output") && l.get("model.layers[].loss") == null) {
        v.add(new Violation(at + ".loss", "required for the output layer: one of " + String.join(", ", JobFields.LOSSES)));
      }
      for (String key : l.keySet()) {
        String field = key.substring("model.layers[].".length());
        // alpha has a default and was always accepted (and ignored) on any layer.
        if (field.equals("type") || field.equals("name") || field.equals("alpha") || takes.contains(field)) {
          continue;
        }
        // Fields without defaults in a layer map were written in the job file.
        String message = switch (field) {
          case "loss" -> "only the output layer has a loss";
          case "rate" -> "only dropout layers have a rate; add a {type: dropout, rate: ...} layer instead";
          default -> "a " + type + " layer has no " + field + "; remove it (a " + type + " layer takes "
              + (takes.isEmpty() ? "no fields besides name" : String.join(", ", takes)) + ")";
        };
        v.add(new Violation(at + "." + field, message));
      }
    }
    inputRules(r, v);
  }

  private static void inputRules(Resolved r, List<Violation> v) {
    String kind = r.inputKind();
    boolean byId = r.str("data.sequence.id") != null;
    boolean perFile = r.perFileSequences();
    boolean rows = byId || perFile;
    if (byId && perFile) {
      v.add(new Violation("data.sequence.per_file", "data.sequence.id and data.sequence.per_file exclude each other: a sequence is"
          + " named either by an id column or by its file; remove one of them"));
    }
    if (byId && r.str("data.sequence.step") == null) {
      v.add(new Violation("data.sequence.step", "required with data.sequence.id: the column that orders the rows of a sequence"));
    }
    if (!rows && r.str("data.sequence.step") != null) {
      v.add(new Violation("data.sequence.step", "applies only with data.sequence.id or data.sequence.per_file; set data.sequence.id to"
          + " the column naming each sequence"));
    }
    if (rows && "idx".equals(r.str("data.format"))) {
      v.add(new Violation(perFile ? "data.sequence.per_file" : "data.sequence.id", "applies to csv/parquet data, not idx"));
    }
    if (perFile && r.str("data.test_path") != null && r.str("data.test_path").equals(r.str("data.path"))) {
      v.add(new Violation("data.test_path", "is data.path itself; with data.sequence.per_file give a directory of other files, or remove it"));
    }
    if (rows && !"sequence".equals(kind)) {
      v.add(new Violation("model.input.kind", "sequence data (data.sequence) needs kind sequence (or auto), got " + kind));
    }
    boolean text = r.str("data.text.column") != null;
    if (text && rows) {
      v.add(new Violation("data.text.column", "text and data.sequence exclude each other: a text example is one row; remove one of them"));
    }
    if (text && "idx".equals(r.str("data.format"))) {
      v.add(new Violation("data.text.column", "applies to csv/parquet data, not idx"));
    }
    if (text && !"sequence".equals(kind)) {
      v.add(new Violation("model.input.kind", "text data (data.text) needs kind sequence (or auto), got " + kind));
    }
    if (text && r.integer("model.input.features") > 1) {
      v.add(new Violation("model.input.features", "text gives one token id per step; set it to 1 or remove it"));
    }
    if ("sequence".equals(kind) && !rows && !text) {
      v.add(new Violation("model.input.kind", "sequence input needs sequence data: set data.sequence.id and data.sequence.step, data.sequence.per_file, or data.text.column"));
    }
    if ("sequence".equals(kind) && r.integer("model.input.length") == 0) {
      v.add(new Violation("model.input.length", "required for sequence input: the number of time steps (longer sequences are truncated, shorter ones padded and masked)"));
    }
    if (r.integer("data.augment.shift") > 0 && !"idx".equals(r.str("data.format"))) {
      v.add(new Violation("data.augment.shift", "applies to idx images only; the data format is " + r.str("data.format")));
    }
    if ("image".equals(kind) && !"idx".equals(r.str("data.format"))) {
      for (String dim : List.of("height", "width", "channels")) {
        if (r.integer("model.input." + dim) == 0) {
          v.add(new Violation("model.input." + dim, "required for image input from " + r.str("data.format") + " data (each row holds height x width x channels values)"));
        }
      }
    }
    for (int i = 0; i < r.layers.size(); i++) {
      Map<String, Object> l = r.layers.get(i);
      if ("embedding".equals(l.get("model.layers[].type"))) {
        if (i != 0) {
          v.add(new Violation("model.layers[" + i + "].type", "an embedding layer must be the first layer (it maps token ids to vectors)"));
        }
        if (l.get("model.layers[].vocabulary") == null && !text) {
          v.add(new Violation("model.layers[" + i + "].vocabulary", "required for an embedding layer: the number of token ids"));
        }
      }
    }
  }

  /** Validation metrics each label kind reports, as metrics.jsonl names them. */
  static List<String> monitorable(String labelKind) {
    List<String> validation =
        switch (labelKind) {
          case "binary" -> List.of("loss", "accuracy", "precision", "recall", "f1", "auc");
          case "numeric" -> List.of("loss", "mse", "mae", "r2");
          case "reconstruct" -> List.of("loss", "mse");
          case "multi_label" -> List.of("loss", "accuracy", "subset_accuracy", "micro_f1", "macro_f1", "macro_auc");
          default -> List.of("loss", "accuracy", "macro_f1");
        };
    List<String> names = new java.util.ArrayList<>(List.of("train_loss"));
    validation.forEach(m -> names.add("val_" + m));
    return names;
  }

  private static void monitor(Resolved r, List<Violation> v) {
    String monitor = r.str("early_stopping.monitor");
    String kind = r.str("data.label.kind");
    if (monitor == null || kind == null) {
      return;
    }
    List<String> allowed = monitorable(kind);
    if (!allowed.contains(monitor)) {
      v.add(new Violation("early_stopping.monitor",
          "\"" + monitor + "\" is not a metric of a " + kind + " label; expected one of " + String.join(", ", allowed)));
      return;
    }
    // keep_best without validation metrics simply keeps nothing extra; early stopping would be blind.
    boolean noValidation = r.dbl("data.split.validation") == 0.0;
    if (r.integer("early_stopping.patience") > 0 && noValidation && monitor.startsWith("val_")) {
      v.add(new Violation("early_stopping.monitor",
          monitor + " needs a validation split, but data.split.validation is 0; set data.split.validation > 0 or monitor train_loss"));
    }
  }

  private static void split(Resolved r, List<Violation> v) {
    double train = r.dbl("data.split.train");
    double val = r.dbl("data.split.validation");
    double test = r.dbl("data.split.test");
    if (Math.abs(train + val + test - 1.0) > 1e-6) {
      v.add(new Violation("data.split", String.format("train + validation + test must be 1, got %s + %s + %s = %s", train, val, test, train + val + test)));
    }
    boolean separateTest = r.str("data.test_path") != null || "idx".equals(r.str("data.format"));
    if (separateTest && test > 0) {
      String why = "idx".equals(r.str("data.format")) ? "idx data has its own test files (t10k-*)" : "data.test_path is the test split";
      v.add(new Violation("data.split.test", "must be 0 because " + why + "; got " + test));
    }
  }

  private static void label(Resolved r, List<Violation> v) {
    String format = r.str("data.format");
    String column = r.str("data.label.column");
    String kind = r.str("data.label.kind");
    List<String> columns = r.list("data.label.columns");
    boolean oneColumn = !"multi_label".equals(kind) && !"reconstruct".equals(kind);
    if (!"idx".equals(format) && column == null && oneColumn) {
      v.add(new Violation("data.label.column", "required for " + format + " data: the column holding the label"));
    }
    if ("idx".equals(format) && column != null) {
      v.add(new Violation("data.label.column", "must be absent for idx data (labels come from the *-labels-idx1-ubyte files)"));
    }
    if (!oneColumn && column != null) {
      v.add(new Violation("data.label.column", "must be absent for label kind " + kind
          + ("reconstruct".equals(kind) ? " (the features are the target)" : "; list the 0/1 columns in data.label.columns")));
    }
    if ("multi_label".equals(kind)) {
      need(v, !columns.isEmpty(), "data.label.columns", "required for label kind multi_label: the 0/1 label columns, e.g. [a, b, c]");
      need(v, !"idx".equals(format), "data.label.kind", "multi_label needs csv or parquet data with 0/1 label columns; idx data has one class per image");
      need(v, columns.size() == new java.util.HashSet<>(columns).size(), "data.label.columns", "a column is listed twice; list each once");
    } else if (!columns.isEmpty()) {
      v.add(new Violation("data.label.columns", "only for label kind multi_label (data.label.kind is " + kind + "); use data.label.column"));
    }
    if ("standardize".equals(r.str("data.label.scaling")) && !"numeric".equals(kind)) {
      v.add(new Violation("data.label.scaling", "standardize applies to numeric labels only; data.label.kind is " + kind));
    }
    String loss = r.outputLoss();
    if (loss == null || r.layers.isEmpty()) {
      return;
    }
    int last = r.layers.size() - 1;
    Map<String, Object> out = r.layers.get(last);
    String at = "model.layers[" + last + "]";
    String activation = (String) out.get("model.layers[].activation");
    if (activation == null) {
      activation = Resolved.defaultOutputActivation(loss);
    }
    Object unitsObj = out.get("model.layers[].units");
    int units = unitsObj == null ? -1 : ((Number) unitsObj).intValue();
    switch (loss) {
      case "binary_crossentropy" -> {
        need(v, "binary".equals(kind) || "multi_label".equals(kind) || "reconstruct".equals(kind), "data.label.kind",
            "binary_crossentropy needs label kind binary, got " + kind + " (or multi_label, or reconstruct for an autoencoder)");
        int want = "multi_label".equals(kind) ? columns.size() : 1;
        need(v, units == want || units < 0 || "reconstruct".equals(kind), at + ".units",
            "multi_label".equals(kind)
                ? "binary_crossentropy with multi_label needs one output unit per label column (" + want + "), got " + units
                : "binary_crossentropy needs 1 output unit, got " + units);
        need(v, "sigmoid".equals(activation), at + ".activation", "binary_crossentropy needs a sigmoid output, got " + activation);
      }
      case "categorical_crossentropy", "sparse_categorical_crossentropy" -> {
        need(v, "class_index".equals(kind), "data.label.kind", loss + " needs label kind class_index, got " + kind);
        need(v, units >= 2 || units < 0, at + ".units", loss + " needs at least 2 output units (one per class), got " + units);
        need(v, "softmax".equals(activation), at + ".activation", loss + " needs a softmax output, got " + activation);
        int classes = r.integer("data.label.classes");
        need(v, classes == 0 || units < 0 || classes == units, at + ".units", "data.label.classes is " + classes + " but the output layer has " + units + " units; make them equal");
      }
      case "binary_crossentropy_from_logits" -> {
        need(v, "binary".equals(kind), "data.label.kind", loss + " needs label kind binary, got " + kind);
        need(v, units == 1 || units < 0, at + ".units", loss + " needs 1 output unit, got " + units);
        need(v, "identity".equals(activation), at + ".activation", loss + " takes logits: the output activation must be identity (or absent), got " + activation);
      }
      case "categorical_crossentropy_from_logits" -> {
        need(v, "class_index".equals(kind), "data.label.kind", loss + " needs label kind class_index, got " + kind);
        need(v, units >= 2 || units < 0, at + ".units", loss + " needs at least 2 output units (one per class), got " + units);
        need(v, "identity".equals(activation), at + ".activation", loss + " takes logits: the output activation must be identity (or absent), got " + activation);
      }
      default -> need(v, "numeric".equals(kind) || "reconstruct".equals(kind), "data.label.kind",
          loss + " is a regression loss and needs label kind numeric, got " + kind + " (or reconstruct for an autoencoder)");
    }
  }

  private static void missing(Resolved r, List<Violation> v) {
    boolean constant = "fill".equals(r.str("data.missing.policy")) && "constant".equals(r.str("data.missing.fill"));
    need(v, !constant || r.str("data.missing.value") != null, "data.missing.value",
        "fill with constant needs the value; set data.missing.value, or use data.missing.fill: mean or mode");
    need(v, constant || r.str("data.missing.value") == null, "data.missing.value",
        "is used only with data.missing.policy: fill and data.missing.fill: constant; remove it or set those");
  }

  private static void need(List<Violation> v, boolean ok, String path, String message) {
    if (!ok) {
      v.add(new Violation(path, message));
    }
  }

  private static void columns(Resolved r, List<Violation> v) {
    Map<String, String> seen = new HashMap<>();
    String label = r.str("data.label.column");
    List<String> labels = r.list("data.label.columns");
    for (String list : List.of("drop", "categorical", "numeric")) {
      String path = "data.features." + list;
      for (String c : r.list(path)) {
        if (labels.contains(c)) {
          v.add(new Violation(path, "column '" + c + "' is a label (data.label.columns); remove it from " + path));
        }
        if (c.equals(label)) {
          v.add(new Violation(path, "column '" + c + "' is the label (data.label.column); remove it from " + path));
        }
        String before = seen.putIfAbsent(c, path);
        if (before != null && !before.equals(path)) {
          v.add(new Violation(path, "column '" + c + "' is also in " + before + "; a column may appear in only one list"));
        } else if (before != null) {
          v.add(new Violation(path, "column '" + c + "' is listed twice; list it once"));
        }
      }
    }
  }
}
