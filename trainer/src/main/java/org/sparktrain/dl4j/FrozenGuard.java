package org.sparktrain.dl4j;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.model.Freezing;

/**
 * Keeps frozen layers bit-identical across epochs. Works around DL4J 1.0.0-M2's parameter
 * averaging (ParameterAveragingTrainingMaster), which averages frozen layers too: they get no
 * updates, but the sum of the workers' identical copies divided by their number can round a float
 * by one unit in the last place for 3 workers (seen: -0.19152024 became -0.19152026). After each
 * epoch the saved values are put back; the largest change found is logged and reported, so that a
 * real update of a frozen layer (anything beyond rounding) is visible.
 */
public final class FrozenGuard {
  private static final Logger LOG = LoggerFactory.getLogger(FrozenGuard.class);

  private final List<Integer> layers = new ArrayList<>();
  private final List<INDArray> saved = new ArrayList<>();
  private double maxDrift;

  public FrozenGuard(MultiLayerNetwork net) {
    for (int i = 0; i < net.getnLayers(); i++) {
      if (Freezing.isFrozen(net, i) && net.getLayer(i).numParams() > 0) {
        layers.add(i);
        saved.add(net.getLayer(i).params().dup());
      }
    }
  }

  /** Puts the frozen parameters back in {@code net} after {@code epoch}. */
  public void restore(MultiLayerNetwork net, int epoch) {
    double drift = 0;
    for (int k = 0; k < layers.size(); k++) {
      INDArray now = net.getLayer(layers.get(k)).params();
      drift = Math.max(drift, now.sub(saved.get(k)).amaxNumber().doubleValue());
      now.assign(saved.get(k));
    }
    if (drift > 0) {
      LOG.info("Epoch {}: frozen parameters had moved by up to {} (averaging's rounding); restored", epoch, drift);
    }
    maxDrift = Math.max(maxDrift, drift);
  }

  /** The largest change of a frozen parameter found so far (0 when none moved). */
  public double maxDrift() {
    return maxDrift;
  }
}
