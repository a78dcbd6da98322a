package org.sparktrain.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** The network layer by layer, with parameter counts, for the summary and the report. */
final class LayerTable {
  private LayerTable() {}

  static List<Map<String, Object>> of(MultiLayerNetwork net) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < net.getnLayers(); i++) {
      Layer conf = net.getLayerWiseConfigurations().getConf(i).getLayer();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("index", i);
      row.put("type", conf.getClass().getSimpleName());
      if (conf instanceof FeedForwardLayer ff) {
        row.put("inputs", ff.getNIn());
        row.put("outputs", ff.getNOut());
      }
      if (conf instanceof BaseLayer base && base.getActivationFn() != null) {
        row.put("activation", base.getActivationFn().toString());
      }
      row.put("parameters", net.getLayer(i).numParams());
      rows.add(row);
    }
    return rows;
  }
}
