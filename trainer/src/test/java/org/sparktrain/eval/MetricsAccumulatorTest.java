package org.sparktrain.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsAccumulatorTest {
  private static float[] f(float... v) {
    return v;
  }

  @Test
  void binaryMetricsMatchHandCounts() {
    MetricsAccumulator a = new MetricsAccumulator("binary", 1);
    // scores and labels: TP at 0.9, 0.8; FN at 0.3; FP at 0.7; TN at 0.1, 0.2
    a.add(f(0.9f), f(1));
    a.add(f(0.8f), f(1));
    a.add(f(0.3f), f(1));
    a.add(f(0.7f), f(0));
    a.add(f(0.1f), f(0));
    a.add(f(0.2f), f(0));
    Map<String, Object> m = a.metrics();
    assertEquals(4.0 / 6, (double) m.get("accuracy"), 1e-12);
    assertEquals(2.0 / 3, (double) m.get("precision"), 1e-12);
    assertEquals(2.0 / 3, (double) m.get("recall"), 1e-12);
    assertEquals(2.0 / 3, (double) m.get("f1"), 1e-12);
    // pairs (pos, neg) ranked correctly: 0.9>all 3, 0.8>all 3, 0.3>0.1,0.2 -> 8 of 9
    assertEquals(8.0 / 9, (double) m.get("auc"), 1e-4);
    assertEquals(List.of(List.of(2L, 1L), List.of(1L, 2L)), m.get("confusion_matrix"));
  }

  @Test
  void mergeEqualsSinglePass() {
    MetricsAccumulator whole = new MetricsAccumulator("class_index", 3);
    MetricsAccumulator left = new MetricsAccumulator("class_index", 3);
    MetricsAccumulator right = new MetricsAccumulator("class_index", 3);
    float[][] outs = {f(0.7f, 0.2f, 0.1f), f(0.1f, 0.8f, 0.1f), f(0.2f, 0.2f, 0.6f), f(0.5f, 0.4f, 0.1f)};
    float[][] labels = {f(1, 0, 0), f(0, 1, 0), f(0, 1, 0), f(0, 0, 1)};
    for (int i = 0; i < outs.length; i++) {
      whole.add(outs[i], labels[i]);
      (i < 2 ? left : right).add(outs[i], labels[i]);
    }
    assertEquals(whole.metrics(), left.merge(right).metrics());
  }

  @Test
  void multiclassAccuracyAndMacroF1() {
    MetricsAccumulator a = new MetricsAccumulator("class_index", 3);
    a.add(f(0.7f, 0.2f, 0.1f), f(1, 0, 0)); // 0 -> 0
    a.add(f(0.1f, 0.8f, 0.1f), f(0, 1, 0)); // 1 -> 1
    a.add(f(0.2f, 0.2f, 0.6f), f(0, 1, 0)); // 1 -> 2
    a.add(f(0.5f, 0.4f, 0.1f), f(0, 0, 1)); // 2 -> 0
    Map<String, Object> m = a.metrics();
    assertEquals(0.5, (double) m.get("accuracy"), 1e-12);
    // class 0: p=1/2 r=1 f1=2/3; class 1: p=1 r=1/2 f1=2/3; class 2: p=0 r=0 f1=0
    assertEquals((2.0 / 3 + 2.0 / 3 + 0) / 3, (double) m.get("macro_f1"), 1e-12);
  }

  @Test
  void regressionMetrics() {
    MetricsAccumulator a = new MetricsAccumulator("numeric", 1);
    double[] y = {1, 2, 3, 4};
    double[] p = {1.5, 2, 2, 4};
    for (int i = 0; i < y.length; i++) {
      a.add(f((float) p[i]), f((float) y[i]));
    }
    a.addLoss(0.3125, 4);
    Map<String, Object> m = a.metrics();
    assertEquals((0.25 + 0 + 1 + 0) / 4, (double) m.get("mse"), 1e-9);
    assertEquals((0.5 + 0 + 1 + 0) / 4, (double) m.get("mae"), 1e-9);
    // SST = sum (y - 2.5)^2 = 5
    assertEquals(1 - 1.25 / 5, (double) m.get("r2"), 1e-9);
    assertEquals(0.3125, (double) m.get("loss"), 1e-12);
  }

  @Test
  void rocCurveRunsFromOriginToOneOneThroughTheHandCountedPoints() {
    MetricsAccumulator a = new MetricsAccumulator("binary", 1);
    a.add(f(0.9f), f(1));
    a.add(f(0.8f), f(1));
    a.add(f(0.3f), f(1));
    a.add(f(0.7f), f(0));
    a.add(f(0.1f), f(0));
    a.add(f(0.2f), f(0));
    @SuppressWarnings("unchecked")
    List<List<Double>> roc = (List<List<Double>>) a.metrics().get("roc");
    assertEquals(List.of(0.0, 0.0), roc.get(0));
    assertEquals(List.of(1.0, 1.0), roc.get(roc.size() - 1));
    // thresholds 0.9, 0.8, 0.7, 0.3, 0.2, 0.1
    assertEquals(
        List.of(
            List.of(0.0, 0.0), List.of(0.0, 1.0 / 3), List.of(0.0, 2.0 / 3), List.of(1.0 / 3, 2.0 / 3),
            List.of(1.0 / 3, 1.0), List.of(2.0 / 3, 1.0), List.of(1.0, 1.0)),
        roc);
  }

  @Test
  void rocCurveIsBoundedInSize() {
    MetricsAccumulator a = new MetricsAccumulator("binary", 1);
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < 100_000; i++) {
      a.add(f(r.nextFloat()), f(r.nextBoolean() ? 1 : 0));
    }
    @SuppressWarnings("unchecked")
    List<List<Double>> roc = (List<List<Double>>) a.metrics().get("roc");
    assertTrue(roc.size() > 50 && roc.size() <= MetricsAccumulator.ROC_POINTS + 2, "points: " + roc.size());
  }

  @Test
  void regressionSampleIsBoundedUniformAndMergeable() {
    MetricsAccumulator left = new MetricsAccumulator("numeric", 1);
    MetricsAccumulator right = new MetricsAccumulator("numeric", 1);
    for (int i = 0; i < 8_000; i++) {
      left.add(f(i + 0.5f), f(i));
    }
    for (int i = 0; i < 2_000; i++) {
      right.add(f(-1), f(-1000 - i));
    }
    @SuppressWarnings("unchecked")
    List<List<Double>> sample = (List<List<Double>>) left.merge(right).metrics().get("predicted_vs_actual");
    assertEquals(MetricsAccumulator.SAMPLE_SIZE, sample.size());
    long fromRight = sample.stream().filter(p -> p.get(0) <= -1000).count();
    // 20% of the rows came from the right side; so should about 20% of the sample
    assertTrue(fromRight > 0.15 * sample.size() && fromRight < 0.25 * sample.size(), "from right: " + fromRight);
    for (List<Double> p : sample) {
      if (p.get(0) >= 0) {
        assertEquals(p.get(0) + 0.5, p.get(1), 1e-9, "pairs stay together");
      }
    }
  }
}
