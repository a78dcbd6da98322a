package org.sparktrain.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;

/**
 * MNIST-format IDX files read in parallel: each partition opens the files through the Hadoop
 * FileSystem API and reads only its own range of images.
 */
final class Idx {
  static final int IMAGES_MAGIC = 2051;
  static final int LABELS_MAGIC = 2049;

  private Idx() {}

  /** One image: its index in the file, label and raw pixels (0..255). Not a record: Kryo. */
  static final class Image implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final long index;
    private final int label;
    private final float[] pixels;

    Image(long index, int label, float[] pixels) {
      this.index = index;
      this.label = label;
      this.pixels = pixels;
    }

    long index() {
      return index;
    }

    int label() {
      return label;
    }

    float[] pixels() {
      return pixels;
    }
  }

  record Header(long count, int rows, int cols) implements java.io.Serializable {}

  static Header header(JavaSparkContext sc, String images, String labels, String field) {
    try {
      Path ip = new Path(images);
      Path lp = new Path(labels);
      FileSystem fs = ip.getFileSystem(sc.hadoopConfiguration());
      for (Path p : List.of(ip, lp)) {
        if (!fs.exists(p)) {
          throw new DataException(field + ": no such file '" + p + "'; expected MNIST-format IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, uncompressed) in that directory; run deploy/fetch-data.sh or fix the path");
        }
      }
      try (DataInputStream in = new DataInputStream(fs.open(ip)); DataInputStream li = new DataInputStream(fs.open(lp))) {
        int magic = in.readInt();
        if (magic != IMAGES_MAGIC) {
          throw new DataException(ip + ": not an IDX image file (magic number " + magic + ", expected " + IMAGES_MAGIC + "); a .gz file must be uncompressed first");
        }
        long count = in.readInt();
        int rows = in.readInt();
        int cols = in.readInt();
        int lmagic = li.readInt();
        if (lmagic != LABELS_MAGIC) {
          throw new DataException(lp + ": not an IDX label file (magic number " + lmagic + ", expected " + LABELS_MAGIC + ")");
        }
        long lcount = li.readInt();
        if (lcount != count) {
          throw new DataException(ip + " holds " + count + " images but " + lp + " holds " + lcount + " labels; expected equal counts; use matching files");
        }
        long imageBytes = 16 + count * rows * cols;
        long imageLength = fs.getFileStatus(ip).getLen();
        if (imageLength < imageBytes) {
          throw new DataException(ip + ": truncated IDX image file (" + imageLength + " bytes; expected " + imageBytes + " for " + count + " images of " + rows + "x" + cols + " pixels); download or uncompress it again");
        }
        long labelLength = fs.getFileStatus(lp).getLen();
        if (labelLength < 8 + count) {
          throw new DataException(lp + ": truncated IDX label file (" + labelLength + " bytes; expected " + (8 + count) + " for " + count + " labels); download or uncompress it again");
        }
        return new Header(count, rows, cols);
      }
    } catch (EOFException e) {
      throw new DataException(field + ": '" + images + "' or its label file ends inside the IDX header (16 bytes for images, 8 for labels); the file is empty or truncated; download or uncompress it again");
    } catch (IOException e) {
      throw new DataException(field + ": cannot read IDX files in '" + images + "': " + e.getMessage());
    }
  }

  /** The images of a file pair, at most {@code limit} (0: all), in {@code partitions} ranges. */
  static JavaRDD<Image> read(JavaSparkContext sc, String dir, String prefix, long limit, int partitions, String field) {
    String images = dir + "/" + prefix + "-images-idx3-ubyte";
    String labels = dir + "/" + prefix + "-labels-idx1-ubyte";
    Header h = header(sc, images, labels, field);
    long n = limit > 0 ? Math.min(limit, h.count()) : h.count();
    int parts = (int) Math.max(1, Math.min(partitions, n));
    List<long[]> ranges = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      ranges.add(new long[] {n * i / parts, n * (i + 1) / parts});
    }
    SerializableConfiguration conf = new SerializableConfiguration(sc.hadoopConfiguration());
    int pixels = h.rows() * h.cols();
    return sc.parallelize(ranges, parts)
        .mapPartitions((Iterator<long[]> it) -> {
          List<Image> out = new ArrayList<>();
          while (it.hasNext()) {
            long[] r = it.next();
            readRange(conf, images, labels, r[0], r[1], pixels, out);
          }
          return out.iterator();
        });
  }

  private static void readRange(SerializableConfiguration conf, String images, String labels, long from, long to, int pixels, List<Image> out) throws IOException {
    Path ip = new Path(images);
    FileSystem fs = ip.getFileSystem(conf.value());
    try (FSDataInputStream in = fs.open(ip); FSDataInputStream li = fs.open(new Path(labels))) {
      in.seek(16 + from * pixels);
      li.seek(8 + from);
      byte[] img = new byte[(int) ((to - from) * pixels)];
      byte[] lab = new byte[(int) (to - from)];
      in.readFully(img);
      li.readFully(lab);
      for (int i = 0; i < lab.length; i++) {
        float[] px = new float[pixels];
        for (int j = 0; j < pixels; j++) {
          px[j] = img[i * pixels + j] & 0xff;
        }
        out.add(new Image(from + i, lab[i] & 0xff, px));
      }
    }
  }

  /** Deterministic uniform value in [0, 1) for (seed, index): the split assignment of an image. */
  static double unit(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index + 1;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }
}
