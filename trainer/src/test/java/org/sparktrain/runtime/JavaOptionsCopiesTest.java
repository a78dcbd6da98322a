package org.sparktrain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

/**
 * {@code sparktrain/java-options.txt} is the one source of Spark's Java 17 options; the copies
 * that must stay literal (Maven properties, the jar manifest, spark-defaults files Spark reads as
 * they are) must equal it. A failure names the file and line of the copy that differs.
 */
class JavaOptionsCopiesTest {
  private static final Path ROOT = TestJobs.repoRoot();
  private static final String SOURCE = "trainer/src/main/resources/sparktrain/java-options.txt";
  private static final Pattern JAVA17_OPENS = Pattern.compile("<java17\\.opens>(.*)</java17\\.opens>");
  private static final Pattern ADD_OPENS = Pattern.compile("<Add-Opens>(.*)</Add-Opens>");
  private static final Pattern EXTRA_OPTIONS =
      Pattern.compile("^spark\\.(driver|executor)\\.extraJavaOptions\\s+(.*)$");

  @Test
  void theSourceListsSparksOpens() {
    List<String> options = JavaOptions.LIST;
    assertTrue(options.contains("--add-opens=java.base/java.lang=ALL-UNNAMED"), options.toString());
    assertTrue(options.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), options.toString());
    assertFalse(options.stream().anyMatch(o -> o.startsWith("#") || o.isBlank()), options.toString());
    assertEquals(String.join(" ", options), JavaOptions.OPENS);
    assertEquals("java.base/java.lang", JavaOptions.openedPackages().get(0));
  }

  @Test
  void parseSkipsCommentsAndBlankLines() {
    assertEquals(List.of("-Da=1", "--add-opens=x/y=ALL-UNNAMED"),
        JavaOptions.parse("# a comment\n\n  -Da=1  \n  # indented comment\n--add-opens=x/y=ALL-UNNAMED\n"));
  }

  @Test
  void theMavenPropertyEqualsTheSource() throws IOException {
    List<String> problems = new ArrayList<>();
    int found = check(ROOT.resolve("pom.xml"), JAVA17_OPENS, 1, JavaOptions.OPENS, false, problems);
    assertEquals(1, found, "pom.xml should define java17.opens once");
    assertEquals(List.of(), problems);
  }

  @Test
  void theManifestOpensThePackagesOfTheSource() throws IOException {
    List<String> problems = new ArrayList<>();
    String expected = String.join(" ", JavaOptions.openedPackages());
    int found = check(ROOT.resolve("trainer/pom.xml"), ADD_OPENS, 1, expected, false, problems);
    assertEquals(1, found, "trainer/pom.xml should set the manifest's Add-Opens once");
    assertEquals(List.of(), problems);
  }

  @Test
  void everySparkDefaultsFileStartsItsJavaOptionsWithTheSource() throws IOException {
    List<String> problems = new ArrayList<>();
    int found = 0;
    try (Stream<Path> files = Files.list(ROOT.resolve("cluster-configs"))) {
      for (Path conf : files.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
        int here = check(conf, EXTRA_OPTIONS, 2, JavaOptions.OPENS, true, problems);
        if (here == 0) {
          problems.add(ROOT.relativize(conf) + ": sets no spark.driver/executor.extraJavaOptions; expected the options of " + SOURCE);
        }
        found += here;
      }
    }
    assertTrue(found >= 5, "extraJavaOptions lines found: " + found);
    assertEquals(List.of(), problems);
  }

  /** Files other than the ones checked above must not hold a copy of the list. */
  @Test
  void noOtherFileCopiesTheList() throws IOException {
    Set<String> checked =
        Set.of("pom.xml", "trainer/pom.xml", SOURCE, "trainer/src/test/java/org/sparktrain/runtime/JavaOptionsCopiesTest.java");
    List<String> copies = new ArrayList<>();
    try (Stream<Path> all = Files.walk(ROOT)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        String rel = ROOT.relativize(p).toString().replace('\\', '/');
        if (rel.startsWith(".git") || rel.startsWith("data/") || rel.contains("/target/") || rel.startsWith("target/")
            || rel.startsWith("cluster-configs/") || checked.contains(rel) || !isText(rel)) {
          continue;
        }
        List<String> lines = Files.readAllLines(p);
        for (int i = 0; i < lines.size(); i++) {
          if (lines.get(i).contains("--add-opens=java.base/java.lang=") || lines.get(i).contains("\"java.base/java.lang\"")) {
            copies.add(rel + ":" + (i + 1));
          }
        }
      }
    }
    assertEquals(List.of(), copies, "a copy of the JVM options outside " + SOURCE + "; read the source instead");
  }

  private static boolean isText(String rel) {
    return rel.matches(".*\\.(java|sh|xml|conf|md|yaml|yml|txt|properties|template|py)$");
  }

  /**
   * Checks every line of {@code file} that {@code pattern} matches: group {@code group} must equal
   * {@code expected} (or start with it followed by a space or the end, when {@code prefix}).
   * Returns how many lines matched.
   */
  private static int check(Path file, Pattern pattern, int group, String expected, boolean prefix, List<String> problems)
      throws IOException {
    List<String> lines = Files.readAllLines(file);
    int found = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = pattern.matcher(lines.get(i).strip());
      if (!m.find()) {
        continue;
      }
      found++;
      String value = m.group(group).strip();
      boolean ok = prefix ? value.equals(expected) || value.startsWith(expected + " ") : value.equals(expected);
      if (!ok) {
        problems.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + (prefix ? "does not start with" : "differs from")
            + " the options of " + SOURCE + "\n  expected: " + expected + "\n  found:    " + value);
      }
    }
    return found;
  }
}
