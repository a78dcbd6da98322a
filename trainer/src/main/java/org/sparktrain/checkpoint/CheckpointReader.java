package org.sparktrain.checkpoint;

import org.sparktrain.files.RunLayout;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads one checkpoint and checks it against its manifest. Damage (a missing, short, changed or
 * unreadable-because-corrupt file) is a problem of the checkpoint; any other I/O failure is kept
 * apart, because it says nothing about whether the checkpoint is good.
 */
final class CheckpointReader {
  private final FileSystem fs;
  private final Retry retry;

  CheckpointReader(FileSystem fs, Retry retry) {
    this.fs = fs;
    this.retry = retry;
  }

  /**
   * The outcome of checking one checkpoint.
   *
   * @param manifest the parsed manifest, or null when there is none to use
   * @param tooNew the newer-format message, or null
   * @param problems what is damaged, one line each, naming the file
   * @param accessFailure an I/O failure that is not damage, or null
   * @param files the files' bytes when asked for and all is well
   */
  record Check(
      Manifest manifest,
      String tooNew,
      List<String> problems,
      IOException accessFailure,
      Map<String, byte[]> files) {

    boolean good() {
      return tooNew == null && problems.isEmpty() && accessFailure == null;
    }

    /** Every problem, the access failure included, as lines. */
    List<String> allProblems() {
      List<String> all = new ArrayList<>(problems);
      if (tooNew != null) {
        all.add(tooNew);
      }
      if (accessFailure != null) {
        all.add("cannot be read: " + IoErrors.describe(accessFailure));
      }
      return all;
    }

    private static Check problem(String problem) {
      return new Check(null, null, List.of(problem), null, Map.of());
    }

    private static Check access(IOException e) {
      return new Check(null, null, List.of(), e, Map.of());
    }
  }

  /** The manifest's bytes; FileNotFoundException when the checkpoint is not committed. */
  byte[] manifestBytes(Path dir) throws IOException {
    Path path = new Path(dir, RunLayout.Checkpoint.MANIFEST);
    return retry.run("reading " + path, () -> read(path, true, 4096).bytes());
  }

  Check check(long step, Path dir, boolean keepBytes) {
    FileStatus status;
    try {
      status = retry.run("looking up " + dir, () -> fs.getFileStatus(dir));
    } catch (FileNotFoundException e) {
      return Check.problem("no checkpoint directory " + dir);
    } catch (IOException e) {
      return Check.access(e);
    }
    if (!status.isDirectory()) {
      return Check.problem(dir + " is a file; expected a checkpoint directory");
    }
    Manifest manifest;
    try {
      manifest = Manifest.parse(manifestBytes(dir), step);
    } catch (FileNotFoundException e) {
      return Check.problem(
          "not committed: no " + RunLayout.Checkpoint.MANIFEST + " (a save that did not finish)");
    } catch (IOException e) {
      return IoErrors.isDamage(e)
          ? Check.problem(RunLayout.Checkpoint.MANIFEST + " is damaged: " + IoErrors.describe(e))
          : Check.access(e);
    } catch (Manifest.Invalid e) {
      return Check.problem(e.getMessage());
    } catch (Manifest.TooNew e) {
      return new Check(null, e.getMessage(), List.of(), null, Map.of());
    }
    return checkFiles(manifest, dir, keepBytes);
  }

  private Check checkFiles(Manifest manifest, Path dir, boolean keepBytes) {
    List<String> problems = new ArrayList<>();
    Map<String, byte[]> files = new LinkedHashMap<>();
    IOException accessFailure = null;
    for (Map.Entry<String, Manifest.FileEntry> e : manifest.files().entrySet()) {
      String name = e.getKey();
      Manifest.FileEntry expected = e.getValue();
      Path path = new Path(dir, name);
      FileRead seen;
      try {
        seen = retry.run("reading " + path, () -> read(path, keepBytes, expected.size()));
      } catch (FileNotFoundException ex) {
        problems.add(
            name + " is missing (the manifest lists it with " + expected.size() + " bytes)");
        continue;
      } catch (IOException ex) {
        if (IoErrors.isDamage(ex)) {
          problems.add(name + " is damaged: " + IoErrors.describe(ex));
        } else if (accessFailure == null) {
          accessFailure = ex;
        } else {
          accessFailure.addSuppressed(ex);
        }
        continue;
      }
      if (seen.size() != expected.size()) {
        problems.add(
            name
                + " is "
                + seen.size()
                + " bytes, the manifest says "
                + expected.size()
                + " (truncated or rewritten after the checkpoint was saved)");
      } else if (!seen.sha256().equals(expected.sha256())) {
        problems.add(
            name
                + " has SHA-256 "
                + seen.sha256()
                + ", the manifest says "
                + expected.sha256()
                + " (its contents changed after the checkpoint was saved)");
      } else if (keepBytes) {
        files.put(name, seen.bytes());
      }
    }
    return new Check(manifest, null, List.copyOf(problems), accessFailure, files);
  }

  private record FileRead(long size, String sha256, byte[] bytes) {}

  private FileRead read(Path path, boolean keep, long expectedSize) throws IOException {
    MessageDigest digest = Sha256.digest();
    ByteArrayOutputStream kept =
        keep ? new ByteArrayOutputStream((int) Math.min(expectedSize, 1 << 26)) : null;
    byte[] buffer = new byte[1 << 16];
    long size = 0;
    try (InputStream in = fs.open(path)) {
      for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
        size += n;
        if (kept != null) {
          kept.write(buffer, 0, n);
        }
      }
    }
    return new FileRead(size, Sha256.finish(digest), kept == null ? null : kept.toByteArray());
  }
}
