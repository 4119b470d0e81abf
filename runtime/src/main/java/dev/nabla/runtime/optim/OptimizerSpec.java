package dev.nabla.runtime.optim;

import dev.nabla.runtime.Trainable;
import java.util.Locale;

/**
 * Which optimizer to train with and its settings: what a training configuration holds and a
 * command line parses ({@code sgd}, {@code momentum}, {@code momentum:0.8}, {@code adam},
 * {@code adam:0.9:0.999:1e-8}).
 */
public sealed interface OptimizerSpec {

  /** A fresh optimizer for {@code model}. */
  Optimizer create(Trainable model);

  /** The text {@link #parse} reads back. */
  String describe();

  /** Plain SGD through the model's fused train step. */
  record Sgd() implements OptimizerSpec {
    @Override
    public Optimizer create(Trainable model) {
      return new dev.nabla.runtime.optim.Sgd();
    }

    @Override
    public String describe() {
      return "sgd";
    }
  }

  /** SGD with momentum {@code μ} (0.9 is the usual choice). */
  record Momentum(double momentum) implements OptimizerSpec {
    /** Settings out of range are refused here, when they are read, not when training has started. */
    public Momentum {
      if (!(momentum >= 0 && momentum < 1)) {
        throw new IllegalArgumentException("the momentum μ is in [0, 1), not " + momentum + " (0.9 is the usual choice)");
      }
    }

    @Override
    public Optimizer create(Trainable model) {
      return new dev.nabla.runtime.optim.Momentum(model, momentum);
    }

    @Override
    public String describe() {
      return "momentum:" + momentum;
    }
  }

  /** Adam with the decay rates of its two moments and its {@code ε}. */
  record Adam(double beta1, double beta2, double epsilon) implements OptimizerSpec {
    /** Settings out of range are refused here, when they are read, not when training has started. */
    public Adam {
      if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0 && Double.isFinite(epsilon))) {
        throw new IllegalArgumentException("Adam needs 0 ≤ β1 < 1, 0 ≤ β2 < 1 and a finite ε > 0, not β1=" + beta1 + ", β2=" + beta2
            + ", ε=" + epsilon + " (the usual choice is adam:0.9:0.999:1e-8)");
      }
    }

    @Override
    public Optimizer create(Trainable model) {
      return new dev.nabla.runtime.optim.Adam(model, beta1, beta2, epsilon);
    }

    @Override
    public String describe() {
      return "adam:" + beta1 + ":" + beta2 + ":" + epsilon;
    }
  }

  static OptimizerSpec sgd() {
    return new Sgd();
  }

  static OptimizerSpec momentum() {
    return new Momentum(0.9);
  }

  static OptimizerSpec adam() {
    return new Adam(0.9, 0.999, 1e-8);
  }

  /** Reads {@code sgd}, {@code momentum[:μ]} or {@code adam[:β1:β2:ε]}; anything else is an {@link IllegalArgumentException} saying what is accepted. */
  static OptimizerSpec parse(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":");
    try {
      switch (parts[0]) {
        case "sgd":
          if (parts.length == 1) {
            return sgd();
          }
          break;
        case "momentum":
          if (parts.length <= 2) {
            return new Momentum(parts.length == 2 ? Double.parseDouble(parts[1]) : 0.9);
          }
          break;
        case "adam":
          if (parts.length == 1) {
            return adam();
          }
          if (parts.length == 4) {
            return new Adam(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), Double.parseDouble(parts[3]));
          }
          break;
        default:
          break;
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("unknown optimizer '" + text
        + "': expected sgd, momentum, momentum:MU, adam or adam:BETA1:BETA2:EPSILON");
  }
}
