package org.sparktrain.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.spec.JobSpec.LayerSpec;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Writes a resolved job (every field, defaults filled) as YAML that loads back to an equal spec. */
public final class JobSpecWriter {
  private JobSpecWriter() {}

  public static String toYaml(JobSpec s) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return "# resolved job file: every field, defaults filled in\n" + new Yaml(o).dump(toMap(s));
  }

  public static Map<String, Object> toMap(JobSpec s) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("name", s.name());
    root.put("seed", s.seed());
    var d = s.data();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("format", d.format());
    data.put("path", d.path());
    putIf(data, "test_path", d.testPath());
    data.put("header", d.header());
    data.put("delimiter", d.delimiter());
    data.put("multiline", d.multiline());
    data.put("split", map("train", d.split().train(), "validation", d.split().validation(), "test", d.split().test()));
    data.put("partitions", d.partitions());
    data.put("limit", d.limit());
    data.put("cache", d.cache());
    data.put("features", map("drop", d.features().drop(), "categorical", d.features().categorical(), "numeric", d.features().numeric(), "scaling", d.features().scaling(), "unseen", d.unseen()));
    Map<String, Object> label = new LinkedHashMap<>();
    putIf(label, "column", d.label().column());
    label.put("kind", d.label().kind());
    label.put("classes", d.label().classes());
    label.put("scaling", d.label().scaling());
    label.put("columns", d.label().columns());
    data.put("label", label);
    var q = d.sequence();
    Map<String, Object> sequence = new LinkedHashMap<>();
    putIf(sequence, "id", q.id());
    putIf(sequence, "step", q.step());
    sequence.put("per_file", q.perFile());
    data.put("sequence", sequence);
    Map<String, Object> text = new LinkedHashMap<>();
    putIf(text, "column", d.text().column());
    text.put("vocabulary", d.text().vocabulary());
    data.put("text", text);
    data.put("augment", map("shift", d.augmentShift()));
    Map<String, Object> missing = new LinkedHashMap<>();
    missing.put("policy", d.missing().policy());
    missing.put("fill", d.missing().fill());
    putIf(missing, "value", d.missing().value());
    missing.put("tokens", d.missing().tokens());
    data.put("missing", missing);
    root.put("data", data);
    List<Object> layers = new ArrayList<>();
    for (LayerSpec l : s.model().layers()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", l.type());
      putIf(m, "name", l.name());
      for (String field : JobFields.LAYER_FIELDS.get(l.type())) {
        Object value = switch (field) {
          case "units" -> l.units();
          case "activation" -> l.activation();
          case "alpha" -> l.alpha();
          case "rate" -> l.rate();
          case "loss" -> l.loss();
          case "filters" -> l.filters();
          case "kernel" -> l.kernel();
          case "stride" -> l.stride();
          case "padding" -> l.padding();
          case "pooling" -> l.pooling();
          case "return_sequences" -> l.returnSequences();
          case "bidirectional" -> l.bidirectional();
          case "vocabulary" -> l.vocabulary() == 0 ? null : l.vocabulary();
          default -> throw new IllegalStateException("layer field " + field + " is not written");
        };
        putIf(m, field, value);
      }
      layers.add(m);
    }
    Map<String, Object> model = map("weight_init", s.model().weightInit(), "l1", s.model().l1(), "l2", s.model().l2());
    var in = s.model().input();
    model.put("input", map("kind", in.kind(), "height", in.height(), "width", in.width(), "channels", in.channels(), "length", in.length(), "features", in.features()));
    if (!layers.isEmpty()) {
      model.put("layers", layers);
    }
    var src = s.model().source();
    putIf(model, "init_from", src.initFrom());
    model.put("replace_output", src.replaceOutput());
    model.put("freeze", src.freeze());
    model.put("freeze_layers", src.freezeLayers());
    if (src.kerasConfig() != null) {
      Map<String, Object> keras = new LinkedHashMap<>();
      keras.put("config", src.kerasConfig());
      putIf(keras, "weights", src.kerasWeights());
      model.put("keras", keras);
    }
    root.put("model", model);
    var t = s.training();
    root.put("training", map("epochs", t.epochs(), "batch_size", t.batchSize(), "updater", t.updater(), "learning_rate", t.learningRate(), "momentum", t.momentum(), "rms_decay", t.rmsDecay()));
    var st = s.strategy();
    Map<String, Object> strategy = map("type", st.type(), "workers", st.workers(), "batch_size_per_worker", st.batchSizePerWorker(), "averaging_frequency", st.averagingFrequency(), "threads_per_worker", st.threadsPerWorker(), "prefetch", st.prefetch(), "approach", st.approach());
    putIf(strategy, "export_dir", st.exportDir());
    strategy.put("threshold", map("algorithm", st.threshold().algorithm(), "initial", st.threshold().initial()));
    strategy.put("port", st.port());
    putIf(strategy, "network_mask", st.networkMask());
    root.put("strategy", strategy);
    Map<String, Object> output = new LinkedHashMap<>();
    putIf(output, "dir", s.output().dir());
    output.put("save_model", s.output().saveModel());
    root.put("output", output);
    var c = s.checkpoint();
    Map<String, Object> checkpoint = new LinkedHashMap<>();
    putIf(checkpoint, "dir", c.dir());
    checkpoint.putAll(map("every", c.every(), "every_minutes", c.everyMinutes(), "keep", c.keep(), "keep_best", c.keepBest(),
        "auto_resume", c.autoResume()));
    root.put("checkpoint", checkpoint);
    var e = s.earlyStopping();
    root.put("early_stopping", map("monitor", e.monitor(), "mode", e.mode(), "patience", e.patience(), "min_delta", e.minDelta()));
    return root;
  }

  private static void putIf(Map<String, Object> m, String k, Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
