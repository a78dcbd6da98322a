package org.sparktrain.strategy;

/** Chooses the strategy named by {@code strategy.type}. */
public final class TrainingStrategies {
  private TrainingStrategies() {}

  public static TrainingStrategy create(StrategyContext ctx) {
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
