package org.sparktrain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Set;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class NativeBuildTest {
  private static final String HASWELL =
      "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme sse4_2 avx f16c fma avx2 bmi2\n\n"
          + "processor\t: 1\nflags\t\t: fpu vme sse4_2 avx f16c fma avx2 bmi2\n";
  private static final String SANDY_BRIDGE = "processor\t: 0\nflags\t\t: fpu vme sse4_2 avx popcnt\n";

  @Test
  void aCpuWithAvx2AndFmaKeepsTheAvx2Build() {
    assertEquals(Set.of(), NativeBuild.missing(HASWELL));
    assertNull(NativeBuild.extensionFor(HASWELL));
  }

  @Test
  void aCpuWithoutAvx2GetsTheGenericBuild() {
    assertEquals(Set.of("avx2", "fma"), NativeBuild.missing(SANDY_BRIDGE));
    assertEquals("", NativeBuild.extensionFor(SANDY_BRIDGE));
    // "avx2" must be a whole flag, not part of another ("avx512f" alone is no AVX2 here)
    assertEquals(Set.of("avx2"), NativeBuild.missing("flags\t: fma avx512f avx2x\n"));
  }

  @Test
  void textWithoutFlagsCountsAsNoAvx2() {
    assertEquals("", NativeBuild.extensionFor("processor\t: 0\n"));
  }

  @Test
  void sessionsRegisterThePluginOnceBesideTheUsersOwn() {
    SparkConf plain = SparkRuntime.conf("t", "local[1]");
    assertEquals(NativeBuildPlugin.class.getName(), plain.get("spark.plugins"));
    System.setProperty("spark.plugins", "com.example.Mine");
    try {
      SparkConf withOwn = SparkRuntime.conf("t", "local[1]");
      assertEquals("com.example.Mine," + NativeBuildPlugin.class.getName(), withOwn.get("spark.plugins"));
    } finally {
      System.clearProperty("spark.plugins");
    }
    System.setProperty("spark.plugins", NativeBuildPlugin.class.getName());
    try {
      assertEquals(NativeBuildPlugin.class.getName(), SparkRuntime.conf("t", "local[1]").get("spark.plugins"));
    } finally {
      System.clearProperty("spark.plugins");
    }
  }
}
