package org.sparktrain.runtime;

import java.util.Map;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Runs {@link NativeBuild#choose()} on every executor when it starts, before its first task can
 * load ND4J. {@link SparkRuntime#conf} adds it to {@code spark.plugins}; an application that builds
 * its own session adds {@code org.sparktrain.runtime.NativeBuildPlugin} there (needed only on
 * executors whose CPU lacks AVX2).
 */
public final class NativeBuildPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        NativeBuild.choose();
      }
    };
  }
}
