package org.sparktrain.model;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.InputSpec;
import org.sparktrain.spec.SpecException;

/**
 * The shape of one example once known: declared in model.input, or measured from the data. A size
 * of 0 is not known yet (validate without data); shape checks that need it are skipped.
 *
 * @param kind features | image | sequence
 * @param features inputs per example (features) or per time step (sequence)
 * @param vocabulary token ids an embedding layer sees; 0: not known
 */
public record InputDims(String kind, int height, int width, int channels, int length, int features, int vocabulary) {

  /** What the job file alone says; IDX images are 28 x 28 x 1 unless declared otherwise. */
  public static InputDims declared(JobSpec spec) {
    InputSpec in = spec.model().input();
    boolean idx = "idx".equals(spec.data().format());
    int h = in.height() > 0 ? in.height() : idx ? 28 : 0;
    int w = in.width() > 0 ? in.width() : idx ? 28 : 0;
    int c = in.channels() > 0 ? in.channels() : idx ? 1 : 0;
    var text = spec.data().text();
    return new InputDims(spec.inputKind(), h, w, c, in.length(), text.enabled() && in.features() == 0 ? 1 : in.features(),
        text.enabled() ? text.vocabulary() + 2 : 0);
  }

  /**
   * The declared shape completed by the data: {@code numInputs} values per example (per time step
   * for sequences), and for images {@code height} x {@code width} when the data knows them (0 when
   * not).
   */
  public static InputDims fromData(JobSpec spec, int numInputs, int height, int width, int vocabulary) {
    InputDims d = declared(spec);
    if (d.features > 0 && numInputs > 0 && d.features != numInputs) {
      throw new SpecException("model.input.features", "declared " + d.features + ", but the data gives " + numInputs
          + " feature(s) per " + ("sequence".equals(d.kind) ? "time step" : "example")
          + " (after dropping and one-hot encoding columns); set it to " + numInputs + " or remove it");
    }
    return switch (d.kind) {
      case "image" -> {
        int h = spec.model().input().height() > 0 ? d.height : height > 0 ? height : d.height;
        int w = spec.model().input().width() > 0 ? d.width : width > 0 ? width : d.width;
        int c = d.channels > 0 ? d.channels : 1;
        yield new InputDims("image", h, w, c, 0, numInputs, 0);
      }
      case "sequence" -> new InputDims("sequence", 0, 0, 0, d.length, numInputs, vocabulary > 0 ? vocabulary : d.vocabulary);
      default -> new InputDims("features", 0, 0, 0, 0, numInputs, 0);
    };
  }

  /** Whether every size the network needs is known. */
  public boolean complete() {
    return switch (kind) {
      case "image" -> height > 0 && width > 0 && channels > 0;
      case "sequence" -> length > 0 && features > 0;
      default -> features > 0;
    };
  }

  /** DL4J's input type; images arrive as flat rows of height x width x channels values. */
  public InputType inputType() {
    return switch (kind) {
      case "image" -> InputType.convolutionalFlat(height, width, channels);
      case "sequence" -> InputType.recurrent(features, length);
      default -> InputType.feedForward(features);
    };
  }

  public String describe() {
    return switch (kind) {
      case "image" -> "image " + height + " x " + width + " x " + channels;
      case "sequence" -> "sequence of " + length + " steps x " + features + " feature(s)";
      default -> features + " features";
    };
  }
}
