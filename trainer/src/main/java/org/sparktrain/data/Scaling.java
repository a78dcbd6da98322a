package org.sparktrain.data;

/** Centre and scale for one numeric column under a scaling mode; x' = (x - centre) / scale. */
final class Scaling {
  private Scaling() {}

  static double[] centerScale(String mode, double mean, double sd, double min, double max) {
    return switch (mode) {
      case "standardize" -> new double[] {mean, sd > 0 ? sd : 1.0};
      // A constant column maps to 0 rather than dividing by zero.
      case "minmax" -> new double[] {min, max > min ? max - min : 1.0};
      default -> new double[] {0.0, 1.0};
    };
  }
}
