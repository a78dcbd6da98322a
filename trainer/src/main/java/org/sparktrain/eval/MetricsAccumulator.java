package org.sparktrain.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sufficient statistics for a task's metrics, filled from minibatch outputs inside partitions and
 * merged on the driver. Only these small counters ever leave an executor.
 */
public final class MetricsAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Score histogram resolution for binary AUC; the error it introduces is below 1e-4. */
  static final int AUC_BINS = 10_000;

  /** At most this many (actual, predicted) pairs of a regression reach the driver. */
  static final int SAMPLE_SIZE = 5_000;

  /** At most this many points of the ROC curve are reported. */
  static final int ROC_POINTS = 200;

  private final String kind; // binary | class_index | numeric | multi_label | reconstruct
  private final int classes;
  private long count;
  private double lossSum;
  // classification
  private final long[][] confusion; // [actual][predicted]
  private final long[] positiveScores;
  private final long[] negativeScores;
  // regression (on the label's original scale)
  private double sumSquaredError;
  private double sumAbsoluteError;
  private double sumY;
  private double sumYSquared;
  // reconstruct: squared error summed over every output of every example
  private long elements;
  // multi_label: one binary task per output
  private final MultiLabelCounts multiLabel;
  // a uniform sample of (actual, predicted): the pairs with the smallest random keys (bottom-k),
  // so that merging two samples is taking the smallest keys of both
  private double[] sampleKeys = new double[0];
  private double[][] samplePairs = new double[0][];
  private transient java.util.SplittableRandom random;

  public MetricsAccumulator(String kind, int outputs) {
    this.kind = kind;
    this.classes = "binary".equals(kind) ? 2 : outputs;
    this.multiLabel = "multi_label".equals(kind) ? new MultiLabelCounts(outputs) : null;
    boolean classification = !"numeric".equals(kind) && !"reconstruct".equals(kind) && !"multi_label".equals(kind);
    this.confusion = classification ? new long[classes][classes] : new long[0][0];
    this.positiveScores = "binary".equals(kind) ? new long[AUC_BINS + 1] : new long[0];
    this.negativeScores = "binary".equals(kind) ? new long[AUC_BINS + 1] : new long[0];
  }

  /** Adds a minibatch's mean loss, weighted by its size. */
  public void addLoss(double meanLoss, int examples) {
    lossSum += meanLoss * examples;
  }

  /**
   * Adds one example: {@code output} and {@code label} are the network's output row and label row;
   * for regression they are already on the label's original scale.
   */
  public void add(float[] output, float[] label) {
    count++;
    switch (kind) {
      case "binary" -> {
        int actual = label[0] >= 0.5f ? 1 : 0;
        double p = output[0];
        confusion[actual][p >= 0.5 ? 1 : 0]++;
        int bin = (int) Math.round(Math.max(0, Math.min(1, p)) * AUC_BINS);
        (actual == 1 ? positiveScores : negativeScores)[bin]++;
      }
      case "multi_label" -> multiLabel.add(output, label);
      case "reconstruct" -> {
        for (int i = 0; i < label.length; i++) {
          double e = output[i] - label[i];
          sumSquaredError += e * e;
        }
        elements += label.length;
      }
      case "numeric" -> {
        double y = label[0];
        double e = output[0] - y;
        sumSquaredError += e * e;
        sumAbsoluteError += Math.abs(e);
        sumY += y;
        sumYSquared += y * y;
        sample(y, output[0]);
      }
      default -> confusion[argmax(label)][argmax(output)]++;
    }
  }

  private void sample(double actual, double predicted) {
    if (random == null) {
      // seeded by the partition's first pair, so that partitions draw different keys
      random = new java.util.SplittableRandom(Double.hashCode(actual) * 31L + Double.hashCode(predicted));
    }
    offer(random.nextDouble(), actual, predicted);
  }

  /** Keeps the pair when its key is among the smallest; the arrays are a max-heap on the key. */
  private void offer(double key, double actual, double predicted) {
    int n = sampleKeys.length;
    if (n < SAMPLE_SIZE) {
      sampleKeys = java.util.Arrays.copyOf(sampleKeys, n + 1);
      samplePairs = java.util.Arrays.copyOf(samplePairs, n + 1);
      int i = n;
      while (i > 0 && sampleKeys[(i - 1) / 2] < key) {
        sampleKeys[i] = sampleKeys[(i - 1) / 2];
        samplePairs[i] = samplePairs[(i - 1) / 2];
        i = (i - 1) / 2;
      }
      sampleKeys[i] = key;
      samplePairs[i] = new double[] {actual, predicted};
      return;
    }
    if (key >= sampleKeys[0]) {
      return;
    }
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && sampleKeys[child + 1] > sampleKeys[child]) {
        child++;
      }
      if (sampleKeys[child] <= key) {
        break;
      }
      sampleKeys[i] = sampleKeys[child];
      samplePairs[i] = samplePairs[child];
      i = child;
    }
    sampleKeys[i] = key;
    samplePairs[i] = new double[] {actual, predicted};
  }

  private void mergeSample(MetricsAccumulator other) {
    for (int i = 0; i < other.sampleKeys.length; i++) {
      offer(other.sampleKeys[i], other.samplePairs[i][0], other.samplePairs[i][1]);
    }
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Combines two partial results (the reduce step). */
  public MetricsAccumulator merge(MetricsAccumulator other) {
    count += other.count;
    lossSum += other.lossSum;
    for (int i = 0; i < confusion.length; i++) {
      for (int j = 0; j < confusion[i].length; j++) {
        confusion[i][j] += other.confusion[i][j];
      }
    }
    for (int i = 0; i < positiveScores.length; i++) {
      positiveScores[i] += other.positiveScores[i];
      negativeScores[i] += other.negativeScores[i];
    }
    sumSquaredError += other.sumSquaredError;
    sumAbsoluteError += other.sumAbsoluteError;
    sumY += other.sumY;
    sumYSquared += other.sumYSquared;
    elements += other.elements;
    if (multiLabel != null) {
      multiLabel.merge(other.multiLabel);
    }
    mergeSample(other);
    return this;
  }

  /** The metrics that are curves or samples for charts rather than numbers to read. */
  public static final List<String> CHART_DATA = List.of("roc", "predicted_vs_actual");

  /** {@code metrics} without {@link #CHART_DATA}, for the console. */
  public static Map<String, Object> withoutChartData(Map<String, Object> metrics) {
    Map<String, Object> m = new LinkedHashMap<>(metrics);
    m.keySet().removeAll(CHART_DATA);
    return m;
  }

  public long count() {
    return count;
  }

  /** Metric name to value, in a stable order; {@code loss} first. */
  public Map<String, Object> metrics() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loss", count == 0 ? Double.NaN : lossSum / count);
    switch (kind) {
      case "binary" -> binary(m);
      case "numeric" -> regression(m);
      case "multi_label" -> multiLabel.metrics(m);
      // Mean squared error per feature on the scaled features, the autoencoder's usual measure.
      case "reconstruct" -> m.put("mse", elements == 0 ? Double.NaN : sumSquaredError / elements);
      default -> multiclass(m);
    }
    m.put("examples", count);
    return m;
  }

  private void binary(Map<String, Object> m) {
    long tn = confusion[0][0], fp = confusion[0][1], fn = confusion[1][0], tp = confusion[1][1];
    double precision = ratio(tp, tp + fp);
    double recall = ratio(tp, tp + fn);
    m.put("accuracy", ratio(tp + tn, count));
    m.put("precision", precision);
    m.put("recall", recall);
    m.put("f1", f1(precision, recall));
    m.put("auc", auc());
    m.put("confusion_matrix", matrix());
    m.put("roc", roc());
  }

  private void multiclass(Map<String, Object> m) {
    long correct = 0;
    double f1Sum = 0;
    for (int c = 0; c < classes; c++) {
      correct += confusion[c][c];
      long predicted = 0, actual = 0;
      for (int o = 0; o < classes; o++) {
        predicted += confusion[o][c];
        actual += confusion[c][o];
      }
      f1Sum += f1(ratio(confusion[c][c], predicted), ratio(confusion[c][c], actual));
    }
    m.put("accuracy", ratio(correct, count));
    m.put("macro_f1", classes == 0 ? 0.0 : f1Sum / classes);
    m.put("confusion_matrix", matrix());
  }

  private void regression(Map<String, Object> m) {
    double mse = count == 0 ? Double.NaN : sumSquaredError / count;
    double total = sumYSquared - sumY * sumY / Math.max(1, count);
    m.put("mse", mse);
    m.put("mae", count == 0 ? Double.NaN : sumAbsoluteError / count);
    m.put("r2", total <= 0 ? Double.NaN : 1.0 - sumSquaredError / total);
    List<List<Double>> pairs = new ArrayList<>();
    for (double[] p : samplePairs) {
      pairs.add(List.of(p[0], p[1]));
    }
    m.put("predicted_vs_actual", pairs);
  }

  /** Area under the ROC curve from the score histograms (ties count one half). */
  double auc() {
    long positives = 0, negatives = 0;
    for (int i = 0; i <= AUC_BINS; i++) {
      positives += positiveScores[i];
      negatives += negativeScores[i];
    }
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    double area = 0;
    long negativesBelow = 0;
    for (int i = 0; i <= AUC_BINS; i++) {
      area += positiveScores[i] * (negativesBelow + 0.5 * negativeScores[i]);
      negativesBelow += negativeScores[i];
    }
    return area / ((double) positives * negatives);
  }

  /**
   * Points (false positive rate, true positive rate) of the ROC curve from the score histograms,
   * the threshold falling from above 1 to 0; at most about {@link #ROC_POINTS}, always with (0, 0)
   * and (1, 1). Empty when one class has no examples.
   */
  List<List<Double>> roc() {
    long positives = 0, negatives = 0;
    for (int i = 0; i <= AUC_BINS; i++) {
      positives += positiveScores[i];
      negatives += negativeScores[i];
    }
    List<List<Double>> points = new ArrayList<>();
    if (positives == 0 || negatives == 0) {
      return points;
    }
    points.add(List.of(0.0, 0.0));
    long tp = 0, fp = 0;
    double lastX = 0, lastY = 0;
    double step = 1.0 / ROC_POINTS;
    for (int i = AUC_BINS; i >= 0; i--) {
      tp += positiveScores[i];
      fp += negativeScores[i];
      double x = (double) fp / negatives;
      double y = (double) tp / positives;
      // the curve is 2 long in x + y: steps of 2 / ROC_POINTS bound the number of points
      boolean last = i == 0 && (x != lastX || y != lastY);
      if (last || (x - lastX) + (y - lastY) >= 2 * step) {
        points.add(List.of(x, y));
        lastX = x;
        lastY = y;
      }
    }
    return points;
  }

  private List<List<Long>> matrix() {
    List<List<Long>> rows = new ArrayList<>();
    for (long[] row : confusion) {
      List<Long> r = new ArrayList<>();
      for (long v : row) {
        r.add(v);
      }
      rows.add(r);
    }
    return rows;
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0.0 : (double) a / b;
  }

  private static double f1(double precision, double recall) {
    return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
  }
}
