package org.sparktrain.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The feature pipeline fitted on the training split: per-column centring and scaling, one-hot
 * categories, and the label's encoding. Small, serializable, and applied unchanged by evaluate and
 * predict.
 */
public final class FeaturePipelineModel implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The fitted values. For idx data {@code numericColumns} is empty and {@code center}/{@code
   * scale} have one entry per pixel.
   */
  public record Params(
      String format,
      List<String> numericColumns,
      double[] center,
      double[] scale,
      List<String> categoricalColumns,
      List<List<String>> categories,
      String labelColumn,
      String labelKind,
      List<String> classNames,
      boolean integerClasses,
      double labelCenter,
      double labelScale,
      String missingPolicy, // fail | skip | fill; null (older models): fail
      double[] numericFill, // per numeric column, NaN: none; null: none
      List<String> categoricalFill, // per categorical column, null entries: none; null: none
      String unseen, // error | ignore; null (older models): error
      String textColumn, // text: the column read as token ids; null: none
      List<String> vocabulary) // text: the words with ids 2, 3, ...; null: none
      implements Serializable {
    /** Without text. */
    public Params(
        String format,
        List<String> numericColumns,
        double[] center,
        double[] scale,
        List<String> categoricalColumns,
        List<List<String>> categories,
        String labelColumn,
        String labelKind,
        List<String> classNames,
        boolean integerClasses,
        double labelCenter,
        double labelScale,
        String missingPolicy,
        double[] numericFill,
        List<String> categoricalFill,
        String unseen) {
      this(format, numericColumns, center, scale, categoricalColumns, categories, labelColumn, labelKind,
          classNames, integerClasses, labelCenter, labelScale, missingPolicy, numericFill, categoricalFill, unseen, null, null);
    }

    /** This pipeline reading {@code column} as token ids of {@code words}. */
    Params withText(String column, List<String> words) {
      return new Params(format, numericColumns, center, scale, categoricalColumns, categories, labelColumn, labelKind,
          classNames, integerClasses, labelCenter, labelScale, missingPolicy, numericFill, categoricalFill, unseen, column, words);
    }

    /** Whether examples are token ids of a text column. */
    public boolean text() {
      return textColumn != null;
    }

    /** Without missing-value handling: missing values fail, unseen categories fail. */
    public Params(
        String format,
        List<String> numericColumns,
        double[] center,
        double[] scale,
        List<String> categoricalColumns,
        List<List<String>> categories,
        String labelColumn,
        String labelKind,
        List<String> classNames,
        boolean integerClasses,
        double labelCenter,
        double labelScale) {
      this(format, numericColumns, center, scale, categoricalColumns, categories, labelColumn, labelKind,
          classNames, integerClasses, labelCenter, labelScale, null, null, null, null);
    }

    /** Whether rows with a missing value are dropped. */
    public boolean skipsMissing() {
      return "skip".equals(missingPolicy);
    }

    /** The value that replaces a missing value of numeric column {@code i}, or NaN for none. */
    double numericFill(int i) {
      return numericFill == null || i >= numericFill.length ? Double.NaN : numericFill[i];
    }

    /** The category that replaces a missing value of categorical column {@code i}, or null. */
    String categoricalFill(int i) {
      return categoricalFill == null || i >= categoricalFill.size() ? null : categoricalFill.get(i);
    }
  }

  private final Params p;
  private transient volatile java.util.List<java.util.Map<String, Integer>> categoryIndex;

  public FeaturePipelineModel(Params p) {
    this.p = p;
  }

  public Params params() {
    return p;
  }

  public int numInputs() {
    if (p.text()) {
      return 1; // one token id per time step
    }
    int n = p.center().length;
    for (List<String> c : p.categories()) {
      n += c.size();
    }
    return n;
  }

  public int numOutputs() {
    return switch (p.labelKind()) {
      case "class_index", "multi_label" -> p.classNames().size();
      case "reconstruct" -> numInputs();
      default -> 1;
    };
  }

  /**
   * The input columns that hold the label: the label column, the multi_label columns (kept in
   * {@code classNames}), or none for reconstruct.
   */
  public List<String> labelColumns() {
    return switch (p.labelKind()) {
      case "multi_label" -> p.classNames();
      case "reconstruct" -> List.of();
      default -> java.util.Collections.singletonList(p.labelColumn());
    };
  }

  /** This pipeline with the feature part (columns, categories, scaling) of {@code source}. */
  public FeaturePipelineModel withFeaturesOf(FeaturePipelineModel source) {
    Params s = source.p;
    return new FeaturePipelineModel(
        new Params(p.format(), s.numericColumns(), s.center(), s.scale(), s.categoricalColumns(), s.categories(),
            p.labelColumn(), p.labelKind(), p.classNames(), p.integerClasses(), p.labelCenter(), p.labelScale()));
  }

  public String labelKind() {
    return p.labelKind();
  }

  public List<String> classNames() {
    return p.classNames();
  }

  public double unscaleLabel(double v) {
    return "numeric".equals(p.labelKind()) ? v * p.labelScale() + p.labelCenter() : v;
  }

  public List<String> featureNames() {
    List<String> names = new ArrayList<>();
    if (p.numericColumns().isEmpty()) {
      for (int i = 0; i < p.center().length; i++) {
        names.add("pixel" + i);
      }
    } else {
      names.addAll(p.numericColumns());
    }
    for (int c = 0; c < p.categoricalColumns().size(); c++) {
      for (String v : p.categories().get(c)) {
        names.add(p.categoricalColumns().get(c) + "=" + v);
      }
    }
    return names;
  }

  /** Scales raw numeric values and appends the one-hot blocks. */
  float[] features(double[] numeric, String[] categorical) {
    return encode(numeric, categorical).toArray();
  }

  /**
   * The scaled numeric values and the positions of the one-hot ones, not yet expanded into a row
   * of {@link #numInputs()} values.
   */
  SparseFeatures encode(double[] numeric, String[] categorical) {
    float[] x = new float[numeric.length];
    for (int i = 0; i < numeric.length; i++) {
      x[i] = (float) ((numeric[i] - p.center()[i]) / p.scale()[i]);
    }
    int[] ones = new int[categorical.length];
    int set = 0;
    int offset = numeric.length;
    for (int c = 0; c < categorical.length; c++) {
      List<String> cats = p.categories().get(c);
      Integer at = categoryIndex(c).get(categorical[c]);
      int k = at == null ? -1 : at;
      if (k < 0 && "ignore".equals(p.unseen())) {
        offset += cats.size();
        continue;
      }
      if (k < 0) {
        throw new DataException(
            "column '" + p.categoricalColumns().get(c) + "': category \"" + categorical[c]
                + "\" was not seen in training (known: " + String.join(", ", cats)
                + "); expected one of those; retrain with data that contains it, map it to a known category,"
                + " or set data.features.unseen: ignore to encode unseen categories as all zeros");
      }
      ones[set++] = offset + k;
      offset += cats.size();
    }
    return new SparseFeatures(x, set == ones.length ? ones : java.util.Arrays.copyOf(ones, set), offset);
  }

  /** Position of each category of categorical column {@code c} in its one-hot block. */
  private java.util.Map<String, Integer> categoryIndex(int c) {
    java.util.List<java.util.Map<String, Integer>> index = categoryIndex;
    if (index == null) {
      index = new ArrayList<>();
      for (List<String> cats : p.categories()) {
        java.util.Map<String, Integer> m = new java.util.HashMap<>();
        for (int k = cats.size() - 1; k >= 0; k--) {
          m.put(cats.get(k), k); // the first position of a repeated category, as indexOf
        }
        index.add(m);
      }
      categoryIndex = index;
    }
    return index.get(c);
  }

  /** As {@link #labels(String[], float[])}, expanding the features only where the label is made of them. */
  float[] labels(String[] raw, SparseFeatures features) {
    return labels(raw, "reconstruct".equals(p.labelKind()) ? features.toArray() : null);
  }

  /**
   * The encoded label from the raw values of {@link #labelColumns()} (text form) and the example's
   * features (the target of reconstruct).
   */
  float[] labels(String[] raw, float[] features) {
    switch (p.labelKind()) {
      case "reconstruct" -> {
        return features;
      }
      case "multi_label" -> {
        float[] y = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
          String v = Tabular.canonical(raw[i]);
          if (!"0".equals(v) && !"1".equals(v)) {
            throw new DataException("label column '" + p.classNames().get(i) + "': value \"" + raw[i]
                + "\" is not 0 or 1; multi_label columns hold 0/1 flags; fix the data or leave the column out of data.label.columns");
          }
          y[i] = "1".equals(v) ? 1f : 0f;
        }
        return y;
      }
      default -> {
        return label(raw[0]);
      }
    }
  }

  /** The encoded label for a raw label value (text form). */
  float[] label(String raw) {
    switch (p.labelKind()) {
      case "numeric" -> {
        double v = Tabular.parseNumber(raw, p.labelColumn());
        return new float[] {(float) ((v - p.labelCenter()) / p.labelScale())};
      }
      case "binary" -> {
        int k = p.classNames().indexOf(Tabular.canonical(raw));
        if (k < 0) {
          throw unseenLabel(raw);
        }
        return new float[] {k};
      }
      default -> {
        int k = p.classNames().indexOf(Tabular.canonical(raw));
        if (k < 0) {
          throw unseenLabel(raw);
        }
        float[] y = new float[p.classNames().size()];
        y[k] = 1f;
        return y;
      }
    }
  }

  private DataException unseenLabel(String raw) {
    return new DataException(
        "label column '" + (p.labelColumn() == null ? "label" : p.labelColumn()) + "': value \"" + raw
            + "\" was not seen in training (classes: " + String.join(", ", p.classNames())
            + "); expected one of those; check the label column or retrain with data that contains it");
  }

  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(p);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static FeaturePipelineModel fromJson(String json) {
    try {
      return new FeaturePipelineModel(JSON.readValue(json, Params.class));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeaturePipelineModel m && toJson().equals(m.toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

}
