package org.sparktrain.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metrics of multi-label outputs and of reconstructions, and that merging partial counts adds up. */
class MultiLabelAndReconstructMetricsTest {
  @Test
  void multiLabelCountsEachLabelAndAverages() {
    MetricsAccumulator a = new MetricsAccumulator("multi_label", 2);
    MetricsAccumulator b = new MetricsAccumulator("multi_label", 2);
    // label 0: right, right, wrong (fn), right; label 1: right, wrong (fp), right, right
    a.add(new float[] {0.9f, 0.1f}, new float[] {1, 0});
    a.add(new float[] {0.2f, 0.7f}, new float[] {0, 0});
    b.add(new float[] {0.3f, 0.8f}, new float[] {1, 1});
    b.add(new float[] {0.1f, 0.2f}, new float[] {0, 0});
    Map<String, Object> m = a.merge(b).metrics();
    assertEquals(0.75, (double) m.get("accuracy_0"), 1e-12);
    assertEquals(0.75, (double) m.get("accuracy_1"), 1e-12);
    assertEquals(0.75, (double) m.get("accuracy"), 1e-12);
    assertEquals(0.5, (double) m.get("subset_accuracy"), 1e-12);
    assertEquals(0.5, (double) m.get("positive_rate_0"), 1e-12);
    // label 0: tp 1, fn 1 -> f1 2/3; label 1: tp 1, fp 1 -> f1 2/3; micro: tp 2, fp 1, fn 1 -> 2/3
    assertEquals(2.0 / 3, (double) m.get("f1_0"), 1e-12);
    assertEquals(2.0 / 3, (double) m.get("macro_f1"), 1e-12);
    assertEquals(2.0 / 3, (double) m.get("micro_f1"), 1e-12);
    // label 0 scores: positives 0.9, 0.3; negatives 0.2, 0.1 -> every positive above every negative
    assertEquals(1.0, (double) m.get("auc_0"), 1e-12);
    // label 1: positive 0.8; negatives 0.1, 0.7, 0.2 -> 1.0
    assertEquals(1.0, (double) m.get("macro_auc"), 1e-12);
    assertEquals(4L, m.get("examples"));
  }

  @Test
  void reconstructionMseIsPerFeature() {
    MetricsAccumulator a = new MetricsAccumulator("reconstruct", 3);
    a.add(new float[] {0, 1, 0.5f}, new float[] {0, 0, 0.5f});
    MetricsAccumulator b = new MetricsAccumulator("reconstruct", 3);
    b.add(new float[] {1, 1, 1}, new float[] {1, 1, 0});
    assertEquals(2.0 / 6, (double) a.merge(b).metrics().get("mse"), 1e-12);
    assertEquals(0.25, Predictions.reconstructionError(new float[] {1, 0}, new float[] {0.5f, 0.5f}), 1e-12);
  }
}
