package dev.nabla.runtime.kernels;

/**
 * The elementwise activations a generated class calls for a lane's samples of a stored per-sample value:
 * {@code y[yFrom + i] = f(x[xFrom + i])} for {@code i < length}, on the {@link Kernels} this JVM runs
 * (see {@link KernelSupport#tanh(float[], int, float[], int, int)}). {@code x} and {@code y} may be the
 * same array at the same offset.
 */
public final class Activations {
  private Activations() {}

  private static final KernelSupport KERNELS = Kernels.get();

  /** {@code y = tanh(x)}, elementwise. */
  public static void tanh(float[] x, int xFrom, float[] y, int yFrom, int length) {
    KERNELS.tanh(x, xFrom, y, yFrom, length);
  }

  /** {@link #tanh(float[], int, float[], int, int)} in double. */
  public static void tanh(double[] x, int xFrom, double[] y, int yFrom, int length) {
    KERNELS.tanh(x, xFrom, y, yFrom, length);
  }

  /** {@code y = 1 / (1 + exp(−x))}, elementwise. */
  public static void sigmoid(float[] x, int xFrom, float[] y, int yFrom, int length) {
    KERNELS.sigmoid(x, xFrom, y, yFrom, length);
  }

  /** {@link #sigmoid(float[], int, float[], int, int)} in double. */
  public static void sigmoid(double[] x, int xFrom, double[] y, int yFrom, int length) {
    KERNELS.sigmoid(x, xFrom, y, yFrom, length);
  }
}
