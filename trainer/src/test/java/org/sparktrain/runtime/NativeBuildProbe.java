package org.sparktrain.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A JVM of {@link NativeBuildIT}: chooses the build as the trainer does (argument {@code real}) or
 * for a CPU without AVX2 ({@code no-avx2}), computes with ND4J and prints the libnd4jcpu it loaded.
 */
public final class NativeBuildProbe {
  private NativeBuildProbe() {}

  public static void main(String[] a) throws Exception {
    if (a[0].equals("no-avx2")) {
      NativeBuild.choose("processor\t: 0\nflags\t\t: fpu sse4_2 avx popcnt\n");
    } else {
      NativeBuild.choose();
    }
    float sum = Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1000).muli(3).sumNumber().floatValue();
    String lib = Files.readAllLines(Path.of("/proc/self/maps")).stream()
        .filter(l -> l.contains("libnd4jcpu")).map(l -> l.substring(l.indexOf('/'))).findFirst().orElse("none");
    System.out.println("SUM " + sum);
    System.out.println("LIBRARY " + lib);
  }
}
