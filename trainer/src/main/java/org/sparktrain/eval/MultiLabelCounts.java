package org.sparktrain.eval;

import java.io.Serializable;
import java.util.Map;

/**
 * Counters for multi-label outputs: a 2x2 confusion matrix and score histograms (for AUC) per
 * label, and how many examples had every label right. Small and mergeable, like the rest of the
 * metrics.
 */
final class MultiLabelCounts implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Histogram resolution per label; the AUC error it introduces is below 1e-3. */
  static final int BINS = 1000;

  private final int labels;
  private final long[][] counts; // [label][tn, fp, fn, tp]
  private final long[][] positiveScores;
  private final long[][] negativeScores;
  private long examples;
  private long allRight;

  MultiLabelCounts(int labels) {
    this.labels = labels;
    this.counts = new long[labels][4];
    this.positiveScores = new long[labels][BINS + 1];
    this.negativeScores = new long[labels][BINS + 1];
  }

  void add(float[] output, float[] label) {
    examples++;
    boolean right = true;
    for (int j = 0; j < labels; j++) {
      int actual = label[j] >= 0.5f ? 1 : 0;
      int predicted = output[j] >= 0.5f ? 1 : 0;
      counts[j][actual * 2 + predicted]++;
      right &= actual == predicted;
      int bin = (int) Math.round(Math.max(0.0, Math.min(1.0, (double) output[j])) * BINS);
      (actual == 1 ? positiveScores : negativeScores)[j][bin]++;
    }
    if (right) {
      allRight++;
    }
  }

  void merge(MultiLabelCounts other) {
    examples += other.examples;
    allRight += other.allRight;
    for (int j = 0; j < labels; j++) {
      for (int k = 0; k < 4; k++) {
        counts[j][k] += other.counts[j][k];
      }
      for (int b = 0; b <= BINS; b++) {
        positiveScores[j][b] += other.positiveScores[j][b];
        negativeScores[j][b] += other.negativeScores[j][b];
      }
    }
  }

  /**
   * accuracy (over every label of every example), subset_accuracy (every label right), micro and
   * macro F1, macro AUC, and per label {@code accuracy_<i>}, {@code f1_<i>}, {@code auc_<i>} and
   * {@code positive_rate_<i>} (the share of positives, against which accuracy is judged).
   */
  void metrics(Map<String, Object> m) {
    long tp = 0, fp = 0, fn = 0, correct = 0;
    double f1Sum = 0, aucSum = 0;
    int aucCount = 0;
    Map<String, Object> perLabel = new java.util.LinkedHashMap<>();
    for (int j = 0; j < labels; j++) {
      long[] c = counts[j];
      tp += c[3];
      fp += c[1];
      fn += c[2];
      correct += c[0] + c[3];
      double f1 = f1(c[3], c[1], c[2]);
      f1Sum += f1;
      double auc = auc(positiveScores[j], negativeScores[j]);
      if (!Double.isNaN(auc)) {
        aucSum += auc;
        aucCount++;
      }
      perLabel.put("accuracy_" + j, ratio(c[0] + c[3], examples));
      perLabel.put("f1_" + j, f1);
      perLabel.put("auc_" + j, auc);
      perLabel.put("positive_rate_" + j, ratio(c[2] + c[3], examples));
    }
    m.put("accuracy", ratio(correct, examples * labels));
    m.put("subset_accuracy", ratio(allRight, examples));
    m.put("micro_f1", f1(tp, fp, fn));
    m.put("macro_f1", labels == 0 ? 0.0 : f1Sum / labels);
    m.put("macro_auc", aucCount == 0 ? Double.NaN : aucSum / aucCount);
    m.putAll(perLabel);
  }

  private static double f1(long tp, long fp, long fn) {
    return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0.0 : (double) a / b;
  }

  private static double auc(long[] pos, long[] neg) {
    long positives = 0, negatives = 0;
    for (int i = 0; i <= BINS; i++) {
      positives += pos[i];
      negatives += neg[i];
    }
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    double area = 0;
    long below = 0;
    for (int i = 0; i <= BINS; i++) {
      area += pos[i] * (below + 0.5 * neg[i]);
      below += neg[i];
    }
    return area / ((double) positives * negatives);
  }
}
