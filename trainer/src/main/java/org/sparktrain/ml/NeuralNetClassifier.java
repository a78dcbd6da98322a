package org.sparktrain.ml;

import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.sparktrain.api.TrainedModel;

/**
 * A neural-network classifier for Spark ML: a Vector {@code featuresCol} and class indices 0, 1,
 * ... in {@code labelCol}, trained by the job its Params describe (two classes: one sigmoid
 * output; more: softmax).
 */
public final class NeuralNetClassifier
    extends ProbabilisticClassifier<Vector, NeuralNetClassifier, NeuralNetClassificationModel>
    implements NetworkParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  /** Above this many classes a label column is more likely an id than a class index. */
  private static final int MAX_CLASSES = 1000;

  private String uid;
  private final Defs p;

  public NeuralNetClassifier() {
    this(Uids.pending(null));
  }

  public NeuralNetClassifier(String uid) {
    this(Uids.pending(uid));
  }

  private NeuralNetClassifier(Uids.Pending pending) {
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
      uid = Uids.take("nnClassifier");
    }
    return uid;
  }

  @Override
  public NeuralNetClassificationModel train(Dataset<?> dataset) {
    int numClasses = getNumClasses(dataset, MAX_CLASSES);
    int numFeatures = NetworkJobs.numFeatures(dataset, getFeaturesCol());
    TrainedModel trained =
        NetworkJobs.job(this, numFeatures, numClasses)
            .fit(NetworkJobs.flatten(dataset, getFeaturesCol(), getLabelCol(), numFeatures));
    return new NeuralNetClassificationModel(uid(), trained);
  }

  @Override
  public NeuralNetClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<NeuralNetClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static NeuralNetClassifier load(String path) {
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

  public NeuralNetClassifier setLayers(int... units) { return (NeuralNetClassifier) set(p.layers(), units); }
  public NeuralNetClassifier setActivation(String v) { return (NeuralNetClassifier) set(p.activation(), v); }
  public NeuralNetClassifier setEpochs(int v) { return (NeuralNetClassifier) set(p.epochs(), v); }
  public NeuralNetClassifier setBatchSize(int v) { return (NeuralNetClassifier) set(p.batchSize(), v); }
  public NeuralNetClassifier setUpdater(String v) { return (NeuralNetClassifier) set(p.updater(), v); }
  public NeuralNetClassifier setLearningRate(double v) { return (NeuralNetClassifier) set(p.learningRate(), v); }
  public NeuralNetClassifier setStrategy(String v) { return (NeuralNetClassifier) set(p.strategy(), v); }
  public NeuralNetClassifier setWorkers(int v) { return (NeuralNetClassifier) set(p.workers(), v); }
  public NeuralNetClassifier setSeed(long v) { return (NeuralNetClassifier) set(p.seed(), v); }
  public NeuralNetClassifier setValidationFraction(double v) { return (NeuralNetClassifier) set(p.validationFraction(), v); }
  public NeuralNetClassifier setJobSettings(String... pathEqualsValue) { return (NeuralNetClassifier) set(p.jobSettings(), pathEqualsValue); }
}
