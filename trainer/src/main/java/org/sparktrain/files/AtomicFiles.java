package org.sparktrain.files;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Replaces a file whole on any Hadoop filesystem: written under a temporary name in the same
 * directory, then renamed over the target in one step, so that a reader sees either the old file or
 * the new one and never no file. Local paths use the operating system's atomic rename; other
 * filesystems {@code FileContext.rename} with OVERWRITE (atomic on HDFS).
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What writes the file's bytes to the temporary file. */
  @FunctionalInterface
  public interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** The temporary name {@code target} is written under before the rename. */
  public static Path temporary(Path target) {
    return RunLayout.temporary(target);
  }

  /** Replaces {@code target} with {@code bytes}. */
  public static void write(Path target, byte[] bytes, Configuration conf) {
    write(target, out -> out.write(bytes), conf);
  }

  /** Replaces {@code target} with {@code text} in UTF-8. */
  public static void write(Path target, String text, Configuration conf) {
    write(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), conf);
  }

  /**
   * Writes {@code target} through {@code body}; throws UncheckedIOException when it cannot, leaving
   * the old file (if any) in place.
   */
  public static void write(Path target, Body body, Configuration conf) {
    try {
      FileSystem fs = target.getFileSystem(conf);
      Path qualified = fs.makeQualified(target);
      if ("file".equals(qualified.toUri().getScheme())) {
        writeLocal(qualified, body);
      } else {
        writeHadoop(qualified, body, fs, conf);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + target, e);
    }
  }

  private static void writeLocal(Path target, Body body) throws IOException {
    java.nio.file.Path file = Paths.get(target.toUri());
    java.nio.file.Path tmp = file.resolveSibling(RunLayout.temporaryName(file.getFileName().toString()));
    try (FileChannel channel =
        FileChannel.open(
            tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      OutputStream out = Channels.newOutputStream(channel);
      body.write(out);
      out.flush();
      // On disk before the rename, so that a crash of the machine cannot leave the new name empty.
      channel.force(true);
    }
    // Hadoop's local filesystem checks a file against ".<name>.crc" when one exists; a stale one
    // from an earlier writer would fail the new file, and without one nothing is checked.
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    PausePoints.reach("replace-" + file.getFileName());
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void writeHadoop(Path target, Body body, FileSystem fs, Configuration conf)
      throws IOException {
    Path tmp = temporary(target);
    try (OutputStream out = fs.create(tmp, true)) {
      body.write(out);
    }
    PausePoints.reach("replace-" + target.getName());
    FileContext.getFileContext(target.toUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
  }
}
