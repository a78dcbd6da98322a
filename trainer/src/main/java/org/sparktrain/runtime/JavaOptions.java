package org.sparktrain.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Spark's list of module opens for Java 17 (its JavaModuleOptions), for JVMs this project starts.
 * The list lives in one file, {@value #RESOURCE} on the class path ({@code
 * trainer/src/main/resources/sparktrain/java-options.txt}), which {@code deploy/local-cluster.sh}
 * reads as well; the copies that must stay literal (the poms, the jar manifest, {@code
 * cluster-configs/*.conf}) are checked against it by a unit test.
 */
public final class JavaOptions {
  /** The class-path resource holding the options, one per line; {@code #} starts a comment line. */
  public static final String RESOURCE = "sparktrain/java-options.txt";

  /** The options, in order. */
  public static final List<String> LIST = parse(read());

  /** The options joined by spaces, as a JVM command line or {@code extraJavaOptions} takes them. */
  public static final String OPENS = String.join(" ", LIST);

  private JavaOptions() {}

  /** The packages of the {@code --add-opens} options ({@code java.base/java.lang}, ...), as a manifest's Add-Opens lists them. */
  public static List<String> openedPackages() {
    return LIST.stream()
        .filter(o -> o.startsWith("--add-opens="))
        .map(o -> o.substring("--add-opens=".length()).replaceFirst("=ALL-UNNAMED$", ""))
        .toList();
  }

  /** The options in a file's text: one per non-blank line that is not a {@code #} comment. */
  static List<String> parse(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private static String read() {
    try (InputStream in = JavaOptions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path; the trainer jar is incomplete, rebuild it");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + RESOURCE, e);
    }
  }
}
