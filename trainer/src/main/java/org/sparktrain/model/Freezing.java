package org.sparktrain.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.sparktrain.spec.JobSpec.SourceSpec;

/**
 * Freezes layers by wrapping them in DL4J's FrozenLayerWithBackprop: their parameters get no
 * updates (and no regularisation) while errors still flow through them to earlier layers, so any
 * set of layers can be frozen, not only the first ones.
 */
public final class Freezing {
  private Freezing() {}

  /** Layer names as the job file refers to them: the layer's name, else layer0, layer1, ... */
  static List<String> names(MultiLayerNetwork net) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < net.getnLayers(); i++) {
      Layer l = net.getLayerWiseConfigurations().getConf(i).getLayer();
      if (l instanceof FrozenLayerWithBackprop f) {
        l = f.getUnderlying();
      }
      names.add(l.getLayerName() != null ? l.getLayerName() : "layer" + i);
    }
    return names;
  }

  /** The indices {@code source} freezes in {@code net}; exit-2 errors for impossible requests. */
  static Set<Integer> indices(MultiLayerNetwork net, SourceSpec source) {
    int n = net.getnLayers();
    List<String> names = names(net);
    Set<Integer> frozen = new TreeSet<>();
    if (source.freeze() > 0) {
      if (source.freeze() >= n) {
        throw new ModelException(
            "model.freeze: " + source.freeze() + " layers, but the network has " + n + " (" + String.join(", ", names)
                + "); freeze at most " + (n - 1) + " so that at least the output layer trains");
      }
      for (int i = 0; i < source.freeze(); i++) {
        frozen.add(i);
      }
    }
    for (String name : source.freezeLayers()) {
      int i = names.indexOf(name);
      if (i < 0) {
        throw new ModelException(
            "model.freeze_layers: no layer named '" + name + "'; the network's layers are " + String.join(", ", names)
                + " (unnamed layers are layer0, layer1, ...); name one of those");
      }
      frozen.add(i);
    }
    if (frozen.size() >= n) {
      throw new ModelException(
          "model.freeze_layers: every layer (" + String.join(", ", names) + ") would be frozen, so nothing would"
              + " train; leave at least one layer out");
    }
    return frozen;
  }

  /** A copy of {@code net} with the layers {@code source} names frozen, parameters unchanged. */
  public static MultiLayerNetwork freeze(MultiLayerNetwork net, SourceSpec source) {
    Set<Integer> frozen = indices(net, source);
    List<String> names = names(net);
    MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
    for (int i : frozen) {
      NeuralNetConfiguration c = conf.getConf(i);
      Layer inner = c.getLayer();
      if (inner.getLayerName() == null) {
        inner.setLayerName(names.get(i));
      }
      if (inner instanceof BaseLayer base) {
        // DL4J's wrapper hides the inner layer's updater but still applies its regularisation,
        // which would shrink frozen weights (seen with model.l2 and Adam): take both away.
        base.setIUpdater(new NoOp());
        base.setBiasUpdater(new NoOp());
        base.setRegularization(new ArrayList<>());
        base.setRegularizationBias(new ArrayList<>());
      }
      if (!(inner instanceof FrozenLayerWithBackprop)) {
        FrozenLayerWithBackprop wrapper = new FrozenLayerWithBackprop(inner);
        wrapper.setLayerName(inner.getLayerName());
        c.setLayer(wrapper);
      }
    }
    MultiLayerNetwork out = new MultiLayerNetwork(conf);
    out.init(net.params().dup(), false);
    return out;
  }

  /** Whether layer {@code i} of {@code net} is frozen. */
  public static boolean isFrozen(MultiLayerNetwork net, int i) {
    return net.getLayerWiseConfigurations().getConf(i).getLayer() instanceof FrozenLayerWithBackprop;
  }

  /** Names of the frozen layers. */
  public static List<String> frozenNames(MultiLayerNetwork net) {
    List<String> names = names(net);
    List<String> frozen = new ArrayList<>();
    for (int i = 0; i < net.getnLayers(); i++) {
      if (isFrozen(net, i)) {
        frozen.add(names.get(i));
      }
    }
    return frozen;
  }

  /** The parameters of the frozen layers, copied, in layer order. */
  public static List<INDArray> frozenParams(MultiLayerNetwork net) {
    List<INDArray> params = new ArrayList<>();
    for (int i = 0; i < net.getnLayers(); i++) {
      if (isFrozen(net, i)) {
        params.add(net.getLayer(i).params().dup());
      }
    }
    return params;
  }
}
