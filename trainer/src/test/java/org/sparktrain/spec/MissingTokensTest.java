package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparktrain.spec.SpecFixtures.BASE;
import static org.sparktrain.spec.SpecFixtures.assertViolation;
import static org.sparktrain.spec.SpecFixtures.violations;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

/** data.missing.tokens and data.multiline: defaults, YAML's null as an item, which cells are missing. */
class MissingTokensTest {
  @Test
  void defaultsAreTheEmptyCellAndOneLinePerRow() {
    JobSpec s = TestJobs.parse(BASE);
    assertEquals(List.of(""), s.data().missing().tokens());
    assertFalse(s.data().multiline());
  }

  @Test
  void theReferenceShowsTheDefaultAsWrittenInAJobFile() {
    assertTrue(JobFields.markdownReference().contains("| `data.missing.tokens` | string_list | [\"\"] |"));
    assertTrue(JobFields.markdownReference().contains("| `data.features.drop` | string_list | [] |"));
  }

  @Test
  void tokensAndMultilineAreReadAndWrittenBack() {
    JobSpec s = TestJobs.parse(BASE, "data.missing.tokens=[NA, \"?\", \"null\", -999]", "data.multiline=true");
    assertEquals(List.of("NA", "?", "null", "-999"), s.data().missing().tokens());
    assertTrue(s.data().multiline());
    assertEquals(s, TestJobs.parse(JobSpecWriter.toYaml(s)));
  }

  @Test
  void aBareNullItemIsRefusedWithHowToQuoteIt() {
    assertViolation(violations(BASE, "data.missing.tokens=[NA, null]"), "data.missing.tokens", "item 2 is YAML's null, not text; quote it");
    assertViolation(violations(BASE, "data.missing.tokens=NA"), "data.missing.tokens", "expected a list of cell values");
  }

  @Test
  void aCellIsMissingWhenBlankOrEqualToATokenOnceTrimmed() {
    JobSpec.MissingSpec m = new JobSpec.MissingSpec("fail", "mean", null, List.of("NA", " ? "));
    for (String cell : new String[] {null, "", "  ", "NA", " NA ", "?"}) {
      assertTrue(m.isMissing(cell), "missing: [" + cell + "]");
    }
    for (String cell : new String[] {"na", "N/A", "0", "NaN"}) {
      assertFalse(m.isMissing(cell), "not missing: [" + cell + "]");
    }
  }
}
