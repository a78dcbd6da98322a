package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seconds moved between phases: what a strategy did for validation inside its training stage. */
class PhasesTest {
  @Test
  void moveTakesSecondsFromOnePhaseAndGivesThemToAnother() {
    Phases phases = new Phases(null); // no phase runs here, so no Spark context is needed
    phases.move("Train", "Validate", 0.25);
    phases.move("Train", "Validate", 0.5);
    phases.move("Train", "Validate", 0.0);
    assertEquals(Map.of("Train", -0.75, "Validate", 0.75), phases.seconds());
  }
}
