package org.sparktrain.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of ND4J's native CPU builds a JVM loads. The project ships two: libnd4j built for AVX2
 * ({@code nd4j-native:linux-x86_64-avx2}, 1.26-1.45x faster per minibatch: its element-wise loops
 * and updaters are vectorized) and the generic x86-64 build ({@code linux-x86_64}). JavaCPP loads
 * the most specific build on the class path by itself, the AVX2 one; on a CPU without AVX2 and FMA
 * ND4J then refuses to start ("CPU Feature Check Failed ... ND4J will now exit"). {@link
 * #choose()} prevents that: on such a CPU it sets JavaCPP's {@code
 * org.bytedeco.javacpp.platform.extension} to the empty string, which selects the generic build.
 *
 * <p>It must run before ND4J's first use in the JVM: the command line's entry point, the session
 * start-up and, on executors, {@link NativeBuildPlugin} (registered through {@code spark.plugins}
 * by {@link SparkRuntime#conf}). A value the user set for the property is kept, so {@code
 * -Dorg.bytedeco.javacpp.platform.extension=} forces the generic build on any CPU.
 */
public final class NativeBuild {
  private static final Logger LOG = LoggerFactory.getLogger(NativeBuild.class);

  /** JavaCPP's property that picks a build by its classifier's suffix ("" is the generic one). */
  public static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";

  /** The CPU flags that libnd4j's AVX2 build needs ({@code -mavx2 -mfma}). */
  static final Set<String> AVX2_FLAGS = Set.of("avx2", "fma");

  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  private NativeBuild() {}

  /**
   * Selects the generic build in this JVM when the CPU cannot run the AVX2 one; does nothing when
   * the user chose a build, when the CPU has AVX2, or off Linux x86-64 (no build of ours applies).
   */
  public static void choose() {
    if (System.getProperty(EXTENSION) != null
        || !"linux".equalsIgnoreCase(System.getProperty("os.name"))
        || !Set.of("amd64", "x86_64").contains(System.getProperty("os.arch", "").toLowerCase(Locale.ROOT))) {
      return;
    }
    String cpuinfo;
    try {
      cpuinfo = Files.readString(CPUINFO);
    } catch (IOException e) {
      // Without the flags the AVX2 build is the likely right one (every x86-64 CPU since 2013-2015
      // has it); if it is not, ND4J says so when it starts.
      LOG.warn("Could not read {} ({}); ND4J's AVX2 build will load; on a CPU without AVX2 set -D{}=",
          CPUINFO, e.toString(), EXTENSION);
      return;
    }
    choose(cpuinfo);
  }

  /** As {@link #choose()} for a CPU that {@code /proc/cpuinfo} text describes. */
  static void choose(String cpuinfo) {
    String extension = extensionFor(cpuinfo);
    if (extension != null && System.getProperty(EXTENSION) == null) {
      System.setProperty(EXTENSION, extension);
      LOG.info("This CPU lacks {} of AVX2 and FMA: ND4J's generic x86-64 build will load (slower)",
          String.join(", ", missing(cpuinfo)));
    }
  }

  /**
   * The value {@link #EXTENSION} must take for a CPU described by {@code /proc/cpuinfo} text, or
   * null when the default choice (the AVX2 build) runs on it.
   */
  static String extensionFor(String cpuinfo) {
    return missing(cpuinfo).isEmpty() ? null : "";
  }

  /** Flags of {@link #AVX2_FLAGS} that the first processor's "flags" line lacks. */
  static Set<String> missing(String cpuinfo) {
    Set<String> flags =
        cpuinfo
            .lines()
            .filter(l -> l.startsWith("flags"))
            .findFirst()
            .map(l -> Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+")).collect(Collectors.toSet()))
            .orElse(Set.of());
    return AVX2_FLAGS.stream().filter(f -> !flags.contains(f)).collect(Collectors.toCollection(java.util.TreeSet::new));
  }
}
