package org.sparktrain.ml;

import java.util.function.BiFunction;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.sparktrain.api.TrainedModel;

/**
 * A saved model's directory: MLlib's params metadata ({@code metadata/}, as DefaultParamsWriter
 * writes it) and the trained model ({@code model/}: model.zip with DL4J's own entries and the
 * feature pipeline as JSON, summary.json, metrics.jsonl). Nothing is Java-serialized.
 */
final class ModelFiles {
  private ModelFiles() {}

  static String modelDir(String path) {
    return new Path(path, "model").toString();
  }

  static MLWriter writer(Params instance, TrainedModel trained) {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        DefaultParamsWriter.saveMetadata(instance, path, sc(), scala.Option.empty(), scala.Option.empty());
        trained.save(modelDir(path));
      }
    };
  }

  static <M extends Params> MLReader<M> reader(Class<M> type, BiFunction<String, TrainedModel, M> create) {
    return new MLReader<M>() {
      @Override
      public M load(String path) {
        DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sc(), type.getName());
        M model = create.apply(metadata.uid(), TrainedModel.load(modelDir(path)));
        metadata.getAndSetParams(model, scala.Option.empty());
        return model;
      }
    };
  }
}
