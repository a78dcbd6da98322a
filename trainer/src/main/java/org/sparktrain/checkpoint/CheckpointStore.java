package org.sparktrain.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.files.PausePoints;
import org.sparktrain.files.RunLayout;

/**
 * Checkpoints under one directory of any Hadoop filesystem, one {@code step-NNNNNNNNNN} directory
 * each. Files are written under temporary names and renamed; the manifest, with every file's size
 * and SHA-256, is written last and is what commits a checkpoint. Directory renames are never relied
 * on, since object stores do not make them atomic.
 */
public final class CheckpointStore {
  public static final int FORMAT_VERSION = 1;
  private static final String MANIFEST = RunLayout.Checkpoint.MANIFEST;

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

  private final Path root;
  private final FileSystem fs;
  private final Retry retry;
  private final Faults faults;
  private final CheckpointReader reader;

  /** A checkpoint read back and verified. */
  public record Loaded(
      CheckpointInfo info, Map<String, Object> manifest, Map<String, byte[]> files) {}

  public CheckpointStore(String dir, Configuration conf) {
    this(dir, conf, Retry.DEFAULT, Faults.NONE);
  }

  CheckpointStore(String dir, Configuration conf, Retry retry, Faults faults) {
    Objects.requireNonNull(dir, "dir");
    Path path = new Path(dir);
    try {
      this.fs = path.getFileSystem(conf);
    } catch (UnsupportedFileSystemException e) {
      throw new CheckpointInputException(
          "checkpoint directory '"
              + dir
              + "' names a filesystem Hadoop does not know ("
              + e.getMessage()
              + "); expected a path or a URI such as file:///..., hdfs://namenode/... or"
              + " s3a://bucket/...",
          e);
    } catch (IOException e) {
      throw new CheckpointException("cannot open the filesystem of checkpoint directory " + dir, e);
    }
    this.root = fs.makeQualified(path);
    this.retry = retry;
    this.faults = faults;
    this.reader = new CheckpointReader(fs, retry);
  }

  /** The checkpoint directory, fully qualified. */
  public String dir() {
    return root.toString();
  }

  /** Throws {@link CheckpointInputException} unless the checkpoint directory exists. */
  public void requireDirectory() {
    FileStatus status;
    try {
      status = retry.run("looking up " + root, () -> fs.getFileStatus(root));
    } catch (FileNotFoundException e) {
      throw new CheckpointInputException(
          "checkpoint directory "
              + root
              + " does not exist; expected a directory of step-NNNNNNNNNN checkpoints written by"
              + " train; check the path");
    } catch (IOException e) {
      throw new CheckpointException("cannot look up checkpoint directory " + root, e);
    }
    if (!status.isDirectory()) {
      throw new CheckpointInputException(
          "checkpoint directory " + root + " is a file; expected a directory of checkpoints");
    }
  }

  /**
   * Writes one checkpoint and commits it; returns its info. Throws CheckpointException on failure,
   * after bounded retries (3 attempts, short backoff) of IOExceptions; a failed save never leaves a
   * manifest behind.
   */
  public CheckpointInfo save(
      long step, Map<String, Object> manifestFields, Map<String, byte[]> files) {
    checkSaveArguments(step, manifestFields, files);
    Map<String, Manifest.FileEntry> entries = new LinkedHashMap<>();
    files.forEach(
        (name, bytes) -> entries.put(name, new Manifest.FileEntry(bytes.length, Sha256.of(bytes))));
    byte[] manifest = Manifest.toJson(manifestFields, step, Instant.now(), entries);
    Manifest parsed;
    try {
      parsed = Manifest.parse(manifest, step);
    } catch (Manifest.Invalid | Manifest.TooNew e) {
      throw new IllegalArgumentException("manifest fields are not usable: " + e.getMessage(), e);
    }
    Path dir = stepDir(step);
    try {
      retry.run(
          "saving checkpoint step " + step + " to " + dir,
          () -> {
            writeCheckpoint(step, dir, files, manifest);
            return null;
          });
    } catch (IOException e) {
      CheckpointException failure =
          new CheckpointException(
              "could not save checkpoint step "
                  + step
                  + " to "
                  + dir
                  + " ("
                  + IoErrors.describe(e)
                  + ")"
                  + "; it is not committed; check that the filesystem is reachable and writable",
              e);
      removeUnfinished(dir, failure);
      throw failure;
    }
    LOG.info(
        "checkpoint step {} saved to {} ({} files, {} bytes)",
        step,
        dir,
        files.size(),
        parsed.sizeBytes());
    return committedInfo(dir, parsed);
  }

  private static void checkSaveArguments(
      long step, Map<String, Object> manifestFields, Map<String, byte[]> files) {
    if (step < 0) {
      throw new IllegalArgumentException("checkpoint step must be >= 0, got " + step);
    }
    Objects.requireNonNull(manifestFields, "manifestFields");
    Objects.requireNonNull(files, "files");
    for (String key : manifestFields.keySet()) {
      if (Manifest.RESERVED.contains(key)) {
        throw new IllegalArgumentException(
            "manifest field '" + key + "' is written by the checkpoint store itself; leave it out");
      }
    }
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      String problem = Manifest.fileNameProblem(e.getKey());
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      Objects.requireNonNull(e.getValue(), () -> "bytes of checkpoint file " + e.getKey());
    }
  }

  /** One attempt: clear an unfinished directory, write the files, then the manifest. */
  private void writeCheckpoint(long step, Path dir, Map<String, byte[]> files, byte[] manifest)
      throws IOException {
    FileStatus existing = statusOrNull(dir);
    if (existing != null) {
      if (!existing.isDirectory()) {
        throw new CheckpointException(
            dir
                + " is a file; expected a checkpoint directory or nothing there; remove the file or"
                + " use another checkpoint directory");
      }
      Path manifestPath = new Path(dir, MANIFEST);
      if (fs.exists(manifestPath)) {
        if (Arrays.equals(reader.manifestBytes(dir), manifest)) {
          // An earlier attempt committed and only its reply was lost.
          return;
        }
        throw new CheckpointException(
            "checkpoint step "
                + step
                + " already exists and is committed at "
                + dir
                + "; expected a step not saved before; two runs may share this checkpoint"
                + " directory: use another one, or delete that checkpoint to overwrite it");
      }
      LOG.info("clearing unfinished checkpoint directory {}", dir);
      if (!fs.delete(dir, true)) {
        throw new IOException("could not delete unfinished checkpoint directory " + dir);
      }
    }
    if (!fs.mkdirs(dir)) {
      throw new IOException("could not create checkpoint directory " + dir);
    }
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      writeFile(dir, e.getKey(), e.getValue());
      PausePoints.reach("checkpoint-file@" + step);
    }
    PausePoints.reach("checkpoint-manifest@" + step);
    writeFile(dir, MANIFEST, manifest);
  }

  private void writeFile(Path dir, String name, byte[] bytes) throws IOException {
    Path target = new Path(dir, name);
    Path tmp = new Path(dir, RunLayout.temporaryName(name));
    faults.beforeWrite(target);
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(bytes);
    }
    if (!fs.rename(tmp, target)) {
      throw new IOException("could not rename " + tmp + " to " + target);
    }
    faults.afterRename(target);
  }

  /** Deletes what a failed save left, unless it is committed; a failure to do so is attached. */
  private void removeUnfinished(Path dir, CheckpointException failure) {
    try {
      if (fs.exists(dir) && !fs.exists(new Path(dir, MANIFEST)) && !fs.delete(dir, true)) {
        failure.addSuppressed(
            new IOException("could not delete unfinished checkpoint directory " + dir));
      }
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Every checkpoint directory, newest step first, committed or not (uncommitted: no manifest).
   * Never throws for a corrupt or unreadable manifest: reports it as not committed with a problem
   * text.
   */
  public List<CheckpointInfo> list() {
    List<CheckpointInfo> infos = new ArrayList<>();
    for (FileStatus status : listRoot()) {
      OptionalLong step = stepOf(status.getPath().getName());
      if (status.isDirectory() && step.isPresent()) {
        infos.add(info(step.getAsLong(), status));
      }
    }
    infos.sort(Comparator.comparingLong(CheckpointInfo::step).reversed());
    return infos;
  }

  private FileStatus[] listRoot() {
    try {
      return retry.run("listing " + root, () -> fs.listStatus(root));
    } catch (FileNotFoundException e) {
      return new FileStatus[0];
    } catch (IOException e) {
      throw new CheckpointException(
          "cannot list checkpoint directory "
              + root
              + " ("
              + IoErrors.describe(e)
              + "); check that it is readable",
          e);
    }
  }

  private CheckpointInfo info(long step, FileStatus dirStatus) {
    Path dir = dirStatus.getPath();
    try {
      return committedInfo(dir, Manifest.parse(reader.manifestBytes(dir), step));
    } catch (FileNotFoundException e) {
      return uncommittedInfo(step, dirStatus, null);
    } catch (IOException e) {
      return uncommittedInfo(
          step, dirStatus, MANIFEST + " cannot be read: " + IoErrors.describe(e));
    } catch (Manifest.Invalid e) {
      return uncommittedInfo(step, dirStatus, e.getMessage());
    } catch (Manifest.TooNew e) {
      CheckpointInfo seen = uncommittedInfo(step, dirStatus, e.getMessage());
      return new CheckpointInfo(
          step, seen.path(), true, -1, -1, Map.of(), seen.sizeBytes(), seen.time(), seen.problem());
    }
  }

  private static CheckpointInfo committedInfo(Path dir, Manifest m) {
    return new CheckpointInfo(
        m.step(),
        dir.toString(),
        true,
        m.epoch(),
        m.iteration(),
        m.metrics(),
        m.sizeBytes(),
        m.createdAt(),
        null);
  }

  private CheckpointInfo uncommittedInfo(long step, FileStatus dirStatus, String problem) {
    Path dir = dirStatus.getPath();
    long size = 0;
    try {
      for (FileStatus f : fs.listStatus(dir)) {
        size += f.isFile() ? f.getLen() : 0;
      }
    } catch (IOException e) {
      problem =
          (problem == null ? "" : problem + "; ")
              + "its files cannot be listed: "
              + IoErrors.describe(e);
    }
    Instant time = Instant.ofEpochMilli(dirStatus.getModificationTime());
    return new CheckpointInfo(step, dir.toString(), false, -1, -1, Map.of(), size, time, problem);
  }

  /**
   * Recomputes every checksum of one checkpoint; returns the problems found (empty list = good).
   */
  public List<String> verify(long step) {
    return reader.check(step, stepDir(step), false).allProblems().stream()
        .map(p -> "step " + step + ": " + p)
        .toList();
  }

  /**
   * The newest committed checkpoint whose files all verify, with its files' bytes. Checkpoints that
   * fail verification are skipped and reported through {@code problems}, one message each. Empty
   * when there is none. Throws CheckpointInputException when a checkpoint newer than any good one
   * was written by a newer format, and CheckpointException when one cannot be read for a reason
   * other than damage, since skipping it could silently resume from an older one.
   */
  public Optional<Loaded> latestGood(Consumer<String> problems) {
    for (CheckpointInfo info : list()) {
      if (!info.committed() && info.problem() == null) {
        continue;
      }
      CheckpointReader.Check check = reader.check(info.step(), new Path(info.path()), true);
      if (check.good()) {
        return Optional.of(loaded(info.path(), check));
      }
      rejectUnusable(info.step(), info.path(), check);
      problems.accept(
          "skipping checkpoint step "
              + info.step()
              + " at "
              + info.path()
              + ": "
              + String.join("; ", check.problems())
              + "; trying an older one");
    }
    return Optional.empty();
  }

  /** Reads one checkpoint (verifying checksums; CheckpointException on mismatch). */
  public Loaded load(long step) {
    Path dir = stepDir(step);
    CheckpointReader.Check check = reader.check(step, dir, true);
    rejectUnusable(step, dir.toString(), check);
    if (!check.good()) {
      throw new CheckpointException(
          "checkpoint step "
              + step
              + " at "
              + dir
              + " cannot be loaded: "
              + String.join("; ", check.problems())
              + "; load another step (see `checkpoints list`)");
    }
    return loaded(dir.toString(), check);
  }

  /**
   * Reads the checkpoint in {@code stepDir}, a {@code step-NNNNNNNNNN} directory that the user
   * named as input (model.init_from), verifying every file against its manifest. A directory of
   * another name, and a checkpoint that is not committed, damaged or of a newer format, is bad input
   * ({@link CheckpointInputException}); a filesystem that cannot be read is a {@link
   * CheckpointException}.
   */
  public static Loaded loadStepDirectory(String stepDir, Configuration conf) {
    Path path = new Path(stepDir);
    OptionalLong step = stepOf(path.getName());
    if (step.isEmpty() || path.getParent() == null) {
      throw new CheckpointInputException(
          stepDir
              + " is not a checkpoint step directory; expected a directory named "
              + dirName(3)
              + " (the step in 10 digits) holding a "
              + MANIFEST
              + ", as train writes them in checkpoint.dir; give that directory, the checkpoint"
              + " directory above it, or a model.zip");
    }
    CheckpointStore store = new CheckpointStore(path.getParent().toString(), conf);
    Path dir = store.stepDir(step.getAsLong());
    CheckpointReader.Check check = store.reader.check(step.getAsLong(), dir, true);
    rejectUnusable(step.getAsLong(), dir.toString(), check);
    if (!check.good()) {
      throw new CheckpointInputException(
          "checkpoint step "
              + step.getAsLong()
              + " at "
              + dir
              + " cannot be used: "
              + String.join("; ", check.problems())
              + "; its files must be exactly those its "
              + MANIFEST
              + " lists (a checkpoint changed after it was saved, or whose save did not finish, is"
              + " never read); give another step (see `checkpoints list "
              + store.dir()
              + "`), or a model.zip");
    }
    return loaded(dir.toString(), check);
  }

  private static void rejectUnusable(long step, String path, CheckpointReader.Check check) {
    if (check.tooNew() != null) {
      throw new CheckpointInputException(
          "checkpoint step " + step + " at " + path + " was " + check.tooNew());
    }
    if (check.accessFailure() != null) {
      throw new CheckpointException(
          "cannot read checkpoint step "
              + step
              + " at "
              + path
              + " ("
              + IoErrors.describe(check.accessFailure())
              + "), so whether it is good is unknown; check that the filesystem is reachable and"
              + " readable, then retry",
          check.accessFailure());
    }
  }

  private static Loaded loaded(String path, CheckpointReader.Check check) {
    Manifest m = check.manifest();
    return new Loaded(
        committedInfo(new Path(path), m), m.fields(), Collections.unmodifiableMap(check.files()));
  }

  /**
   * Deletes committed checkpoints except the newest {@code keepLast} and the steps in {@code
   * alsoKeep}; also deletes uncommitted directories older than the newest committed one. Returns
   * the deleted steps, newest first.
   */
  public List<Long> retain(int keepLast, Set<Long> alsoKeep) {
    if (keepLast < 1) {
      throw new IllegalArgumentException(
          "keepLast must be >= 1, got " + keepLast + "; the newest checkpoint is always kept");
    }
    List<CheckpointInfo> all = list();
    Set<Long> keep = new HashSet<>(alsoKeep);
    all.stream().filter(CheckpointInfo::committed).limit(keepLast).forEach(i -> keep.add(i.step()));
    long newestCommitted =
        all.stream()
            .filter(CheckpointInfo::committed)
            .mapToLong(CheckpointInfo::step)
            .max()
            .orElse(-1);
    List<Long> deleted = new ArrayList<>();
    for (CheckpointInfo info : all) {
      boolean old = info.committed() || info.step() < newestCommitted;
      if (old && !keep.contains(info.step())) {
        delete(info, deleted);
        deleted.add(info.step());
      }
    }
    return deleted;
  }

  /** Removes the manifest first, so that a checkpoint half deleted reads as uncommitted. */
  private void delete(CheckpointInfo info, List<Long> deletedSoFar) {
    Path dir = new Path(info.path());
    try {
      retry.run(
          "deleting " + dir,
          () -> {
            Path manifest = new Path(dir, MANIFEST);
            if (fs.exists(manifest) && !fs.delete(manifest, false)) {
              throw new IOException("could not delete " + manifest);
            }
            PausePoints.reach("checkpoint-delete@" + info.step());
            if (fs.exists(dir) && !fs.delete(dir, true)) {
              throw new IOException("could not delete " + dir);
            }
            return null;
          });
    } catch (IOException e) {
      throw new CheckpointException(
          "could not delete old checkpoint step "
              + info.step()
              + " at "
              + dir
              + " ("
              + IoErrors.describe(e)
              + "); already deleted: steps "
              + deletedSoFar
              + "; check permissions, or delete it by hand",
          e);
    }
  }

  private Path stepDir(long step) {
    return new Path(root, dirName(step));
  }

  private static String dirName(long step) {
    return RunLayout.Checkpoint.stepDirName(step);
  }

  private static OptionalLong stepOf(String name) {
    return RunLayout.Checkpoint.stepOf(name);
  }

  private FileStatus statusOrNull(Path path) throws IOException {
    try {
      return fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      return null;
    }
  }
}
