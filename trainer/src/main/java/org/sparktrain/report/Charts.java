package org.sparktrain.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's charts, drawn with JFreeChart; callers set {@code java.awt.headless} first. */
final class Charts {
  static final int WIDTH = 800;
  static final int HEIGHT = 450;

  /** Cells show their counts up to this many classes; beyond it they are too small. */
  private static final int MAX_ANNOTATED_CLASSES = 30;

  private static final Color LOW = new Color(0xF7FBFF);
  private static final Color HIGH = new Color(0x08306B);

  private Charts() {}

  /** A chart and the pixel size it is drawn at. */
  record Drawing(JFreeChart chart, int width, int height) {
    byte[] png() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        ChartUtils.writeChartAsPNG(bytes, chart, width, height);
      } catch (IOException e) {
        throw new UncheckedIOException("drawing chart '" + chart.getTitle().getText() + "'", e);
      }
      return bytes.toByteArray();
    }
  }

  /** train_loss and val_loss per epoch, or null when no epoch has either. */
  static Drawing loss(List<Map<String, Object>> epochs) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (String key : List.of("train_loss", "val_loss")) {
      XYSeries series = series(key, epochs);
      if (!series.isEmpty()) {
        data.addSeries(series);
      }
    }
    if (data.getSeriesCount() == 0) {
      return null;
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "Loss per epoch", "epoch", "loss", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setDomainAxis(epochAxis());
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    plot.setRenderer(lineRenderer());
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return new Drawing(chart, WIDTH, HEIGHT);
  }

  /**
   * One panel per metric, sharing the epoch axis: metrics of different scales (mse and r2, say)
   * each get their own range axis. Null when no epoch has any of them.
   */
  static Drawing metrics(List<Map<String, Object>> epochs, List<String> keys) {
    CombinedDomainXYPlot combined = new CombinedDomainXYPlot(epochAxis());
    combined.setGap(12);
    int panels = 0;
    for (String key : keys) {
      XYSeries series = series(key, epochs);
      if (series.isEmpty()) {
        continue;
      }
      NumberAxis range = new NumberAxis(key);
      range.setAutoRangeIncludesZero(false);
      XYPlot panel = new XYPlot(new XYSeriesCollection(series), null, range, lineRenderer());
      panel.setBackgroundPaint(Color.WHITE);
      panel.setDomainGridlinePaint(Color.LIGHT_GRAY);
      panel.setRangeGridlinePaint(Color.LIGHT_GRAY);
      combined.add(panel);
      panels++;
    }
    if (panels == 0) {
      return null;
    }
    JFreeChart chart =
        new JFreeChart(
            "Validation metrics per epoch", JFreeChart.DEFAULT_TITLE_FONT, combined, false);
    chart.setBackgroundPaint(Color.WHITE);
    return new Drawing(chart, WIDTH, Math.max(HEIGHT, 90 + 150 * panels));
  }

  /**
   * A heat map of {@code matrix} (rows: actual class, columns: predicted class). A cell's colour is
   * its share of the actual class's examples, so rare classes are as readable as common ones; its
   * label is the count.
   */
  static Drawing confusion(long[][] matrix, String title) {
    int n = matrix.length;
    double[][] cells = new double[3][n * n];
    for (int actual = 0; actual < n; actual++) {
      long rowTotal = 0;
      for (long count : matrix[actual]) {
        rowTotal += count;
      }
      for (int predicted = 0; predicted < n; predicted++) {
        int i = actual * n + predicted;
        cells[0][i] = predicted;
        cells[1][i] = actual;
        cells[2][i] = rowTotal == 0 ? 0 : (double) matrix[actual][predicted] / rowTotal;
      }
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("share of actual class", cells);

    NumberAxis predictedAxis = classAxis("predicted class", n);
    NumberAxis actualAxis = classAxis("actual class", n);
    actualAxis.setInverted(true);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(new BluesScale());
    XYPlot plot = new XYPlot(data, predictedAxis, actualAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    if (n <= MAX_ANNOTATED_CLASSES) {
      Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(16, 240 / n)));
      for (int i = 0; i < n * n; i++) {
        int actual = i / n;
        int predicted = i % n;
        XYTextAnnotation label =
            new XYTextAnnotation(Long.toString(matrix[actual][predicted]), predicted, actual);
        label.setFont(font);
        label.setPaint(cells[2][i] > 0.5 ? Color.WHITE : Color.BLACK);
        plot.addAnnotation(label);
      }
    }
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    chart.addSubtitle(
        new TextTitle("colour: share of the actual class's examples; numbers: counts"));
    chart.setBackgroundPaint(Color.WHITE);
    int side = Math.max(480, Math.min(1200, 140 + 56 * n));
    return new Drawing(chart, side + 60, side);
  }

  /**
   * The ROC curve from {@code points} (false positive rate, true positive rate) with the chance
   * diagonal; null when there are fewer than two points.
   */
  static Drawing roc(List<List<Double>> points, String title, double auc) {
    if (points.size() < 2) {
      return null;
    }
    XYSeries curve = new XYSeries(Double.isFinite(auc) ? String.format("ROC (AUC %.3f)", auc) : "ROC", false);
    for (List<Double> p : points) {
      curve.add(p.get(0), p.get(1));
    }
    XYSeries chance = new XYSeries("chance", false);
    chance.add(0, 0);
    chance.add(1, 1);
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(curve);
    data.addSeries(chance);
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, "false positive rate", "true positive rate", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    renderer.setSeriesPaint(0, new Color(0x1F77B4));
    renderer.setSeriesStroke(0, new BasicStroke(2.5f));
    renderer.setSeriesPaint(1, Color.GRAY);
    renderer.setSeriesStroke(
        1, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 6f}, 0f));
    plot.setRenderer(renderer);
    ((NumberAxis) plot.getDomainAxis()).setRange(0, 1);
    ((NumberAxis) plot.getRangeAxis()).setRange(0, 1.02);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return new Drawing(chart, 560, 560);
  }

  /**
   * Predicted against actual values of a sample of {@code pairs} (actual, predicted), with the
   * line of perfect predictions; null when there are none.
   */
  static Drawing predictedVsActual(List<List<Double>> pairs, String title, String subtitle) {
    if (pairs.isEmpty()) {
      return null;
    }
    XYSeries points = new XYSeries("examples", false);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (List<Double> p : pairs) {
      double actual = p.get(0);
      double predicted = p.get(1);
      if (Double.isFinite(actual) && Double.isFinite(predicted)) {
        points.add(actual, predicted);
        lo = Math.min(lo, Math.min(actual, predicted));
        hi = Math.max(hi, Math.max(actual, predicted));
      }
    }
    if (points.isEmpty()) {
      return null;
    }
    XYSeries perfect = new XYSeries("predicted = actual", false);
    perfect.add(lo, lo);
    perfect.add(hi, hi);
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(points);
    data.addSeries(perfect);
    JFreeChart chart =
        ChartFactory.createScatterPlot(
            title, "actual", "predicted", data, PlotOrientation.VERTICAL, true, false, false);
    chart.addSubtitle(new TextTitle(subtitle));
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    renderer.setSeriesLinesVisible(0, false);
    renderer.setSeriesShapesVisible(0, true);
    renderer.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
    renderer.setSeriesPaint(0, new Color(31, 119, 180, 140));
    renderer.setSeriesLinesVisible(1, true);
    renderer.setSeriesShapesVisible(1, false);
    renderer.setSeriesPaint(1, new Color(0xD62728));
    renderer.setSeriesStroke(1, new BasicStroke(1.5f));
    plot.setRenderer(renderer);
    ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return new Drawing(chart, 640, 600);
  }

  private static XYSeries series(String key, List<Map<String, Object>> epochs) {
    XYSeries series = new XYSeries(key);
    for (int i = 0; i < epochs.size(); i++) {
      Map<String, Object> line = epochs.get(i);
      if (line.get(key) instanceof Number value && Double.isFinite(value.doubleValue())) {
        double epoch = line.get("epoch") instanceof Number e ? e.doubleValue() : i + 1;
        series.add(epoch, value.doubleValue());
      }
    }
    return series;
  }

  private static NumberAxis epochAxis() {
    NumberAxis axis = new NumberAxis("epoch");
    axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    axis.setAutoRangeIncludesZero(false);
    return axis;
  }

  private static NumberAxis classAxis(String label, int classes) {
    NumberAxis axis = new NumberAxis(label);
    axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    axis.setLowerMargin(0);
    axis.setUpperMargin(0);
    axis.setRange(-0.5, classes - 0.5);
    return axis;
  }

  private static XYLineAndShapeRenderer lineRenderer() {
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    renderer.setDefaultStroke(new BasicStroke(2f));
    renderer.setAutoPopulateSeriesStroke(false);
    renderer.setSeriesPaint(0, new Color(0x1F77B4));
    renderer.setSeriesPaint(1, new Color(0xFF7F0E));
    return renderer;
  }

  /** White to dark blue over [0, 1]. */
  private static final class BluesScale implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 1;
    }

    @Override
    public Paint getPaint(double value) {
      double t = Double.isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
      return new Color(
          mix(LOW.getRed(), HIGH.getRed(), t),
          mix(LOW.getGreen(), HIGH.getGreen(), t),
          mix(LOW.getBlue(), HIGH.getBlue(), t));
    }

    private static int mix(int from, int to, double t) {
      return (int) Math.round(from + (to - from) * t);
    }
  }
}
