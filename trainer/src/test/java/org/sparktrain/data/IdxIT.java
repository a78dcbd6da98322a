package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** MNIST-format IDX files: reading, the seeded split, per-pixel scaling and malformed files. */
class IdxIT {
  private static final int TRAIN = 40;
  private static final int TEST = 12;
  private static final int PIXELS = 4;
  private static final long SEED = 42;
  private static final double TRAIN_FRACTION = 0.75;

  @TempDir static Path mnist;
  private static SparkSession spark;
  private static JavaSparkContext sc;
  private static int[][] trainPixels;
  private static int[] trainLabels;

  @TempDir Path dir;

  @BeforeAll
  static void writeFiles() throws Exception {
    spark = TestSpark.session();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    trainPixels = new int[TRAIN][PIXELS];
    trainLabels = new int[TRAIN];
    for (int i = 0; i < TRAIN; i++) {
      boolean training = Idx.unit(SEED, i) < TRAIN_FRACTION;
      for (int j = 0; j < PIXELS; j++) {
        // Held-out images are saturated: a pipeline fitted on them would see a maximum of 255.
        trainPixels[i][j] = training ? (i * 7 + j * 13) % 101 : 255;
      }
      trainLabels[i] = i % 10;
    }
    TestData.idxImages(mnist.resolve("train-images-idx3-ubyte"), 2, 2, trainPixels);
    TestData.idxLabels(mnist.resolve("train-labels-idx1-ubyte"), trainLabels);
    int[][] testPixels = new int[TEST][PIXELS];
    int[] testLabels = new int[TEST];
    for (int i = 0; i < TEST; i++) {
      for (int j = 0; j < PIXELS; j++) {
        testPixels[i][j] = (i * 31 + j) % 256;
      }
      testLabels[i] = (i * 3) % 10;
    }
    TestData.idxImages(mnist.resolve("t10k-images-idx3-ubyte"), 2, 2, testPixels);
    TestData.idxLabels(mnist.resolve("t10k-labels-idx1-ubyte"), testLabels);
  }

  private static JobSpec job(String dirUri, String scaling, String... overrides) {
    return TestData.job(
        """
        format: idx
        path: '%s'
        split: {train: %s, validation: %s, test: 0.0}
        features: {scaling: %s}
        """
            .formatted(dirUri, TRAIN_FRACTION, 1 - TRAIN_FRACTION, scaling),
        "{type: output, units: 10, loss: sparse_categorical_crossentropy}",
        overrides);
  }

  private static List<Integer> trainIndices() {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < TRAIN; i++) {
      if (Idx.unit(SEED, i) < TRAIN_FRACTION) {
        idx.add(i);
      }
    }
    return idx;
  }

  @Test
  void readsEveryImageOnceWithItsLabelAndUnsignedPixels() {
    List<Idx.Image> images =
        new ArrayList<>(Idx.read(sc, TestData.uri(mnist), "train", 0, 3, "data.path").collect());
    images.sort(Comparator.comparingLong(Idx.Image::index));
    assertEquals(TRAIN, images.size());
    for (int i = 0; i < TRAIN; i++) {
      Idx.Image im = images.get(i);
      assertEquals(i, im.index());
      assertEquals(trainLabels[i], im.label());
      float[] expected = new float[PIXELS];
      for (int j = 0; j < PIXELS; j++) {
        expected[j] = trainPixels[i][j];
      }
      assertArrayEquals(expected, im.pixels(), "pixels of image " + i);
    }
  }

  @Test
  void readSpreadsImagesOverPartitions() {
    var rdd = Idx.read(sc, TestData.uri(mnist), "t10k", 0, 5, "data.path");
    assertEquals(5, rdd.getNumPartitions());
    assertEquals(TEST, rdd.count());
    assertEquals(TEST - 1, rdd.map(Idx.Image::index).fold(0L, Math::max));
  }

  @Test
  void limitReadsTheFirstImages() {
    var rdd = Idx.read(sc, TestData.uri(mnist), "train", 5, 3, "data.path");
    assertEquals(5, rdd.count());
    assertEquals(4L, rdd.map(Idx.Image::index).fold(0L, Math::max));
  }

  @Test
  void prepareSplitsBySeedAndFitsMinmaxOnTrainingImages() {
    PreparedData d = Datasets.prepare(spark, job(TestData.uri(mnist), "minmax"), 8);
    List<Integer> train = trainIndices();
    assertTrue(train.size() < TRAIN, "no held-out image in this fixture");
    assertEquals(train.size(), d.trainCount());
    assertEquals(TRAIN - train.size(), d.validationCount());
    assertEquals(TEST, d.testCount());

    FeaturePipelineModel m = d.pipeline();
    assertEquals(PIXELS, m.numInputs());
    assertEquals(10, m.numOutputs());
    for (int j = 0; j < PIXELS; j++) {
      int lo = 255;
      int hi = 0;
      for (int i : train) {
        lo = Math.min(lo, trainPixels[i][j]);
        hi = Math.max(hi, trainPixels[i][j]);
      }
      assertEquals(lo, m.params().center()[j], "min of pixel " + j);
      assertEquals(hi - lo, m.params().scale()[j], "range of pixel " + j);
    }

    int[] labelCounts = new int[10];
    for (float[][] r : TestData.rows(d.train())) {
      for (float v : r[0]) {
        assertTrue(v >= 0f && v <= 1f, "training pixel outside [0, 1]: " + v);
      }
      labelCounts[argmaxOneHot(r[1])]++;
    }
    int[] expectedCounts = new int[10];
    train.forEach(i -> expectedCounts[trainLabels[i]]++);
    assertArrayEquals(expectedCounts, labelCounts);

    for (float[][] r : TestData.rows(d.validation())) {
      for (float v : r[0]) {
        assertTrue(v > 1f, "saturated held-out pixel scaled to " + v);
      }
    }
    assertEquals(TEST, TestData.examples(d.test()));
  }

  private static int argmaxOneHot(float[] y) {
    int k = -1;
    for (int i = 0; i < y.length; i++) {
      if (y[i] == 1f) {
        assertEquals(-1, k, "more than one hot entry");
        k = i;
      } else {
        assertEquals(0f, y[i]);
      }
    }
    return k;
  }

  @Test
  void standardizeUsesTrainingImageMeanAndSd() {
    PreparedData d = Datasets.prepare(spark, job(TestData.uri(mnist), "standardize"), 8);
    List<Integer> train = trainIndices();
    for (int j = 0; j < PIXELS; j++) {
      double[] v = new double[train.size()];
      for (int k = 0; k < v.length; k++) {
        v[k] = trainPixels[train.get(k)][j];
      }
      assertEquals(TestData.mean(v), d.pipeline().params().center()[j], 1e-9);
      assertEquals(TestData.popStd(v), d.pipeline().params().scale()[j], 1e-9);
    }
  }

  @Test
  void splitIsDeterminedBySeed() {
    List<Float> first = firstPixels(Datasets.prepare(spark, job(TestData.uri(mnist), "none"), 8));
    List<Float> again = firstPixels(Datasets.prepare(spark, job(TestData.uri(mnist), "none"), 8));
    PreparedData other =
        Datasets.prepare(spark, job(TestData.uri(mnist), "none", "seed=" + (SEED + 1)), 8);
    assertEquals(first, again);
    assertNotEquals(first, firstPixels(other));
    long expected = 0;
    for (int i = 0; i < TRAIN; i++) {
      expected += Idx.unit(SEED + 1, i) < TRAIN_FRACTION ? 1 : 0;
    }
    assertEquals(expected, other.trainCount());
    assertEquals(TRAIN, other.trainCount() + other.validationCount());
  }

  /** The raw first pixel of every training image, sorted. */
  private static List<Float> firstPixels(PreparedData d) {
    List<Float> v = new ArrayList<>();
    TestData.rows(d.train()).forEach(r -> v.add(r[0][0]));
    v.sort(null);
    return v;
  }

  @Test
  void fittedPipelineSurvivesJsonRoundTrip() {
    PreparedData d = Datasets.prepare(spark, job(TestData.uri(mnist), "minmax"), 8);
    FeaturePipelineModel loaded = FeaturePipelineModel.fromJson(d.pipeline().toJson());
    assertEquals(d.pipeline(), loaded);
    var images = Idx.read(sc, TestData.uri(mnist), "t10k", 0, 1, "data.path");
    List<float[]> a = IdxPipeline.examples(images, d.pipeline()).map(Example::features).collect();
    List<float[]> b = IdxPipeline.examples(images, loaded).map(Example::features).collect();
    assertEquals(TEST, a.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i), "image " + i);
    }
  }

  @Test
  void featureRowsKeyImagesByIndex() {
    PreparedData d = Datasets.prepare(spark, job(TestData.uri(mnist), "minmax"), 8);
    List<String> keys =
        new ArrayList<>(
            Datasets.featureRows(
                    spark,
                    job(TestData.uri(mnist), "minmax").data(),
                    TestData.uri(mnist),
                    d.pipeline(),
                    List.of())
                .map(r -> r.keys()[0])
                .collect());
    keys.sort(Comparator.comparingInt(Integer::parseInt));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < TEST; i++) {
      expected.add(Integer.toString(i));
    }
    assertEquals(expected, keys);
  }

  // Compressed files, the form MNIST and Fashion-MNIST are distributed in.

  private static void compress(Path from, Path to, String codecClass) throws Exception {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    var codec = new org.apache.hadoop.io.compress.CompressionCodecFactory(conf).getCodecByClassName(codecClass);
    try (var out = codec.createOutputStream(Files.newOutputStream(to))) {
      out.write(Files.readAllBytes(from));
    }
  }

  private static List<String> described(org.apache.spark.api.java.JavaRDD<Idx.Image> images) {
    List<String> out = new ArrayList<>(images.map(im -> im.index() + ":" + im.label() + ":" + Arrays.toString(im.pixels())).collect());
    out.sort(null);
    return out;
  }

  @Test
  void gzipAndBzip2FilesGiveTheSameImagesAsUncompressedOnesInEveryPartition() throws Exception {
    String gz = org.apache.hadoop.io.compress.GzipCodec.class.getName();
    String bz2 = org.apache.hadoop.io.compress.BZip2Codec.class.getName();
    compress(mnist.resolve("train-images-idx3-ubyte"), dir.resolve("train-images-idx3-ubyte.gz"), gz);
    compress(mnist.resolve("train-labels-idx1-ubyte"), dir.resolve("train-labels-idx1-ubyte.bz2"), bz2);
    compress(mnist.resolve("t10k-images-idx3-ubyte"), dir.resolve("t10k-images-idx3-ubyte.gz"), gz);
    compress(mnist.resolve("t10k-labels-idx1-ubyte"), dir.resolve("t10k-labels-idx1-ubyte.gz"), gz);
    assertEquals(
        described(Idx.read(sc, TestData.uri(mnist), "train", 0, 1, "data.path")),
        described(Idx.read(sc, TestData.uri(dir), "train", 0, 3, "data.path")));
    assertEquals(
        described(Idx.read(sc, TestData.uri(mnist), "train", 7, 2, "data.path")),
        described(Idx.read(sc, TestData.uri(dir), "train", 7, 2, "data.path")));
    PreparedData plain = Datasets.prepare(spark, job(TestData.uri(mnist), "minmax"), 8);
    PreparedData packed = Datasets.prepare(spark, job(TestData.uri(dir), "minmax"), 8);
    assertEquals(plain.trainCount(), packed.trainCount());
    assertEquals(plain.testCount(), packed.testCount());
    assertArrayEquals(plain.pipeline().params().center(), packed.pipeline().params().center());
    assertArrayEquals(plain.pipeline().params().scale(), packed.pipeline().params().scale());
  }

  @Test
  void aFilePresentBothPlainAndCompressedIsRefused() throws Exception {
    writeGood("train", 3, 3);
    compress(dir.resolve("train-images-idx3-ubyte"), dir.resolve("train-images-idx3-ubyte.gz"), org.apache.hadoop.io.compress.GzipCodec.class.getName());
    DataException e = readFails("train");
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte and "), e.getMessage());
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz are both train-images-idx3-ubyte"), e.getMessage());
    assertTrue(e.getMessage().contains("remove or move the others"), e.getMessage());
  }

  @Test
  void aTruncatedCompressedFileFailsWhenItsImagesAreRead() throws Exception {
    writeGood("train", 6, 6);
    byte[] whole = Files.readAllBytes(dir.resolve("train-images-idx3-ubyte"));
    Files.write(dir.resolve("short"), Arrays.copyOf(whole, 16 + 3 * PIXELS));
    Files.delete(dir.resolve("train-images-idx3-ubyte"));
    compress(dir.resolve("short"), dir.resolve("train-images-idx3-ubyte.gz"), org.apache.hadoop.io.compress.GzipCodec.class.getName());
    Files.delete(dir.resolve("short"));
    var images = Idx.read(sc, TestData.uri(dir), "train", 0, 2, "data.path");
    Exception e = assertThrows(Exception.class, images::count);
    DataException cause = TestData.dataCause(e);
    assertNotNull(cause, "expected a DataException in the cause chain of " + e);
    assertTrue(cause.getMessage().contains("ends before image 3 that its header counts"), cause.getMessage());
  }

  // Malformed files.

  private DataException readFails(String prefix) {
    return assertThrows(
        DataException.class, () -> Idx.read(sc, TestData.uri(dir), prefix, 0, 2, "data.path"));
  }

  private void writeGood(String prefix, int images, int labels) throws Exception {
    TestData.idxImages(dir.resolve(prefix + "-images-idx3-ubyte"), 2, 2, new int[images][PIXELS]);
    TestData.idxLabels(dir.resolve(prefix + "-labels-idx1-ubyte"), new int[labels]);
  }

  @Test
  void missingFilesAreNamed() {
    DataException e = readFails("train");
    assertTrue(e.getMessage().startsWith("data.path: no such file '"), e.getMessage());
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte'"), e.getMessage());
    assertTrue(e.getMessage().contains("expected MNIST-format IDX files"), e.getMessage());
  }

  @Test
  void wrongImageMagicIsReported() throws Exception {
    writeGood("train", 3, 3);
    TestData.idxLabels(dir.resolve("train-images-idx3-ubyte"), new int[3]);
    DataException e = readFails("train");
    assertTrue(
        e.getMessage().contains("not an IDX image file (magic number 2049, expected 2051)"),
        e.getMessage());
  }

  @Test
  void gzippedImageFileWithoutItsExtensionIsReported() throws Exception {
    writeGood("train", 3, 3);
    TestData.bytes(
        dir.resolve("train-images-idx3-ubyte"),
        new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0});
    DataException e = readFails("train");
    assertTrue(e.getMessage().contains("not an IDX image file"), e.getMessage());
    assertTrue(e.getMessage().contains("it looks gzip-compressed: name it train-images-idx3-ubyte.gz"), e.getMessage());
  }

  @Test
  void wrongLabelMagicIsReported() throws Exception {
    writeGood("train", 3, 3);
    TestData.idxImages(dir.resolve("train-labels-idx1-ubyte"), 1, 1, new int[3][1]);
    DataException e = readFails("train");
    assertTrue(
        e.getMessage().contains("not an IDX label file (magic number 2051, expected 2049)"),
        e.getMessage());
  }

  @Test
  void differingCountsAreReported() throws Exception {
    writeGood("train", 5, 4);
    DataException e = readFails("train");
    assertTrue(e.getMessage().contains("holds 5 images but"), e.getMessage());
    assertTrue(e.getMessage().contains("holds 4 labels; expected equal counts"), e.getMessage());
  }

  @Test
  void truncatedImageFileIsReportedBeforeReading() throws Exception {
    writeGood("train", 10, 10);
    Path images = dir.resolve("train-images-idx3-ubyte");
    byte[] full = Files.readAllBytes(images);
    TestData.bytes(images, Arrays.copyOf(full, full.length - 6));
    DataException e = readFails("train");
    assertTrue(e.getMessage().contains("truncated IDX image file"), e.getMessage());
    assertTrue(
        e.getMessage().contains("(50 bytes; expected 56 for 10 images of 2x2 pixels)"),
        e.getMessage());
  }

  @Test
  void truncatedLabelFileIsReported() throws Exception {
    writeGood("train", 10, 10);
    Path labels = dir.resolve("train-labels-idx1-ubyte");
    TestData.bytes(labels, Arrays.copyOf(Files.readAllBytes(labels), 12));
    DataException e = readFails("train");
    assertTrue(e.getMessage().contains("truncated IDX label file"), e.getMessage());
    assertTrue(e.getMessage().contains("(12 bytes; expected 18 for 10 labels)"), e.getMessage());
  }

  @Test
  void fileEndingInsideTheHeaderIsReported() throws Exception {
    writeGood("train", 3, 3);
    TestData.bytes(dir.resolve("train-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0});
    DataException e = readFails("train");
    assertTrue(e.getMessage().startsWith("data.path: "), e.getMessage());
    assertTrue(e.getMessage().contains("ends inside the IDX header"), e.getMessage());
  }

  @Test
  void imagesOfAnotherSizeThanTrainingAreRejected() throws Exception {
    PreparedData d = Datasets.prepare(spark, job(TestData.uri(mnist), "minmax"), 8);
    TestData.idxImages(dir.resolve("t10k-images-idx3-ubyte"), 1, 3, new int[2][3]);
    TestData.idxLabels(dir.resolve("t10k-labels-idx1-ubyte"), new int[] {1, 2});
    var batches =
        Datasets.labelledBatches(
            spark, job(TestData.uri(dir), "minmax").data(), TestData.uri(dir), d.pipeline(), 4);
    Exception e = assertThrows(Exception.class, batches::count);
    DataException cause = TestData.dataCause(e);
    assertNotNull(cause, "expected a DataException in the cause chain of " + e);
    assertTrue(cause.getMessage().contains("has 3 pixels; expected 4"), cause.getMessage());
  }
}
