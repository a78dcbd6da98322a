package org.sparktrain.ml;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.sparktrain.api.TrainedModel;

/**
 * A neural-network regressor for Spark ML: a Vector {@code featuresCol} and a numeric {@code
 * labelCol}, trained by the job its Params describe with one linear output and MSE.
 */
public final class NeuralNetRegressor
    extends Regressor<Vector, NeuralNetRegressor, NeuralNetRegressionModel>
    implements NetworkParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private final Defs p;

  public NeuralNetRegressor() {
    this(Uids.pending(null));
  }

  public NeuralNetRegressor(String uid) {
    this(Uids.pending(uid));
  }

  private NeuralNetRegressor(Uids.Pending pending) {
    super();
    uid();
    p = Defs.of(this);
    setDefault(p.layers(), new int[] {16});
    setDefault(p.activation(), "relu");
    setDefault(p.epochs(), 10);
    setDefault(p.batchSize(), 32);
    setDefault(p.updater(), "adam");
    setDefault(p.learningRate(), 0.001);
    setDefault(p.strategy(), "averaging");
    setDefault(p.workers(), 0);
    setDefault(p.seed(), 42L);
    setDefault(p.validationFraction(), 0.0);
    setDefault(p.jobSettings(), new String[0]);
  }

  @Override
  public String uid() {
    if (uid == null) {
      uid = Uids.take("nnRegressor");
    }
    return uid;
  }

  @Override
  public NeuralNetRegressionModel train(Dataset<?> dataset) {
    int numFeatures = NetworkJobs.numFeatures(dataset, getFeaturesCol());
    TrainedModel trained =
        NetworkJobs.job(this, numFeatures, 0)
            .fit(NetworkJobs.flatten(dataset, getFeaturesCol(), getLabelCol(), numFeatures));
    return new NeuralNetRegressionModel(uid(), trained);
  }

  @Override
  public NeuralNetRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<NeuralNetRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static NeuralNetRegressor load(String path) {
    return read().load(path);
  }

  // Params: one per job field; the getters are NetworkParams'.

  @Override public IntArrayParam layers() { return p.layers(); }
  @Override public Param<String> activation() { return p.activation(); }
  @Override public IntParam epochs() { return p.epochs(); }
  @Override public IntParam batchSize() { return p.batchSize(); }
  @Override public Param<String> updater() { return p.updater(); }
  @Override public DoubleParam learningRate() { return p.learningRate(); }
  @Override public Param<String> strategy() { return p.strategy(); }
  @Override public IntParam workers() { return p.workers(); }
  @Override public LongParam seed() { return p.seed(); }
  @Override public DoubleParam validationFraction() { return p.validationFraction(); }
  @Override public StringArrayParam jobSettings() { return p.jobSettings(); }

  public NeuralNetRegressor setLayers(int... units) { return (NeuralNetRegressor) set(p.layers(), units); }
  public NeuralNetRegressor setActivation(String v) { return (NeuralNetRegressor) set(p.activation(), v); }
  public NeuralNetRegressor setEpochs(int v) { return (NeuralNetRegressor) set(p.epochs(), v); }
  public NeuralNetRegressor setBatchSize(int v) { return (NeuralNetRegressor) set(p.batchSize(), v); }
  public NeuralNetRegressor setUpdater(String v) { return (NeuralNetRegressor) set(p.updater(), v); }
  public NeuralNetRegressor setLearningRate(double v) { return (NeuralNetRegressor) set(p.learningRate(), v); }
  public NeuralNetRegressor setStrategy(String v) { return (NeuralNetRegressor) set(p.strategy(), v); }
  public NeuralNetRegressor setWorkers(int v) { return (NeuralNetRegressor) set(p.workers(), v); }
  public NeuralNetRegressor setSeed(long v) { return (NeuralNetRegressor) set(p.seed(), v); }
  public NeuralNetRegressor setValidationFraction(double v) { return (NeuralNetRegressor) set(p.validationFraction(), v); }
  public NeuralNetRegressor setJobSettings(String... pathEqualsValue) { return (NeuralNetRegressor) set(p.jobSettings(), pathEqualsValue); }
}
