package dev.nabla.runtime.kernels;

/**
 * The geometry of one convolution layer, a constant of the generated class, and its three kernels.
 * {@code conv2d(K, X)} is PyTorch's {@code conv2d(X, K)}: a cross-correlation (no kernel flip) of
 * {@code x[channels, height, width]} with {@code k[outChannels, channels, kernelHeight, kernelWidth]},
 * zero-padded by {@code padding} on every side and stepped by {@code stride}.
 *
 * <p>Layout as {@link KernelSupport}'s: sample {@code b}'s value with offset {@code o} and stride
 * {@code s} is at {@code [b s + o, b s + o + size)}, row-major {@code (c, h, w)}; kernels row-major
 * {@code (o, c, i, j)}. Each kernel runs over the samples {@code [lo, hi)}; the {@link Workspace} is
 * the calling lane's scratch, so nothing is allocated once it has grown.
 *
 * <p>The kernels are matrix products ({@link ConvProducts}, register-tiled with the Vector API when the
 * JVM has it): over shifted rows of the padded input for stride 1 ({@link ConvShifted}), over im2col
 * columns otherwise ({@link ConvColumns}). Direct loops over the definition measured 15 to 50 times
 * slower.
 */
public record Conv2d(int channels, int height, int width,
                     int outChannels, int kernelHeight, int kernelWidth, int stride, int padding) {

  public Conv2d {
    requirePositive("channels", channels);
    requirePositive("height", height);
    requirePositive("width", width);
    requirePositive("output channels", outChannels);
    requirePositive("kernel height", kernelHeight);
    requirePositive("kernel width", kernelWidth);
    if (stride < 1) {
      throw new IllegalArgumentException("stride must be at least 1, not " + stride);
    }
    if (padding < 0) {
      throw new IllegalArgumentException("padding must not be negative, not " + padding);
    }
    if (kernelHeight > height + 2 * padding || kernelWidth > width + 2 * padding) {
      throw new IllegalArgumentException("a " + kernelHeight + "×" + kernelWidth + " kernel does not fit a "
          + height + "×" + width + " input padded by " + padding);
    }
  }

  private static void requirePositive(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be positive, not " + value);
    }
  }

  /** {@code (height + 2 padding − kernelHeight) / stride + 1}, rounded down as PyTorch does. */
  public int outHeight() {
    return (height + 2 * padding - kernelHeight) / stride + 1;
  }

  /** {@code (width + 2 padding − kernelWidth) / stride + 1}, rounded down as PyTorch does. */
  public int outWidth() {
    return (width + 2 * padding - kernelWidth) / stride + 1;
  }

  /** {@code channels · height · width}: one sample's input. */
  public int inputSize() {
    return channels * height * width;
  }

  /** {@code outChannels · outHeight · outWidth}: one sample's output. */
  public int outputSize() {
    return outChannels * outHeight() * outWidth();
  }

  /** {@code outChannels · channels · kernelHeight · kernelWidth}: the kernel's values. */
  public int kernelSize() {
    return outChannels * channels * kernelHeight * kernelWidth;
  }

  /** y[b] = k ⋆ x[b] (+ bias[o] per output channel; bias may be null). Overwrites y. */
  public void forward(Workspace work, float[] k, float[] bias, float[] x, int xOffset, int xStride,
      int lo, int hi, float[] y, int yOffset, int yStride) {
    if (ConvShifted.applies(this)) {
      ConvShiftedFloat.forward(this, ConvProducts.get(), work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
    } else {
      ConvColumnsFloat.forward(this, ConvProducts.get(), work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
    }
  }

  /** {@link #forward(Workspace, float[], float[], float[], int, int, int, int, float[], int, int)} in double. */
  public void forward(Workspace work, double[] k, double[] bias, double[] x, int xOffset, int xStride,
      int lo, int hi, double[] y, int yOffset, int yStride) {
    if (ConvShifted.applies(this)) {
      ConvShiftedDouble.forward(this, ConvProducts.get(), work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
    } else {
      ConvColumnsDouble.forward(this, ConvProducts.get(), work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
    }
  }

  /** dx[b] = the transposed convolution of dy[b] with k (∂H/∂x). Overwrites dx. */
  public void inputGradient(Workspace work, float[] k, float[] dy, int dyOffset, int dyStride,
      int lo, int hi, float[] dx, int dxOffset, int dxStride) {
    if (ConvShifted.applies(this)) {
      ConvShiftedFloat.inputGradient(this, ConvProducts.get(), work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset,
          dxStride);
    } else {
      ConvColumnsFloat.inputGradient(this, ConvProducts.get(), work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset,
          dxStride);
    }
  }

  /** {@link #inputGradient(Workspace, float[], float[], int, int, int, int, float[], int, int)} in double. */
  public void inputGradient(Workspace work, double[] k, double[] dy, int dyOffset, int dyStride,
      int lo, int hi, double[] dx, int dxOffset, int dxStride) {
    if (ConvShifted.applies(this)) {
      ConvShiftedDouble.inputGradient(this, ConvProducts.get(), work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset,
          dxStride);
    } else {
      ConvColumnsDouble.inputGradient(this, ConvProducts.get(), work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset,
          dxStride);
    }
  }

  /**
   * dk += scale Σ_b (x[b] correlated with dy[b]); dbias[o] += scale Σ_b Σ_{p,q} dy[b, o, p, q] (dbias
   * may be null). Accumulates, as {@link KernelSupport#weightGradient} does.
   */
  public void kernelGradient(Workspace work, float[] dk, float[] dbias, float[] x, int xOffset, int xStride,
      float[] dy, int dyOffset, int dyStride, int lo, int hi, float scale) {
    if (ConvShifted.applies(this)) {
      ConvShiftedFloat.kernelGradient(this, ConvProducts.get(), work, dk, dbias, x, xOffset, xStride, dy, dyOffset,
          dyStride, lo, hi, scale);
    } else {
      ConvColumnsFloat.kernelGradient(this, ConvProducts.get(), work, dk, dbias, x, xOffset, xStride, dy, dyOffset,
          dyStride, lo, hi, scale);
    }
  }

  /** {@link #kernelGradient(Workspace, float[], float[], float[], int, int, float[], int, int, int, int, float)} in double. */
  public void kernelGradient(Workspace work, double[] dk, double[] dbias, double[] x, int xOffset, int xStride,
      double[] dy, int dyOffset, int dyStride, int lo, int hi, double scale) {
    if (ConvShifted.applies(this)) {
      ConvShiftedDouble.kernelGradient(this, ConvProducts.get(), work, dk, dbias, x, xOffset, xStride, dy, dyOffset,
          dyStride, lo, hi, scale);
    } else {
      ConvColumnsDouble.kernelGradient(this, ConvProducts.get(), work, dk, dbias, x, xOffset, xStride, dy, dyOffset,
          dyStride, lo, hi, scale);
    }
  }
}
