package dev.nabla.runtime.train;

/**
 * Training produced a NaN or an infinity. The message says where (epoch and step), what went bad,
 * what to try, and where the last good checkpoint is; that checkpoint is left untouched.
 */
public final class DivergenceException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final int step;
  private final double learningRate;

  DivergenceException(String message, int epoch, int step, double learningRate) {
    super(message);
    this.epoch = epoch;
    this.step = step;
    this.learningRate = learningRate;
  }

  /** The 1-based epoch in which training diverged. */
  public int epoch() {
    return epoch;
  }

  /** The 1-based step within the epoch. */
  public int step() {
    return step;
  }

  /** The learning rate at that step. */
  public double learningRate() {
    return learningRate;
  }
}
