package org.sparktrain.model;

import java.util.ArrayList;
import java.util.List;
import org.sparktrain.spec.JobSpec.LayerSpec;
import org.sparktrain.spec.Violation;

/**
 * Follows the shape of one example through the layers before DL4J sees them, so that a kernel
 * larger than its input, pooling down to nothing, or a sequence fed to a dense layer is reported
 * at the layer a user would change, with the sizes involved.
 */
public final class Shapes {
  private Shapes() {}

  /** An example's shape between layers: features (n), image (h, w, c) or sequence (t, f); 0: unknown. */
  record Shape(String kind, int h, int w, int c, int t, int f) {
    static Shape features(int n) {
      return new Shape("features", 0, 0, 0, 0, n);
    }

    static Shape image(int h, int w, int c) {
      return new Shape("image", h, w, c, 0, 0);
    }

    static Shape sequence(int t, int f) {
      return new Shape("sequence", 0, 0, 0, t, f);
    }

    @Override
    public String toString() {
      return switch (kind) {
        case "image" -> n(h) + " x " + n(w) + " x " + n(c) + " (height x width x channels)";
        case "sequence" -> n(t) + " x " + n(f) + " (steps x features)";
        default -> n(f) + " features";
      };
    }

    private static String n(int v) {
      return v > 0 ? Integer.toString(v) : "?";
    }
  }

  /** The shape after each layer, and the violations found; shapes after a violation are not shown. */
  public record Result(List<String> shapes, List<Violation> violations) {}

  public static Result check(List<LayerSpec> layers, InputDims in) {
    Shape s = switch (in.kind()) {
      case "image" -> Shape.image(in.height(), in.width(), in.channels());
      case "sequence" -> Shape.sequence(in.length(), in.features());
      default -> Shape.features(in.features());
    };
    List<String> shapes = new ArrayList<>();
    List<Violation> v = new ArrayList<>();
    for (int i = 0; i < layers.size() && s != null; i++) {
      s = next(layers.get(i), s, "model.layers[" + i + "]", in, v);
      if (s != null) {
        shapes.add(s.toString());
      }
    }
    return new Result(shapes, v);
  }

  private static Shape next(LayerSpec l, Shape s, String at, InputDims in, List<Violation> v) {
    String type = l.type();
    switch (type) {
      case "dense", "output" -> {
        if (s.kind().equals("sequence")) {
          return bad(v, at + ".type", type + " layer gets a sequence (" + s + "); expected a vector; put {type: global_pool} or an lstm with return_sequences: false before it");
        }
        return Shape.features(l.units());
      }
      case "dropout", "batch_norm" -> {
        if (type.equals("batch_norm") && s.kind().equals("sequence")) {
          return bad(v, at + ".type", "batch_norm works on vectors and images, not on a sequence (" + s + "); move it after the global_pool or lstm that ends the sequence");
        }
        return s;
      }
      case "conv2d", "pool2d" -> {
        if (!s.kind().equals("image")) {
          return bad(v, at + ".type", type + " needs an image (model.input.kind: image), got " + s + (s.kind().equals("sequence") ? "; use conv1d/pool1d on sequences" : ""));
        }
        int h = out(s.h(), l, at, "height", s, v);
        int w = h < 0 ? -1 : out(s.w(), l, at, "width", s, v);
        if (h < 0 || w < 0) {
          return null;
        }
        return Shape.image(h, w, type.equals("conv2d") ? l.filters() : s.c());
      }
      case "conv1d", "pool1d" -> {
        if (!s.kind().equals("sequence")) {
          return bad(v, at + ".type", type + " needs a sequence (model.input.kind: sequence, or an lstm with return_sequences: true before it), got " + s);
        }
        int t = out(s.t(), l, at, "length", s, v);
        return t < 0 ? null : Shape.sequence(t, type.equals("conv1d") ? l.filters() : s.f());
      }
      case "global_pool" -> {
        return switch (s.kind()) {
          case "image" -> Shape.features(s.c());
          case "sequence" -> Shape.features(s.f());
          default -> bad(v, at + ".type", "global_pool pools an image or a sequence, but it gets a vector (" + s + "); remove it");
        };
      }
      case "lstm" -> {
        if (!s.kind().equals("sequence")) {
          return bad(v, at + ".type", "lstm needs a sequence, got " + s + "; a previous lstm must have return_sequences: true");
        }
        int units = l.units() * (l.bidirectional() ? 2 : 1);
        return l.returnSequences() ? Shape.sequence(s.t(), units) : Shape.features(units);
      }
      case "embedding" -> {
        if (!s.kind().equals("sequence") || (s.f() > 1)) {
          return bad(v, at + ".type", "embedding needs a sequence of token ids (1 value per step), got " + s);
        }
        int vocabulary = l.vocabulary() > 0 ? l.vocabulary() : in.vocabulary();
        if (vocabulary == 0 && s.f() > 0) {
          return bad(v, at + ".vocabulary", "unknown: set it to the number of token ids");
        }
        return Shape.sequence(s.t(), l.units());
      }
      default -> throw new IllegalArgumentException("unknown layer type " + type);
    }
  }

  /** Output size along one axis, or -1 after adding a violation; unknown stays unknown (0). */
  private static int out(int size, LayerSpec l, String at, String axis, Shape s, List<Violation> v) {
    if (size <= 0) {
      return 0;
    }
    int k = l.kernel();
    int stride = l.stride();
    if ("same".equals(l.padding())) {
      return (size + stride - 1) / stride;
    }
    if (k > size) {
      String what = l.type().startsWith("pool") ? "pooling window" : "kernel";
      v.add(new Violation(at + ".kernel", what + " " + k + " is larger than the input " + axis + " " + size + " (input " + s
          + "); use a kernel of at most " + size + ", padding: same, or fewer pooling layers before it"));
      return -1;
    }
    return (size - k) / stride + 1;
  }

  private static Shape bad(List<Violation> v, String path, String message) {
    v.add(new Violation(path, message));
    return null;
  }
}
