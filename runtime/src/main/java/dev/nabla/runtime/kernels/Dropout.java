package dev.nabla.runtime.kernels;

/**
 * Inverted dropout, as PyTorch's: in training each value is kept with probability {@code 1 − p} and
 * scaled by {@code 1/(1 − p)}, so that its expectation is unchanged and prediction is the identity.
 *
 * <p>Masks are reproducible whatever the thread count: sample {@code b}'s mask is drawn from a
 * SplitMix64 stream seeded by a hash of {@code (seed, step, b)} alone, so a batch split into any
 * {@code [lo, hi)} ranges gets the same masks. The float and double overloads draw the same mask.
 */
public final class Dropout {
  private Dropout() {}

  /** SplitMix64's increment (the golden ratio in 64 bits). */
  private static final long GAMMA = 0x9E3779B97F4A7C15L;

  /**
   * y[b] = x[b] ⊙ mask / (1 − p), mask[b·size + i] ∈ {0, 1/(1−p)} stored for the backward pass; the
   * mask of sample b depends only on (seed, step, b) and i. Overwrites y and the mask's rows [lo, hi).
   */
  public static void forward(double p, long seed, long step, float[] x, int xOffset, int xStride, int size,
      int lo, int hi, float[] y, int yOffset, int yStride, float[] mask) {
    requireProbability(p);
    float kept = (float) (1 / (1 - p));
    for (int b = lo; b < hi; b++) {
      long state = sampleSeed(seed, step, b);
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset, ms = b * size;
      for (int i = 0; i < size; i++) {
        state += GAMMA;
        float m = uniform(mix(state)) < p ? 0f : kept;
        mask[ms + i] = m;
        y[ys + i] = x[xs + i] * m;
      }
    }
  }

  /** {@link #forward(double, long, long, float[], int, int, int, int, int, float[], int, int, float[])} in double. */
  public static void forward(double p, long seed, long step, double[] x, int xOffset, int xStride, int size,
      int lo, int hi, double[] y, int yOffset, int yStride, double[] mask) {
    requireProbability(p);
    double kept = 1 / (1 - p);
    for (int b = lo; b < hi; b++) {
      long state = sampleSeed(seed, step, b);
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset, ms = b * size;
      for (int i = 0; i < size; i++) {
        state += GAMMA;
        double m = uniform(mix(state)) < p ? 0 : kept;
        mask[ms + i] = m;
        y[ys + i] = x[xs + i] * m;
      }
    }
  }

  /** dx[b] = dy[b] ⊙ mask. Overwrites dx. */
  public static void gradient(float[] dy, int dyOffset, int dyStride, int size, float[] mask, int lo, int hi,
      float[] dx, int dxOffset, int dxStride) {
    for (int b = lo; b < hi; b++) {
      int ys = b * dyStride + dyOffset, xs = b * dxStride + dxOffset, ms = b * size;
      for (int i = 0; i < size; i++) {
        dx[xs + i] = dy[ys + i] * mask[ms + i];
      }
    }
  }

  /** {@link #gradient(float[], int, int, int, float[], int, int, float[], int, int)} in double. */
  public static void gradient(double[] dy, int dyOffset, int dyStride, int size, double[] mask, int lo, int hi,
      double[] dx, int dxOffset, int dxStride) {
    for (int b = lo; b < hi; b++) {
      int ys = b * dyStride + dyOffset, xs = b * dxStride + dxOffset, ms = b * size;
      for (int i = 0; i < size; i++) {
        dx[xs + i] = dy[ys + i] * mask[ms + i];
      }
    }
  }

  private static void requireProbability(double p) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("a dropout probability is in [0, 1), not " + p);
    }
  }

  /** The start of sample b's stream: (seed, step, b) mixed so that neighbouring steps and samples share nothing. */
  static long sampleSeed(long seed, long step, long sample) {
    return mix(mix(mix(seed) + step * GAMMA) + sample * GAMMA);
  }

  /** SplitMix64's finalizer (Stafford's variant 13). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The top 53 bits as a double in [0, 1). */
  private static double uniform(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }
}
