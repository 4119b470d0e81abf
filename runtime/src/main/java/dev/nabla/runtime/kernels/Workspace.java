package dev.nabla.runtime.kernels;

/**
 * Scratch for the kernels of one thread: row buffers that grow to the largest size asked for and are
 * then reused, so that a training loop allocates nothing after its first step. Not thread-safe: each
 * lane of a model has its own.
 */
public final class Workspace {
  private final float[][][] floats = new float[Slot.values().length][][];
  private final double[][][] doubles = new double[Slot.values().length][][];

  /** What a buffer is for; each kernel uses its slots for one call only. */
  enum Slot { PANEL, SUMS, SAMPLES, COEFFICIENTS, GRADIENT }

  /** A float matrix of at least {@code rows × columns} for {@code slot}: its rows are arrays of their own, starting at 0. */
  float[][] floats(Slot slot, int rows, int columns) {
    float[][] held = floats[slot.ordinal()];
    if (held == null || held.length < rows || held[0].length < columns) {
      int r = held == null ? rows : Math.max(rows, held.length);
      int c = held == null ? columns : Math.max(columns, held[0].length);
      held = new float[Math.max(1, r)][Math.max(1, c)];
      floats[slot.ordinal()] = held;
    }
    return held;
  }

  /** {@link #floats} in double. */
  double[][] doubles(Slot slot, int rows, int columns) {
    double[][] held = doubles[slot.ordinal()];
    if (held == null || held.length < rows || held[0].length < columns) {
      int r = held == null ? rows : Math.max(rows, held.length);
      int c = held == null ? columns : Math.max(columns, held[0].length);
      held = new double[Math.max(1, r)][Math.max(1, c)];
      doubles[slot.ordinal()] = held;
    }
    return held;
  }

  /** What a flat buffer of the convolution kernels is for (im2col columns, a zero-padded sample, a transposed kernel or δ, sums). */
  enum Flat { COLUMNS, PADDED, TRANSPOSED, SUMS }

  private final float[][] flatFloats = new float[Flat.values().length][];
  private final double[][] flatDoubles = new double[Flat.values().length][];

  /** A float array of at least {@code length} for {@code slot}, kept for the next call. */
  float[] floats(Flat slot, int length) {
    float[] held = flatFloats[slot.ordinal()];
    if (held == null || held.length < length) {
      held = new float[Math.max(1, length)];
      flatFloats[slot.ordinal()] = held;
    }
    return held;
  }

  /** {@link #floats(Flat, int)} in double. */
  double[] doubles(Flat slot, int length) {
    double[] held = flatDoubles[slot.ordinal()];
    if (held == null || held.length < length) {
      held = new double[Math.max(1, length)];
      flatDoubles[slot.ordinal()] = held;
    }
    return held;
  }
}
