package org.sparktrain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A class-data-sharing archive (JDK 17's AppCDS, {@code -Xshare:dump}) of the classes a trainer
 * JVM loads, for the trainer JVMs that the tests start ({@link TrainerProcess}). A training run
 * loads about 17,000 classes from Spark's, DL4J's and the trainer's jars, most of its start-up;
 * with them mapped from the archive, a 3-epoch run on 1,000 churn rows took 9.6-11.4 s instead of
 * 13.7-15.9 s and {@code --version} 0.72-0.76 s instead of 1.05-1.08 s (2 cores, four runs each,
 * alternated). The integration tests start about a hundred such JVMs.
 *
 * <p>Built once per trainer jar, set of {@code lib/} jars and JVM, beside the jar ({@code
 * target/cds/}): a class list from one short training run ({@code -XX:DumpLoadedClassList}), then
 * the dump (about 45 s together). The JVM itself checks the class path's jars against those the
 * archive was made from and ignores an archive that does not match, so a stale one can only cost
 * time, never load other classes. A failed build is reported on stderr and the JVMs start without an
 * archive; {@code -Dsparktrain.test.cds=false} turns the archive off.
 */
final class TrainerClassArchive {
  private static boolean failed;

  private TrainerClassArchive() {}

  /** The JVM options that map the archive for {@code jar} (built now if missing); empty without one. */
  static synchronized List<String> options(Path jar, Path workDir) {
    if (!Boolean.parseBoolean(System.getProperty("sparktrain.test.cds", "true")) || failed) {
      return List.of();
    }
    try {
      Path archive = jar.getParent().resolve("cds").resolve("trainer-" + key(jar) + ".jsa");
      if (!Files.isRegularFile(archive)) {
        build(jar, workDir, archive);
      }
      // This JDK maps an archive at a random address by default (ArchiveRelocationMode=1) and then
      // patches every pointer in it: 1-2 s of a short command's start-up with a 170 MB archive.
      // Mode 0 maps it where it was dumped, relocating only if that address is taken.
      return List.of("-XX:SharedArchiveFile=" + archive, "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
    } catch (IOException | InterruptedException | RuntimeException e) {
      failed = true;
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      System.err.println("warning: no class-data-sharing archive for " + jar + " (" + e
          + "); trainer JVMs start without one, about 4 s slower each");
      return List.of();
    }
  }

  /** Names the JVM, the jar and each lib/ jar (name, size, modification time). */
  static String key(Path jar) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    List<Path> files = new ArrayList<>(List.of(jar));
    Path lib = jar.getParent().resolve("lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> s = Files.list(lib)) {
        s.sorted().forEach(files::add);
      }
    }
    StringBuilder text = new StringBuilder(System.getProperty("java.home") + "|" + System.getProperty("java.vm.version"));
    for (Path f : files) {
      text.append('|').append(f.getFileName()).append(' ').append(Files.size(f)).append(' ')
          .append(Files.getLastModifiedTime(f).toMillis());
    }
    return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
  }

  private static void build(Path jar, Path workDir, Path archive) throws IOException, InterruptedException {
    Files.createDirectories(archive.getParent());
    Path work = Files.createTempDirectory(archive.getParent(), "build-");
    Path list = work.resolve("classes.lst");
    Path slice = TestJobs.churnSlice(work, 1000);
    List<String> classList = new ArrayList<>(TrainerProcess.JAVA);
    classList.addAll(List.of("-XX:DumpLoadedClassList=" + list,
        "-jar", jar.toString(), "train", "jobs/churn.yaml", "--quiet", "--output", work.resolve("run").toString(),
        "--set", "data.path=" + slice.toUri(), "--set", "training.epochs=2",
        "--set", "strategy.type=synchronous", "--set", "strategy.workers=2", "--set", "checkpoint.every=1"));
    run(work.resolve("class-list.log"), workDir, classList.toArray(String[]::new));
    Path dumped = work.resolve("trainer.jsa");
    run(work.resolve("dump.log"), workDir,
        "java", "-Xmx2g", "-XX:+UseSerialGC", "-Xshare:dump", "-XX:SharedClassListFile=" + list,
        "-XX:SharedArchiveFile=" + dumped, "-cp", jar.toString());
    Files.move(dumped, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> s = Files.walk(work)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void run(Path log, Path workDir, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("timed out after 5 minutes: " + String.join(" ", command) + "; log " + log);
    }
    if (p.exitValue() != 0) {
      throw new IOException("exit code " + p.exitValue() + " from " + String.join(" ", command) + "; log " + log);
    }
  }
}
