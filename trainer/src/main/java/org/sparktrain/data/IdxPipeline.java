package org.sparktrain.data;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.spec.JobSpec.DataSpec;

/** The feature pipeline for images: per-pixel scaling fitted with one tree aggregation. */
final class IdxPipeline {
  private IdxPipeline() {}

  static FeaturePipelineModel fit(JavaRDD<Idx.Image> train, DataSpec data) {
    Idx.Image first = train.first();
    int n = first.pixels().length;
    // [count, sum..., sumSq..., min..., max...]
    double[] zero = new double[1 + 4 * n];
    for (int j = 0; j < n; j++) {
      zero[1 + 2 * n + j] = Double.POSITIVE_INFINITY;
      zero[1 + 3 * n + j] = Double.NEGATIVE_INFINITY;
    }
    double[] s = train.treeAggregate(zero, (acc, im) -> {
      acc[0]++;
      float[] p = im.pixels();
      for (int j = 0; j < n; j++) {
        acc[1 + j] += p[j];
        acc[1 + n + j] += p[j] * (double) p[j];
        acc[1 + 2 * n + j] = Math.min(acc[1 + 2 * n + j], p[j]);
        acc[1 + 3 * n + j] = Math.max(acc[1 + 3 * n + j], p[j]);
      }
      return acc;
    }, (a, b) -> {
      a[0] += b[0];
      for (int j = 0; j < n; j++) {
        a[1 + j] += b[1 + j];
        a[1 + n + j] += b[1 + n + j];
        a[1 + 2 * n + j] = Math.min(a[1 + 2 * n + j], b[1 + 2 * n + j]);
        a[1 + 3 * n + j] = Math.max(a[1 + 3 * n + j], b[1 + 3 * n + j]);
      }
      return a;
    }, 2);
    double[] center = new double[n];
    double[] scale = new double[n];
    double lowest = Double.POSITIVE_INFINITY;
    double highest = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      lowest = Math.min(lowest, s[1 + 2 * n + j]);
      highest = Math.max(highest, s[1 + 3 * n + j]);
    }
    for (int j = 0; j < n; j++) {
      double mean = s[1 + j] / s[0];
      double sd = Math.sqrt(Math.max(0, s[1 + n + j] / s[0] - mean * mean));
      double lo = s[1 + 2 * n + j];
      double hi = s[1 + 3 * n + j];
      // A pixel blank in every training image (an edge) takes the range of all pixels under minmax,
      // so that a stroke there in a later image stays in [0, 1] instead of reaching 255.
      if ("minmax".equals(data.features().scaling()) && hi <= lo && highest > lowest) {
        lo = lowest;
        hi = highest;
      }
      double[] cs = Scaling.centerScale(data.features().scaling(), mean, sd, lo, hi);
      center[j] = cs[0];
      scale[j] = cs[1];
    }
    int k = data.label().classes() > 0 ? data.label().classes() : 10;
    List<String> classes = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      classes.add(Integer.toString(i));
    }
    return new FeaturePipelineModel(new FeaturePipelineModel.Params(
        "idx", List.of(), center, scale, List.of(), List.of(), null, LabelColumns.idxKind(data.label()), classes, true, 0, 1));
  }

  static JavaRDD<Example> examples(JavaRDD<Idx.Image> images, FeaturePipelineModel model) {
    return images.map(im -> {
      float[] x = pixels(im, model);
      return new Example(x, model.labels(new String[] {Integer.toString(im.label())}, x));
    });
  }

  /**
   * Training images shifted by up to {@code shift} pixels in x and y, inside the partitions; the
   * offset of an image follows from the seed and its index, so a run is repeatable.
   */
  static JavaRDD<Idx.Image> shifted(JavaRDD<Idx.Image> images, int shift, int width, long seed) {
    if (shift <= 0) {
      return images;
    }
    return images.map(im -> {
      java.util.SplittableRandom r = new java.util.SplittableRandom(seed * 31 + im.index());
      int dx = r.nextInt(2 * shift + 1) - shift;
      int dy = r.nextInt(2 * shift + 1) - shift;
      return new Idx.Image(im.index(), im.label(), shift(im.pixels(), width, dx, dy));
    });
  }

  static float[] shift(float[] p, int width, int dx, int dy) {
    int height = p.length / width;
    float[] out = new float[p.length];
    for (int y = 0; y < height; y++) {
      int sy = y - dy;
      if (sy < 0 || sy >= height) {
        continue;
      }
      for (int x = 0; x < width; x++) {
        int sx = x - dx;
        if (sx >= 0 && sx < width) {
          out[y * width + x] = p[sy * width + sx];
        }
      }
    }
    return out;
  }

  static JavaRDD<FeatureRow> examplesWithIndex(JavaRDD<Idx.Image> images, FeaturePipelineModel model) {
    return images.map(im -> new FeatureRow(new String[] {Long.toString(im.index())}, pixels(im, model)));
  }

  private static float[] pixels(Idx.Image im, FeaturePipelineModel model) {
    float[] p = im.pixels();
    if (p.length != model.params().center().length) {
      throw new DataException("image " + im.index() + " has " + p.length + " pixels; expected " + model.params().center().length + " (the size of the training images); use IDX files with the same image size");
    }
    double[] raw = new double[p.length];
    for (int j = 0; j < p.length; j++) {
      raw[j] = p[j];
    }
    return model.features(raw, new String[0]);
  }
}
