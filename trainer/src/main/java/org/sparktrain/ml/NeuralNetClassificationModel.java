package org.sparktrain.ml;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.api.TrainedModel;

/**
 * A trained {@link NeuralNetClassifier}: adds {@code rawPrediction} and {@code probability} (one
 * entry per class; two for a binary network with one sigmoid output) and {@code prediction} (the
 * class index as a double), scoring in the executors in minibatches.
 */
public final class NeuralNetClassificationModel
    extends ProbabilisticClassificationModel<Vector, NeuralNetClassificationModel> implements MLWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private final transient TrainedModel trained;
  private final transient VectorScoring scoring;

  public NeuralNetClassificationModel(String uid, TrainedModel trained) {
    this(Uids.pending(uid), trained);
  }

  private NeuralNetClassificationModel(Uids.Pending pending, TrainedModel trained) {
    super();
    uid();
    this.trained = trained;
    this.scoring = new VectorScoring(trained.network());
  }

  @Override
  public String uid() {
    if (uid == null) {
      uid = Uids.take("nnClassifier");
    }
    return uid;
  }

  /** The trained network with its job, history and metrics. */
  public TrainedModel trainedModel() {
    return trained;
  }

  @Override
  public int numClasses() {
    return "binary".equals(trained.pipeline().labelKind()) ? 2 : trained.pipeline().numOutputs();
  }

  @Override
  public int numFeatures() {
    return trained.pipeline().numInputs();
  }

  /** The class probabilities: the network ends in a sigmoid or softmax. */
  @Override
  public Vector predictRaw(Vector features) {
    return Vectors.dense(VectorScoring.probabilities(scoring.outputOf(features)));
  }

  @Override
  public Vector raw2probabilityInPlace(Vector rawPrediction) {
    return rawPrediction;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    List<VectorScoring.Output> plan = new ArrayList<>();
    for (int i = in.size(); i < out.size(); i++) {
      String name = out.fields()[i].name();
      if (name.equals(getRawPredictionCol())) {
        plan.add(VectorScoring.Output.RAW_PREDICTION);
      } else if (name.equals(getProbabilityCol())) {
        plan.add(VectorScoring.Output.PROBABILITY);
      } else {
        plan.add(VectorScoring.Output.PREDICTION);
      }
    }
    double[] thresholds = isDefined(thresholds()) ? getThresholds() : null;
    return scoring.transform(dataset, getFeaturesCol(), out, plan, thresholds, 0.0, 1.0);
  }

  /**
   * Declared only because Java sees two inherited versions with invariant Tuple3 types (Scala
   * overrides covariantly); the raw type satisfies both.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    return super.findSummaryModel();
  }

  @Override
  public NeuralNetClassificationModel copy(ParamMap extra) {
    return copyValues(new NeuralNetClassificationModel(uid(), trained), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return ModelFiles.writer(this, trained);
  }

  public static MLReader<NeuralNetClassificationModel> read() {
    return ModelFiles.reader(NeuralNetClassificationModel.class, NeuralNetClassificationModel::new);
  }

  public static NeuralNetClassificationModel load(String path) {
    return read().load(path);
  }
}
