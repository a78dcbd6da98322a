package org.sparktrain.train;

import java.util.Map;

/** The console line for an epoch: epoch, losses, metrics, seconds, samples/s. */
final class EpochLine {
  private EpochLine() {}

  static String format(Map<String, Object> line, int epochs) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("epoch %d/%d", (Integer) line.get("epoch"), epochs));
    line.forEach(
        (k, v) -> {
          if (k.equals("train_loss") || k.startsWith("val_")) {
            sb.append(
                v instanceof Number n
                    ? String.format("  %s %.4f", k, n.doubleValue())
                    : String.format("  %s n/a", k));
          }
        });
    sb.append(String.format("  %.1f s", ((Number) line.get("epoch_seconds")).doubleValue()));
    sb.append(
        String.format("  %,.0f samples/s", ((Number) line.get("samples_per_second")).doubleValue()));
    return sb.toString();
  }

  static String metrics(Map<String, Object> metrics) {
    StringBuilder sb = new StringBuilder();
    metrics.forEach(
        (k, v) -> {
          if (v instanceof Double d) {
            sb.append(String.format("%s %.4f  ", k, d));
          }
        });
    return sb.toString().trim();
  }
}
