/**
 * The job file: each field declared once ({@link org.sparktrain.spec.JobFields}), safe YAML
 * loading, {@code --set} overrides, two-pass validation that reports every violation, and the
 * immutable records the other packages read. It touches neither Spark nor any data.
 */
package org.sparktrain.spec;
