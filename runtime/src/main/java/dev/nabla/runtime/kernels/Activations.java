package dev.nabla.runtime.kernels;

/**
 * The activations a generated class calls for a lane's samples of a stored per-sample value. The elementwise ones,
 * {@code y[yFrom + i] = f(x[xFrom + i])} for {@code i < length}, where {@code x} and {@code y} may be the same array at
 * the same offset: tanh and sigmoid on the {@link Kernels} this JVM runs (see
 * {@link KernelSupport#tanh(float[], int, float[], int, int)}), ReLU as a loop C2 vectorizes. Softmax and log-softmax
 * over each sample's row, from {@code x[xOffset + b·xStride ..]} to {@code y[b·width ..]}.
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

  /** {@code y = max(x, 0)}, elementwise. */
  public static void relu(float[] x, int xFrom, float[] y, int yFrom, int length) {
    RowsFloat.relu(x, xFrom, y, yFrom, length);
  }

  /** {@link #relu(float[], int, float[], int, int)} in double. */
  public static void relu(double[] x, int xFrom, double[] y, int yFrom, int length) {
    RowsDouble.relu(x, xFrom, y, yFrom, length);
  }

  /** {@code y_b = softmax(x_b)} for each of the samples {@code [lo, hi)}, each row of {@code width} values. */
  public static void softmax(float[] x, int xOffset, int xStride, float[] y, int width, int lo, int hi) {
    RowsFloat.softmax(x, xOffset, xStride, y, width, lo, hi);
  }

  /** {@link #softmax(float[], int, int, float[], int, int, int)} in double. */
  public static void softmax(double[] x, int xOffset, int xStride, double[] y, int width, int lo, int hi) {
    RowsDouble.softmax(x, xOffset, xStride, y, width, lo, hi);
  }

  /** {@code y_b = log softmax(x_b)} for each of the samples {@code [lo, hi)}, each row of {@code width} values. */
  public static void logSoftmax(float[] x, int xOffset, int xStride, float[] y, int width, int lo, int hi) {
    RowsFloat.logSoftmax(x, xOffset, xStride, y, width, lo, hi);
  }

  /** {@link #logSoftmax(float[], int, int, float[], int, int, int)} in double. */
  public static void logSoftmax(double[] x, int xOffset, int xStride, double[] y, int width, int lo, int hi) {
    RowsDouble.logSoftmax(x, xOffset, xStride, y, width, lo, hi);
  }
}
