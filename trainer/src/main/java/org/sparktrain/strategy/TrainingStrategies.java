package org.sparktrain.strategy;

import org.sparktrain.dl4j.Dl4jVersion;

/** Chooses the strategy named by {@code strategy.type}. */
public final class TrainingStrategies {
  private TrainingStrategies() {}

  /** The strategy of {@code ctx}'s job; first warns (once per JVM) when DL4J is not the version its work-arounds are for. */
  public static TrainingStrategy create(StrategyContext ctx) {
    Dl4jVersion.warnIfUntested();
    return switch (ctx.spec.strategy().type()) {
      case "averaging" -> new AveragingStrategy(ctx);
      case "sharing" -> new SharingStrategy(ctx);
      case "synchronous" -> new SynchronousStrategy(ctx);
      case "auto" -> new AutoStrategy(ctx);
      default ->
          throw new IllegalArgumentException("unknown strategy " + ctx.spec.strategy().type());
    };
  }
}
