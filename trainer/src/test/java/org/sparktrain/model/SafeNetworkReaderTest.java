package org.sparktrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A model file is read without Java deserialization, and an entry that would need it is refused. */
class SafeNetworkReaderTest {
  /** Counts its own deserializations: the observable effect a gadget chain would have. */
  static final class Tripwire implements Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicInteger READS = new AtomicInteger();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      READS.incrementAndGet();
    }
  }

  private static MultiLayerNetwork trainedNetwork() {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(3)
                .updater(new Adam(0.01))
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU).build())
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(5).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
    net.init();
    Nd4j.getRandom().setSeed(5);
    net.fit(Nd4j.rand(8, 4), Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1));
    return net;
  }

  private static byte[] written(MultiLayerNetwork net) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ModelSerializer.writeModel(net, out, true);
    return out.toByteArray();
  }

  /** {@code zip} with one more entry. */
  private static byte[] withEntry(byte[] zip, String name, byte[] content) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
        ZipOutputStream z = new ZipOutputStream(out)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        z.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(z);
        z.closeEntry();
      }
      z.putNextEntry(new ZipEntry(name));
      z.write(content);
      z.closeEntry();
    }
    return out.toByteArray();
  }

  private static byte[] serialized(Object o) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(o);
    }
    return out.toByteArray();
  }

  @Test
  void readsParametersAndUpdaterStateAsDl4jWroteThem() throws IOException {
    MultiLayerNetwork net = trainedNetwork();
    MultiLayerNetwork read = SafeNetworkReader.read(written(net), true, Set.of(), "net.zip");
    assertEquals(net.params(), read.params());
    assertEquals(net.getUpdater().getStateViewArray(), read.getUpdater().getStateViewArray());
    assertEquals(net.getLayerWiseConfigurations(), read.getLayerWiseConfigurations());
    MultiLayerNetwork withoutUpdater = SafeNetworkReader.read(written(net), false, Set.of(), "net.zip");
    assertEquals(net.params(), withoutUpdater.params());
  }

  @Test
  void aJavaSerializedEntryIsRefusedWithoutBeingDeserialized() throws IOException {
    byte[] crafted =
        withEntry(written(trainedNetwork()), ModelSerializer.PREPROCESSOR_BIN, serialized(new Tripwire()));
    // DL4J's own reader runs the entry's readObject: the hole this reader closes.
    Tripwire.READS.set(0);
    assertThrows(RuntimeException.class, () -> ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(crafted), true));
    assertEquals(1, Tripwire.READS.get(), "DL4J deserialized the entry");

    Tripwire.READS.set(0);
    ModelException e =
        assertThrows(ModelException.class, () -> SafeNetworkReader.read(crafted, true, Set.of(), "crafted.zip"));
    assertEquals(0, Tripwire.READS.get(), "nothing deserialized");
    assertTrue(e.getMessage().contains("crafted.zip holds the entry 'preprocessor.bin'"), e.getMessage());
    assertTrue(e.getMessage().contains("Java deserialization"), e.getMessage());
    assertTrue(e.getMessage().contains("zip -d"), e.getMessage());
  }

  @Test
  void normalizerAndUnknownEntriesAreRefused() throws IOException {
    byte[] net = written(trainedNetwork());
    ModelException normalizer =
        assertThrows(
            ModelException.class,
            () -> SafeNetworkReader.read(withEntry(net, ModelSerializer.NORMALIZER_BIN, new byte[] {1}), true, Set.of(), "m.zip"));
    assertTrue(normalizer.getMessage().contains("'normalizer.bin'"), normalizer.getMessage());
    ModelException other =
        assertThrows(
            ModelException.class,
            () -> SafeNetworkReader.read(withEntry(net, "objects/listener", new byte[] {1}), true, Set.of(), "m.zip"));
    assertTrue(other.getMessage().contains("unexpected entry 'objects/listener'"), other.getMessage());
    // The caller's own entries are allowed.
    MultiLayerNetwork read =
        SafeNetworkReader.read(withEntry(net, "job.yaml", new byte[] {'x'}), true, Set.of("job.yaml"), "m.zip");
    assertEquals(4 * 5 + 5 + 5 * 3 + 3, read.numParams());
  }

  @Test
  void anArchiveWithoutANetworkOrNotAZipIsNamed() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("configuration.json"));
      z.write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      z.closeEntry();
    }
    ModelException none =
        assertThrows(ModelException.class, () -> SafeNetworkReader.read(out.toByteArray(), true, Set.of(), "half.zip"));
    assertTrue(none.getMessage().contains("half.zip holds no DL4J network"), none.getMessage());
    ModelException notZip =
        assertThrows(ModelException.class, () -> SafeNetworkReader.read("plain text".getBytes(java.nio.charset.StandardCharsets.UTF_8), true, Set.of(), "t.zip"));
    assertTrue(notZip.getMessage().contains("t.zip"), notZip.getMessage());
  }
}
