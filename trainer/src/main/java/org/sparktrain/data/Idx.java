package org.sparktrain.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;

/**
 * MNIST-format IDX files, plain or compressed, read in parallel: each partition opens the files
 * through the Hadoop FileSystem API and codecs and streams only its own range of images.
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

  /** The names looked for, in messages. */
  private static final String EXPECTED =
      "expected MNIST-format IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,"
          + " t10k-labels-idx1-ubyte), each as is or compressed with a Hadoop codec's extension (.gz, .bz2, ...)";

  /**
   * The file in {@code dir} named {@code base}, as is or with a compression codec's extension
   * (train-images-idx3-ubyte.gz, the form MNIST and Fashion-MNIST are distributed in).
   */
  static String resolve(Configuration conf, String dir, String base, String field) {
    try {
      Path d = new Path(dir);
      FileSystem fs = d.getFileSystem(conf);
      CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
      List<String> found = new ArrayList<>();
      FileStatus[] listed = fs.exists(d) && fs.getFileStatus(d).isDirectory() ? fs.listStatus(d) : new FileStatus[0];
      for (FileStatus f : listed) {
        String name = f.getPath().getName();
        CompressionCodec codec = codecs.getCodec(f.getPath());
        boolean compressed = codec != null && name.equals(base + codec.getDefaultExtension());
        if (f.isFile() && (name.equals(base) || compressed)) {
          found.add(f.getPath().toString());
        }
      }
      if (found.isEmpty()) {
        throw new DataException(field + ": no such file '" + new Path(d, base) + "' (nor a compressed " + base + ".gz, .bz2, ...); "
            + EXPECTED + " in that directory; run deploy/fetch-data.sh or fix the path");
      }
      if (found.size() > 1) {
        found.sort(null);
        throw new DataException(field + ": " + String.join(" and ", found) + " are both " + base
            + "; expected one file per name, compressed or not; remove or move the others");
      }
      return found.get(0);
    } catch (IOException e) {
      throw new DataException(field + ": cannot list IDX files in '" + dir + "': " + e.getMessage());
    }
  }

  /** The file, decompressed when its name has a codec's extension. */
  private static InputStream open(Configuration conf, String file) throws IOException {
    Path p = new Path(file);
    FSDataInputStream in = p.getFileSystem(conf).open(p);
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
    return codec == null ? in : codec.createInputStream(in);
  }

  private static boolean compressed(Configuration conf, String file) {
    return new CompressionCodecFactory(conf).getCodec(new Path(file)) != null;
  }

  /** The header of the {@code prefix} (train or t10k) file pair in {@code dir}. */
  static Header header(JavaSparkContext sc, String dir, String prefix, String field) {
    Configuration conf = sc.hadoopConfiguration();
    return header(conf, resolve(conf, dir, prefix + "-images-idx3-ubyte", field), resolve(conf, dir, prefix + "-labels-idx1-ubyte", field), field);
  }

  private static Header header(Configuration conf, String images, String labels, String field) {
    try {
      Path ip = new Path(images);
      Path lp = new Path(labels);
      FileSystem fs = ip.getFileSystem(conf);
      try (DataInputStream in = new DataInputStream(open(conf, images)); DataInputStream li = new DataInputStream(open(conf, labels))) {
        int magic = in.readInt();
        if (magic != IMAGES_MAGIC) {
          throw new DataException(ip + ": not an IDX image file (magic number " + magic + ", expected " + IMAGES_MAGIC + ")"
              + ((magic >>> 16) == 0x1f8b ? "; it looks gzip-compressed: name it " + ip.getName() + ".gz so that it is read decompressed" : ""));
        }
        long count = in.readInt();
        int rows = in.readInt();
        int cols = in.readInt();
        int lmagic = li.readInt();
        if (lmagic != LABELS_MAGIC) {
          throw new DataException(lp + ": not an IDX label file (magic number " + lmagic + ", expected " + LABELS_MAGIC + ")"
              + ((lmagic >>> 16) == 0x1f8b ? "; it looks gzip-compressed: name it " + lp.getName() + ".gz so that it is read decompressed" : ""));
        }
        long lcount = li.readInt();
        if (lcount != count) {
          throw new DataException(ip + " holds " + count + " images but " + lp + " holds " + lcount + " labels; expected equal counts; use matching files");
        }
        // A compressed file's length says nothing of its content; a short one fails while read.
        long imageBytes = 16 + count * rows * cols;
        long imageLength = fs.getFileStatus(ip).getLen();
        if (!compressed(conf, images) && imageLength < imageBytes) {
          throw new DataException(ip + ": truncated IDX image file (" + imageLength + " bytes; expected " + imageBytes + " for " + count + " images of " + rows + "x" + cols + " pixels); download or uncompress it again");
        }
        long labelLength = fs.getFileStatus(lp).getLen();
        if (!compressed(conf, labels) && labelLength < 8 + count) {
          throw new DataException(lp + ": truncated IDX label file (" + labelLength + " bytes; expected " + (8 + count) + " for " + count + " labels); download or uncompress it again");
        }
        return new Header(count, rows, cols);
      }
    } catch (EOFException e) {
      throw new DataException(field + ": '" + images + "' or its label file ends inside the IDX header (16 bytes for images, 8 for labels); the file is empty or truncated; download or uncompress it again");
    } catch (IOException e) {
      throw new DataException(field + ": cannot read IDX files '" + images + "', '" + labels + "': " + e.getMessage());
    }
  }

  /** The images of a file pair, at most {@code limit} (0: all), in {@code partitions} ranges. */
  static JavaRDD<Image> read(JavaSparkContext sc, String dir, String prefix, long limit, int partitions, String field) {
    Configuration hadoop = sc.hadoopConfiguration();
    String images = resolve(hadoop, dir, prefix + "-images-idx3-ubyte", field);
    String labels = resolve(hadoop, dir, prefix + "-labels-idx1-ubyte", field);
    Header h = header(hadoop, images, labels, field);
    long n = limit > 0 ? Math.min(limit, h.count()) : h.count();
    int parts = (int) Math.max(1, Math.min(partitions, n));
    List<long[]> ranges = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      ranges.add(new long[] {n * i / parts, n * (i + 1) / parts});
    }
    SerializableConfiguration conf = new SerializableConfiguration(hadoop);
    int pixels = h.rows() * h.cols();
    return sc.parallelize(ranges, parts)
        .mapPartitions((Iterator<long[]> it) -> new Iterator<Image>() {
          private Iterator<Image> range = Collections.emptyIterator();

          @Override
          public boolean hasNext() {
            while (!range.hasNext() && it.hasNext()) {
              long[] r = it.next();
              range = new Images(conf.value(), images, labels, r[0], r[1], pixels);
            }
            return range.hasNext();
          }

          @Override
          public Image next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return range.next();
          }
        });
  }

  /**
   * The images of one range, read one at a time as the partition is consumed, so that a range
   * may exceed memory. An uncompressed file is entered by seeking; a compressed one, which cannot
   * seek, is decompressed from its start and the images before the range skipped.
   */
  private static final class Images implements Iterator<Image> {
    private final Configuration conf;
    private final String images;
    private final String labels;
    private final int pixels;
    private final long to;
    private long next;
    private DataInputStream in;
    private DataInputStream li;

    Images(Configuration conf, String images, String labels, long from, long to, int pixels) {
      this.conf = conf;
      this.images = images;
      this.labels = labels;
      this.pixels = pixels;
      this.next = from;
      this.to = to;
    }

    @Override
    public boolean hasNext() {
      if (next < to) {
        return true;
      }
      close();
      return false;
    }

    @Override
    public Image next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      byte[] img = new byte[pixels];
      int lab;
      try {
        if (in == null) {
          in = new DataInputStream(new BufferedInputStream(skipTo(images, 16 + next * pixels), 1 << 16));
          li = new DataInputStream(new BufferedInputStream(skipTo(labels, 8 + next), 1 << 16));
        }
        in.readFully(img);
        lab = li.readUnsignedByte();
      } catch (EOFException e) {
        close();
        throw new DataException(images + " or " + labels + " ends before image " + next + " that its header counts; the file is truncated; download it again");
      } catch (IOException e) {
        close();
        throw new UncheckedIOException("reading IDX image " + next + " of " + images, e);
      }
      float[] px = new float[pixels];
      for (int j = 0; j < pixels; j++) {
        px[j] = img[j] & 0xff;
      }
      return new Image(next++, lab, px);
    }

    private InputStream skipTo(String file, long offset) throws IOException {
      InputStream s = open(conf, file);
      if (s instanceof FSDataInputStream seekable) {
        seekable.seek(offset);
        return s;
      }
      long left = offset;
      while (left > 0) {
        long skipped = s.skip(left);
        if (skipped <= 0) {
          if (s.read() < 0) {
            throw new EOFException(file + " ends at byte " + (offset - left));
          }
          skipped = 1;
        }
        left -= skipped;
      }
      return s;
    }

    private void close() {
      for (InputStream s : new InputStream[] {in, li}) {
        if (s != null) {
          try {
            s.close();
          } catch (IOException e) {
            // Reading is over; a failure to release the stream loses no data.
          }
        }
      }
      in = null;
      li = null;
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
