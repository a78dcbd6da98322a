package org.sparktrain.ml;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.api.TrainedModel;

/**
 * A trained {@link NeuralNetRegressor}: adds {@code prediction}, the network's output in the
 * label's units (a target scaled by data.label.scaling is scaled back), scoring in the executors
 * in minibatches.
 */
public final class NeuralNetRegressionModel
    extends RegressionModel<Vector, NeuralNetRegressionModel> implements MLWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private final transient TrainedModel trained;
  private final transient VectorScoring scoring;

  public NeuralNetRegressionModel(String uid, TrainedModel trained) {
    this(Uids.pending(uid), trained);
  }

  private NeuralNetRegressionModel(Uids.Pending pending, TrainedModel trained) {
    super();
    uid();
    this.trained = trained;
    this.scoring = new VectorScoring(trained.network());
  }

  @Override
  public String uid() {
    if (uid == null) {
      uid = Uids.take("nnRegressor");
    }
    return uid;
  }

  /** The trained network with its job, history and metrics. */
  public TrainedModel trainedModel() {
    return trained;
  }

  @Override
  public int numFeatures() {
    return trained.pipeline().numInputs();
  }

  @Override
  public double predict(Vector features) {
    return trained.pipeline().unscaleLabel(scoring.outputOf(features)[0]);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    if (out.size() == in.size()) {
      // predictionCol set to "": nothing to add, as in MLlib
      return dataset.toDF();
    }
    double center = trained.pipeline().unscaleLabel(0.0);
    double scale = trained.pipeline().unscaleLabel(1.0) - center;
    return scoring.transform(dataset, getFeaturesCol(), out, List.of(VectorScoring.Output.VALUE), null, center, scale);
  }

  @Override
  public NeuralNetRegressionModel copy(ParamMap extra) {
    return copyValues(new NeuralNetRegressionModel(uid(), trained), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return ModelFiles.writer(this, trained);
  }

  public static MLReader<NeuralNetRegressionModel> read() {
    return ModelFiles.reader(NeuralNetRegressionModel.class, NeuralNetRegressionModel::new);
  }

  public static NeuralNetRegressionModel load(String path) {
    return read().load(path);
  }
}
