package org.sparktrain.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Dl4jVersionTest {
  private static Map<String, String> found(String nn, String spark) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("deeplearning4j-nn", nn);
    m.put("dl4j-spark", spark);
    return m;
  }

  @Test
  void theJarsOnTheClassPathAreTheVersionTheWorkaroundsAreFor() {
    assertEquals("1.0.0-M2", Dl4jVersion.WRITTEN_FOR);
    assertEquals(Dl4jVersion.WRITTEN_FOR, Dl4jVersion.nn());
    assertEquals(Dl4jVersion.WRITTEN_FOR, Dl4jVersion.spark());
    assertNull(Dl4jVersion.warning(found(Dl4jVersion.nn(), Dl4jVersion.spark())));
  }

  @Test
  void anotherVersionIsNamedWithTheOneExpectedAndThePage() {
    String w = Dl4jVersion.warning(found("1.0.0-M2.1", "1.0.0-M2"));
    assertNotNull(w);
    assertTrue(w.contains("deeplearning4j-nn 1.0.0-M2.1"), w);
    assertTrue(!w.contains("dl4j-spark"), "only the artifact that differs is named: " + w);
    assertTrue(w.contains("written for 1.0.0-M2;"), w);
    assertTrue(w.contains("docs/strategies.md"), w);
    assertEquals(1, w.lines().count(), "one line: " + w);
  }

  @Test
  void aVersionThatIsOnlyAPrefixOrUnknownIsNotTheSame() {
    assertNotNull(Dl4jVersion.warning(found("1.0.0", "1.0.0-M2")));
    assertNotNull(Dl4jVersion.warning(found("1.0.0-M2", "1.0.0-M20")));
    String unknown = Dl4jVersion.warning(found(null, "1.0.0-M2"));
    assertTrue(unknown.contains("deeplearning4j-nn unknown"), unknown);
  }

  @Test
  void aJarWithoutMavenMetadataHasNoVersion() {
    assertNull(Dl4jVersion.version(String.class, "org.deeplearning4j", "deeplearning4j-nn"));
  }
}
