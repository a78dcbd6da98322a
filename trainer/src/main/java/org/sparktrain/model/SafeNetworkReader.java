package org.sparktrain.model;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a network saved by DL4J's {@code ModelSerializer} without ever deserializing Java objects:
 * DL4J's own reader decodes a {@code preprocessor.bin} entry with {@code ObjectInputStream}, so a
 * crafted model file could run code on load. Only the JSON configuration and the ND4J arrays are
 * read, and an archive holding any other entry is refused before anything in it is decoded.
 */
public final class SafeNetworkReader {
  /** The entries a network written by {@code ModelSerializer.writeModel} (without a normalizer) holds. */
  public static final Set<String> NETWORK_ENTRIES =
      Set.of(
          ModelSerializer.CONFIGURATION_JSON,
          ModelSerializer.COEFFICIENTS_BIN,
          ModelSerializer.NO_PARAMS_MARKER,
          ModelSerializer.UPDATER_BIN);

  /** Entries that DL4J decodes with Java deserialization (or may fall back to it). */
  private static final Set<String> JAVA_SERIALIZED =
      Set.of(ModelSerializer.PREPROCESSOR_BIN, ModelSerializer.NORMALIZER_BIN, "updater.bin");

  private SafeNetworkReader() {}

  /**
   * The network in {@code zip}.
   *
   * @param extraEntries entries the caller reads itself (e.g. model.zip's pipeline and job file)
   * @param source names the file in messages
   * @throws ModelException when the archive holds anything else, an entry DL4J would deserialize
   *     as Java objects above all, or lacks the configuration or the coefficients
   */
  public static MultiLayerNetwork read(byte[] zip, boolean loadUpdater, Set<String> extraEntries, String source) {
    Map<String, byte[]> entries = entries(zip, extraEntries, source);
    byte[] json = entries.get(ModelSerializer.CONFIGURATION_JSON);
    byte[] coefficients = entries.get(ModelSerializer.COEFFICIENTS_BIN);
    if (json == null || coefficients == null) {
      throw new ModelException(
          "model file " + source + " holds no DL4J network (entries "
              + ModelSerializer.CONFIGURATION_JSON + " and " + ModelSerializer.COEFFICIENTS_BIN
              + " expected, found " + new TreeSet<>(entries.keySet()) + "); expected a model written by train");
    }
    try {
      MultiLayerConfiguration conf =
          MultiLayerConfiguration.fromJson(new String(json, StandardCharsets.UTF_8));
      INDArray params = coefficients.length == 0 ? null : array(coefficients);
      MultiLayerNetwork net = new MultiLayerNetwork(conf);
      net.init(params, false);
      byte[] updater = entries.get(ModelSerializer.UPDATER_BIN);
      if (loadUpdater && updater != null) {
        net.getUpdater().setStateViewArray(net, array(updater), false);
      }
      return net;
    } catch (IOException | RuntimeException e) {
      throw new ModelException(
          "model file " + source + " holds a network that cannot be read (" + e.getMessage()
              + "); expected a model written by train with this version", e);
    }
  }

  private static INDArray array(byte[] bytes) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(new ByteArrayInputStream(bytes)))) {
      return Nd4j.read(in);
    }
  }

  /** Every entry's bytes, after checking all names against the allowed ones. */
  private static Map<String, byte[]> entries(byte[] zip, Set<String> extraEntries, String source) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        String name = e.getName();
        if (JAVA_SERIALIZED.contains(name)) {
          throw new ModelException(
              "model file " + source + " holds the entry '" + name + "', which DL4J decodes with Java"
                  + " deserialization; refusing to load it, since a crafted entry could run code."
                  + " Expected only " + List.copyOf(new TreeSet<>(allowed(extraEntries)))
                  + " (a model written by train never holds it); if the file comes from a source you"
                  + " trust, remove the entry (zip -d FILE " + name + ") and load it again");
        }
        if (!allowed(extraEntries).contains(name)) {
          throw new ModelException(
              "model file " + source + " holds an unexpected entry '" + name + "'; expected only "
                  + List.copyOf(new TreeSet<>(allowed(extraEntries)))
                  + "; use a model written by train, or remove the entry (zip -d FILE " + name + ")");
        }
        if (entries.put(name, in.readAllBytes()) != null) {
          throw new ModelException(
              "model file " + source + " holds the entry '" + name + "' twice; expected each entry once;"
                  + " use a model written by train");
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw new ModelException("model file " + source + " is not a valid zip archive (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new ModelException("model file " + source + " cannot be read as a zip archive (" + e.getMessage() + ")", e);
    }
    if (entries.isEmpty()) {
      throw new ModelException(
          "model file " + source + " is not a zip archive or is empty; expected a model written by train");
    }
    return entries;
  }

  private static Set<String> allowed(Set<String> extraEntries) {
    Set<String> all = new TreeSet<>(NETWORK_ENTRIES);
    all.addAll(extraEntries);
    return all;
  }

  /** Reads all of {@code in} (closing it) and then the network in it. */
  public static MultiLayerNetwork read(InputStream in, boolean loadUpdater, Set<String> extraEntries, String source)
      throws IOException {
    try (in) {
      return read(in.readAllBytes(), loadUpdater, extraEntries, source);
    }
  }
}
