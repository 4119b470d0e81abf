package dev.nabla.runtime.kernels;

/**
 * The matrix products a generated model runs, each over the samples {@code [lo, hi)} of a batch. A
 * batch's per-sample vectors lie in flat row-major arrays: sample {@code b}'s vector of a value with
 * stride {@code s} and offset {@code o} is at {@code [b s + o, b s + o + length)}. A weight matrix
 * {@code w} of {@code rows × columns} is row-major, {@code w[i columns + j]}.
 *
 * <p>The input of a product that takes {@code xRows} may be a batch's samples where they lie in their data set, in
 * another order (a shuffled step, which then copies nothing): sample {@code b}'s vector is at {@code xRows[b] s + o}
 * instead of {@code b s + o}. {@code xRows} is {@code null} for a batch of its own, and the sums are the same bits
 * either way.
 *
 * <p>Two implementations: {@link ScalarKernels}, plain Java 17 in the loop forms C2 vectorizes, and
 * {@code PanamaKernels}, written with the incubating Vector API and loaded only when the JVM has the
 * {@code jdk.incubator.vector} module (see {@link Kernels}). They agree to rounding: sums are taken in
 * another order, which for the Panama kernels depends on the machine's vector width.
 *
 * <p>The {@link Workspace} is the calling lane's scratch (transposed panels, row buffers): a thread
 * that calls a kernel passes its own, so kernels allocate nothing once a workspace has grown to size.
 */
public interface KernelSupport {

  /** {@code scalar} or {@code vector}: what {@code -Dnabla.kernels} names. */
  String name();

  /**
   * A dense layer's forward product: {@code out[b, i] = bias[i] + Σ_k w[i, k] x[b, k]} for each sample
   * {@code b} in {@code [lo, hi)} and each of the {@code rows} rows of {@code w} ({@code bias} may be
   * {@code null}: no bias).
   */
  void dense(Workspace work, float[] w, int rows, int columns, float[] bias, float[] x, int xOffset, int xStride,
      int[] xRows, int lo, int hi, float[] out, int outOffset, int outStride);

  /** {@link #dense(Workspace, float[], int, int, float[], float[], int, int, int[], int, int, float[], int, int)} in double. */
  void dense(Workspace work, double[] w, int rows, int columns, double[] bias, double[] x, int xOffset, int xStride,
      int[] xRows, int lo, int hi, double[] out, int outOffset, int outStride);

  /**
   * A weight gradient as one product over the samples: {@code g[i, j] += scale Σ_b d[b, i] x[b, j]}
   * for {@code b} in {@code [lo, hi)}, {@code g} of {@code rows × columns}, {@code d} a vector of
   * {@code rows} per sample (the δ of the layer) and {@code x} one of {@code columns} (its input).
   */
  void weightGradient(Workspace work, float[] g, int rows, int columns, float[] d, int dOffset, int dStride,
      float[] x, int xOffset, int xStride, int[] xRows, int lo, int hi, float scale);

  /** {@link #weightGradient(Workspace, float[], int, int, float[], int, int, float[], int, int, int[], int, int, float)} in double. */
  void weightGradient(Workspace work, double[] g, int rows, int columns, double[] d, int dOffset, int dStride,
      double[] x, int xOffset, int xStride, int[] xRows, int lo, int hi, double scale);

  /**
   * The backward product {@code Wᵀ δ}: {@code out[b, j] = Σ_i w[i, j] d[b, i]} for each sample {@code b}
   * in {@code [lo, hi)} and each of the {@code columns} columns of {@code w}.
   */
  void transposedDense(Workspace work, float[] w, int rows, int columns, float[] d, int dOffset, int dStride,
      int lo, int hi, float[] out, int outOffset, int outStride);

  /** {@link #transposedDense(Workspace, float[], int, int, float[], int, int, int, int, float[], int, int)} in double. */
  void transposedDense(Workspace work, double[] w, int rows, int columns, double[] d, int dOffset, int dStride,
      int lo, int hi, double[] out, int outOffset, int outStride);

  /**
   * The activation {@code y[yFrom + i] = tanh(x[xFrom + i])} for {@code i < length}: a lane's samples of a
   * per-sample value are one contiguous run, {@code [lo size, hi size)}. {@code Math.tanh} is not an
   * intrinsic of JDK 17 (about 45 ns a value, most of a 784-256-128-10 forward pass); the Vector API kernel takes
   * vectors of the values in double through a series of e^x (about 6 ns; not the API's SVML {@code TANH}, whose
   * results change once C2 compiles it), and the plain Java kernel goes through {@code Math.exp} (about 12 ns).
   * Both give the same bits in every tier of the JIT.
   */
  void tanh(float[] x, int xFrom, float[] y, int yFrom, int length);

  /** {@link #tanh(float[], int, float[], int, int)} in double. */
  void tanh(double[] x, int xFrom, double[] y, int yFrom, int length);

  /** The activation {@code y[yFrom + i] = 1 / (1 + exp(−x[xFrom + i]))} for {@code i < length}, as {@link #tanh(float[], int, float[], int, int)}. */
  void sigmoid(float[] x, int xFrom, float[] y, int yFrom, int length);

  /** {@link #sigmoid(float[], int, float[], int, int)} in double. */
  void sigmoid(double[] x, int xFrom, double[] y, int yFrom, int length);
}
