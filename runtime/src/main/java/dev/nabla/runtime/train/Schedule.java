package dev.nabla.runtime.train;

import java.util.Locale;

/**
 * How the learning rate changes during training; a command line parses {@code constant},
 * {@code step:EVERY:FACTOR} (e.g. {@code step:2:0.5}) and {@code cosine} or {@code cosine:MIN_FACTOR}.
 */
public sealed interface Schedule {

  /**
   * The rate of one step.
   *
   * @param base the configured learning rate
   * @param epoch 0-based epoch
   * @param step 0-based minibatch within the epoch
   * @param stepsPerEpoch minibatches per epoch
   * @param epochs epochs in the whole run
   */
  double rate(double base, int epoch, int step, int stepsPerEpoch, int epochs);

  /** The text {@link #parse} reads back. */
  String describe();

  /** The same rate throughout. */
  record Constant() implements Schedule {
    @Override
    public double rate(double base, int epoch, int step, int stepsPerEpoch, int epochs) {
      return base;
    }

    @Override
    public String describe() {
      return "constant";
    }
  }

  /** The rate multiplied by {@code factor} every {@code everyEpochs} epochs: {@code base · factor^⌊epoch/every⌋}. */
  record StepDecay(int everyEpochs, double factor) implements Schedule {
    public StepDecay {
      if (everyEpochs < 1 || !(factor > 0 && factor <= 1)) {
        throw new IllegalArgumentException("step decay needs every ≥ 1 epoch and a factor in (0, 1], got every "
            + everyEpochs + ", factor " + factor);
      }
    }

    @Override
    public double rate(double base, int epoch, int step, int stepsPerEpoch, int epochs) {
      return base * Math.pow(factor, epoch / everyEpochs);
    }

    @Override
    public String describe() {
      return "step:" + everyEpochs + ":" + factor;
    }
  }

  /**
   * Cosine annealing, step by step, from {@code base} down to {@code base · minFactor} at the last step:
   * large steps early, fine ones at the end.
   */
  record Cosine(double minFactor) implements Schedule {
    public Cosine {
      if (!(minFactor >= 0 && minFactor <= 1)) {
        throw new IllegalArgumentException("cosine needs a minimum factor in [0, 1], got " + minFactor);
      }
    }

    @Override
    public double rate(double base, int epoch, int step, int stepsPerEpoch, int epochs) {
      long total = Math.max(1L, (long) stepsPerEpoch * epochs - 1);
      double progress = Math.min(1.0, ((long) epoch * stepsPerEpoch + step) / (double) total);
      return base * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    @Override
    public String describe() {
      return "cosine:" + minFactor;
    }
  }

  static Schedule constant() {
    return new Constant();
  }

  /** Reads {@code constant}, {@code step:EVERY:FACTOR}, {@code cosine} or {@code cosine:MIN_FACTOR}. */
  static Schedule parse(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":");
    try {
      if (parts[0].equals("constant") && parts.length == 1) {
        return new Constant();
      }
      if (parts[0].equals("step") && parts.length == 3) {
        return new StepDecay(Integer.parseInt(parts[1]), Double.parseDouble(parts[2]));
      }
      if (parts[0].equals("cosine") && parts.length <= 2) {
        return new Cosine(parts.length == 2 ? Double.parseDouble(parts[1]) : 0);
      }
    } catch (NumberFormatException e) {
      // the message below says what is accepted
    }
    throw new IllegalArgumentException("unknown schedule '" + text
        + "': expected constant, step:EVERY:FACTOR (e.g. step:2:0.5), cosine or cosine:MIN_FACTOR");
  }
}
