package org.sparktrain.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.sparktrain.spec.JobSpec.LabelSpec;

/** The label's encoding, fitted from the distinct training values. */
record LabelFit(List<String> classNames, boolean integerClasses, double center, double scale) {
  static LabelFit fit(LabelSpec spec, List<String> distinct, Supplier<double[]> meanStd) {
    switch (spec.kind()) {
      case "numeric" -> {
        if ("standardize".equals(spec.scaling())) {
          double[] ms = meanStd.get();
          return new LabelFit(List.of(), false, ms[0], ms[1] > 0 ? ms[1] : 1.0);
        }
        return new LabelFit(List.of(), false, 0.0, 1.0);
      }
      case "binary" -> {
        if (distinct.size() != 2) {
          throw new DataException("label column '" + spec.column() + "': binary labels need exactly 2 distinct values in the training split, found " + distinct.size() + " (" + preview(distinct) + "); use data.label.kind: class_index for more classes");
        }
        return new LabelFit(sortNumericAware(distinct), isIntegers(distinct), 0, 1);
      }
      default -> {
        if (isIntegers(distinct)) {
          int maxSeen = 0;
          for (String d : distinct) {
            int v = Integer.parseInt(d);
            if (v < 0) {
              throw new DataException("label column '" + spec.column() + "': class index " + v + " is negative; expected 0, 1, 2, ...");
            }
            maxSeen = Math.max(maxSeen, v);
          }
          int k = spec.classes() > 0 ? spec.classes() : maxSeen + 1;
          if (maxSeen >= k) {
            throw new DataException("label column '" + spec.column() + "': class index " + maxSeen + " is >= data.label.classes (" + k + "); raise data.label.classes");
          }
          List<String> names = new ArrayList<>();
          for (int i = 0; i < k; i++) {
            names.add(Integer.toString(i));
          }
          return new LabelFit(names, true, 0, 1);
        }
        return new LabelFit(distinct, false, 0, 1);
      }
    }
  }

  private static boolean isIntegers(List<String> values) {
    for (String v : values) {
      if (!v.matches("-?\\d{1,9}")) {
        return false;
      }
    }
    return !values.isEmpty();
  }

  private static List<String> sortNumericAware(List<String> values) {
    List<String> sorted = new ArrayList<>(values);
    if (isIntegers(values)) {
      sorted.sort((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
    }
    return sorted;
  }

  private static String preview(List<String> values) {
    return String.join(", ", values.subList(0, Math.min(5, values.size()))) + (values.size() > 5 ? ", ..." : "");
  }
}
