package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

/** early_stopping.monitor must name a metric the run reports. */
class MonitorRuleTest {
  private static final String JOB =
      """
      data: {format: csv, path: x.csv, split: {train: 0.8, validation: VAL, test: TEST}, label: {column: y, kind: KIND}}
      model:
        layers:
          - {type: output, units: 1, loss: LOSS}
      early_stopping: {monitor: MONITOR, patience: PATIENCE}
      """;

  private static String job(String kind, String loss, String monitor, int patience, double validation) {
    return JOB.replace("KIND", kind)
        .replace("LOSS", loss)
        .replace("MONITOR", monitor)
        .replace("PATIENCE", Integer.toString(patience))
        .replace("VAL", Double.toString(validation))
        .replace("TEST", Double.toString(Math.round((0.2 - validation) * 1000) / 1000.0));
  }

  @Test
  void aMetricOfAnotherLabelKindIsRefused() {
    SpecException e =
        assertThrows(SpecException.class, () -> TestJobs.parse(job("numeric", "mse", "val_auc", 2, 0.1)));
    assertEquals("early_stopping.monitor", e.violations().get(0).path());
    assertTrue(e.getMessage().contains("val_r2"), e.getMessage());
  }

  @Test
  void metricsOfTheLabelKindAreAccepted() {
    assertDoesNotThrow(() -> TestJobs.parse(job("binary", "binary_crossentropy", "val_auc", 2, 0.1)));
    assertDoesNotThrow(() -> TestJobs.parse(job("numeric", "mse", "val_r2", 2, 0.1)));
    assertDoesNotThrow(() -> TestJobs.parse(job("binary", "binary_crossentropy", "train_loss", 2, 0.0)));
  }

  @Test
  void earlyStoppingOnValidationMetricsNeedsAValidationSplit() {
    SpecException e =
        assertThrows(
            SpecException.class, () -> TestJobs.parse(job("binary", "binary_crossentropy", "val_loss", 2, 0.0)));
    assertEquals("early_stopping.monitor", e.violations().get(0).path());
    assertTrue(e.getMessage().contains("data.split.validation"), e.getMessage());
    // without early stopping the default monitor is harmless
    assertDoesNotThrow(() -> TestJobs.parse(job("binary", "binary_crossentropy", "val_loss", 0, 0.0)));
  }
}
