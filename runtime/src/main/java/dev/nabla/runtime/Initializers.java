package dev.nabla.runtime;

import java.util.SplittableRandom;

/**
 * The initializations generated models use, drawn from a {@link SplittableRandom} so that one seed
 * gives the same parameters on every JVM. Dependency-free: generated code calls it.
 *
 * <p>The draw order is part of the contract: values are filled in array order (row-major), one
 * {@code nextDouble()} each, so a model that initializes its parameters in declaration order is
 * reproducible from its seed alone.
 */
public final class Initializers {

  private Initializers() {}

  /** PyTorch's {@code nn.Linear} bound for weights and biases: {@code 1/sqrt(fanIn)}. */
  public static double linearBound(int fanIn) {
    if (fanIn <= 0) {
      throw new IllegalArgumentException("fan-in must be positive, was " + fanIn);
    }
    return 1.0 / Math.sqrt(fanIn);
  }

  /** Fills {@code target} with values drawn uniformly from {@code [-bound, bound)}. */
  public static void uniform(float[] target, double bound, SplittableRandom random) {
    for (int i = 0; i < target.length; i++) {
      target[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
  }

  /** {@link #uniform(float[], double, SplittableRandom)} for a double-precision model. */
  public static void uniform(double[] target, double bound, SplittableRandom random) {
    for (int i = 0; i < target.length; i++) {
      target[i] = (random.nextDouble() * 2 - 1) * bound;
    }
  }
}
