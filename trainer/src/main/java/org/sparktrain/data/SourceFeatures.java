package org.sparktrain.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Transfer learning reuses the source model's fitted features, so that each input means to the new
 * run exactly what it meant to the source network; the job's own feature declaration must name the
 * same columns.
 */
final class SourceFeatures {
  private SourceFeatures() {}

  static FeaturePipelineModel adopt(FeaturePipelineModel fitted, FeaturePipelineModel source) {
    if (source == null) {
      return fitted;
    }
    FeaturePipelineModel.Params a = source.params();
    FeaturePipelineModel.Params b = fitted.params();
    List<String> problems = new ArrayList<>();
    if (!a.format().equals(b.format())) {
      problems.add("data.format is " + b.format() + ", the source model's is " + a.format());
    }
    if (!a.numericColumns().equals(b.numericColumns())) {
      problems.add("numeric columns are " + b.numericColumns() + ", the source model's are " + a.numericColumns());
    }
    if (!a.categoricalColumns().equals(b.categoricalColumns())) {
      problems.add("categorical columns are " + b.categoricalColumns() + ", the source model's are " + a.categoricalColumns());
    }
    if (a.center().length != b.center().length) {
      problems.add("the data has " + b.center().length + " numeric inputs, the source model " + a.center().length);
    }
    if (!problems.isEmpty()) {
      throw new DataException(
          "model.init_from: the job's features differ from the source model's: " + String.join("; ", problems)
              + "; set data.features (drop, categorical, numeric) as in the source model's job.yaml so that the"
              + " inputs mean the same");
    }
    return fitted.withFeaturesOf(source);
  }
}
