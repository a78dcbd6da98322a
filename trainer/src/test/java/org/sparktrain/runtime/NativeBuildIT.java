package org.sparktrain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Both native builds are on the class path, and the one a JVM loads follows the CPU: the AVX2 build
 * where the CPU has AVX2 and FMA, the generic one where it lacks them (simulated), and ND4J computes
 * with either. Each case is a fresh JVM, since a JVM loads ND4J's library once.
 */
class NativeBuildIT {
  @Test
  void theAvx2BuildLoadsWhereTheCpuHasIt() throws Exception {
    boolean avx2 = NativeBuild.extensionFor(Files.readString(Path.of("/proc/cpuinfo"))) == null;
    List<String> out = probe("real");
    assertTrue(out.contains("SUM 3000.0"), out.toString());
    String lib = line(out, "LIBRARY ");
    assertTrue(lib.endsWith("libnd4jcpu.so"), lib);
    assertEquals(avx2, lib.contains("/linux-x86_64-avx2/"), lib);
  }

  @Test
  void theGenericBuildLoadsOnACpuWithoutAvx2() throws Exception {
    List<String> out = probe("no-avx2");
    assertTrue(out.contains("SUM 3000.0"), out.toString());
    String lib = line(out, "LIBRARY ");
    assertTrue(lib.contains("/linux-x86_64/libnd4jcpu.so"), lib);
  }

  private static String line(List<String> out, String prefix) {
    return out.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
        .orElseThrow(() -> new AssertionError("no line " + prefix + " in " + out));
  }

  private static List<String> probe(String cpu) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), NativeBuildProbe.class.getName(), cpu));
    Path log = Files.createTempFile("native-build", ".txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the probe JVM did not finish in 3 minutes");
    }
    List<String> out = Files.readAllLines(log);
    assertEquals(0, p.exitValue(), String.join("\n", out));
    return out;
  }
}
