package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.model.Freezing;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.runtime.SparkRuntime;

/**
 * jobs/mnist-transfer.yaml on a slice of MNIST: a LeNet (jobs/mnist-lenet.yaml) is trained briefly,
 * then the transfer job starts from its model.zip, keeps its convolution and pooling layers frozen
 * and retrains the dense layer with a new output layer. The head learns (test accuracy well above
 * the 10% of chance) while the frozen layers stay bit-identical to the source's, with each strategy.
 */
class MnistTransferIT {
  @TempDir static Path tmp;
  static Path mnist;
  static Path source;

  @BeforeAll
  static void trainSource() {
    mnist = TestJobs.repoRoot().resolve("data/mnist");
    assumeTrue(Files.exists(mnist.resolve("train-images-idx3-ubyte")), "MNIST not fetched (deploy/fetch-data.sh)");
    // Gradient sharing starts Aeron in this JVM; the trainer's launcher sets these timeouts.
    SparkRuntime.configureAeron();
    source = tmp.resolve("lenet");
    new TrainingRun(TestSpark.session(), TestJobs.job("mnist-lenet.yaml", "data.path=" + mnist, "data.limit=800",
        "training.epochs=2", "training.batch_size=32", "strategy.averaging_frequency=2", "checkpoint.every=0"),
        source.toString()).run();
  }

  private static ModelArchive.Loaded load(Path run) {
    return ModelArchive.load(new org.apache.hadoop.fs.Path(run.resolve("model.zip").toString()), new Configuration());
  }

  @ParameterizedTest
  @ValueSource(strings = {"averaging", "sharing"})
  @SuppressWarnings("unchecked")
  void theHeadLearnsOnFrozenConvolutions(String strategy) {
    Path out = tmp.resolve("transfer-" + strategy);
    Map<String, Object> summary = new TrainingRun(TestSpark.session(), TestJobs.job("mnist-transfer.yaml",
        "data.path=" + mnist, "data.limit=800", "model.init_from=" + source.resolve("model.zip"),
        "strategy.type=" + strategy, "strategy.averaging_frequency=2", "training.epochs=2", "training.batch_size=32",
        "training.learning_rate=0.002", "checkpoint.every=0"), out.toString()).run();
    double accuracy = ((Number) ((Map<String, Object>) summary.get("test")).get("accuracy")).doubleValue();
    assertTrue(accuracy > 0.6, "test accuracy " + accuracy + " on 10 classes (chance 0.1)");

    MultiLayerNetwork from = load(source).network();
    MultiLayerNetwork to = load(out).network();
    assertEquals(4, Freezing.frozenNames(to).size(), "conv, pool, conv, pool are frozen: " + Freezing.frozenNames(to));
    for (int i : new int[] {0, 2}) {
      assertArrayEquals(from.getLayer(i).params().toFloatVector(), to.getLayer(i).params().toFloatVector(),
          "frozen convolution layer " + i + " is unchanged");
    }
    assertTrue(from.getLayer(4).params().sub(to.getLayer(4).params()).amaxNumber().doubleValue() > 1e-4,
        "the dense layer is not frozen and trains");
    assertEquals(List.of("new_output"), List.of(to.getLayer(5).conf().getLayer().getLayerName()));
  }
}
