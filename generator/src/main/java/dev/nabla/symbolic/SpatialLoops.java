package dev.nabla.symbolic;

/**
 * The double-precision loops behind {@link Spatial}'s evaluations: written as the formulas read,
 * one output element (or one scattered term) at a time, because they are the reference that the
 * generated code and PyTorch are compared with, not a fast path. Images are {@code [C, H, W]} and
 * kernels {@code [O, C, KH, KW]}, row-major; positions outside the image are the zero padding.
 */
final class SpatialLoops {
  private SpatialLoops() {}

  private static int dim(Shape shape, int axis) {
    return Math.toIntExact(shape.dim(axis).size());
  }

  /** {@code y_{o,p,q} = Σ_{c,i,j} k_{o,c,i,j} · x_{c, s·p+i−pad, s·q+j−pad}}. */
  static Tensor convolve(Tensor kernel, Tensor image, int stride, int padding, Shape out) {
    Geometry g = new Geometry(kernel.shape(), image.shape(), out, stride, padding);
    double[] y = new double[Math.toIntExact(out.size())];
    for (int o = 0; o < g.outChannels; o++) {
      for (int p = 0; p < g.outHeight; p++) {
        for (int q = 0; q < g.outWidth; q++) {
          double sum = 0;
          for (int c = 0; c < g.channels; c++) {
            for (int i = 0; i < g.kernelHeight; i++) {
              int h = stride * p + i - padding;
              if (h < 0 || h >= g.height) {
                continue;
              }
              for (int j = 0; j < g.kernelWidth; j++) {
                int w = stride * q + j - padding;
                if (w >= 0 && w < g.width) {
                  sum += kernel.get(g.kernelIndex(o, c, i, j)) * image.get(g.imageIndex(c, h, w));
                }
              }
            }
          }
          y[g.outIndex(o, p, q)] = sum;
        }
      }
    }
    return new Tensor(out, y);
  }

  /** Each {@code δ_{o,p,q}} scattered back through the kernel: {@code ∂H/∂x_{c,h,w} += k_{o,c,i,j} δ_{o,p,q}}. */
  static Tensor convolveTransposed(Tensor kernel, Tensor delta, int stride, int padding, Shape imageShape) {
    Geometry g = new Geometry(kernel.shape(), imageShape, delta.shape(), stride, padding);
    double[] dx = new double[Math.toIntExact(imageShape.size())];
    for (int o = 0; o < g.outChannels; o++) {
      for (int p = 0; p < g.outHeight; p++) {
        for (int q = 0; q < g.outWidth; q++) {
          double d = delta.get(g.outIndex(o, p, q));
          for (int c = 0; c < g.channels; c++) {
            for (int i = 0; i < g.kernelHeight; i++) {
              int h = stride * p + i - padding;
              if (h < 0 || h >= g.height) {
                continue;
              }
              for (int j = 0; j < g.kernelWidth; j++) {
                int w = stride * q + j - padding;
                if (w >= 0 && w < g.width) {
                  dx[g.imageIndex(c, h, w)] += kernel.get(g.kernelIndex(o, c, i, j)) * d;
                }
              }
            }
          }
        }
      }
    }
    return new Tensor(imageShape, dx);
  }

  /** {@code ∂H/∂k_{o,c,i,j} = Σ_{p,q} δ_{o,p,q} · x_{c, s·p+i−pad, s·q+j−pad}}. */
  static Tensor kernelGradient(Tensor delta, Tensor image, int stride, int padding, Shape kernelShape) {
    Geometry g = new Geometry(kernelShape, image.shape(), delta.shape(), stride, padding);
    double[] dk = new double[Math.toIntExact(kernelShape.size())];
    for (int o = 0; o < g.outChannels; o++) {
      for (int c = 0; c < g.channels; c++) {
        for (int i = 0; i < g.kernelHeight; i++) {
          for (int j = 0; j < g.kernelWidth; j++) {
            double sum = 0;
            for (int p = 0; p < g.outHeight; p++) {
              int h = stride * p + i - padding;
              if (h < 0 || h >= g.height) {
                continue;
              }
              for (int q = 0; q < g.outWidth; q++) {
                int w = stride * q + j - padding;
                if (w >= 0 && w < g.width) {
                  sum += delta.get(g.outIndex(o, p, q)) * image.get(g.imageIndex(c, h, w));
                }
              }
            }
            dk[g.kernelIndex(o, c, i, j)] = sum;
          }
        }
      }
    }
    return new Tensor(kernelShape, dk);
  }

  /** The first maximum of each window, in row-major order (as PyTorch picks it), as an index into the image. */
  private static int argmax(Tensor image, int c, int p, int q, int window, int stride) {
    int height = dim(image.shape(), 1);
    int width = dim(image.shape(), 2);
    int best = -1;
    for (int i = 0; i < window; i++) {
      for (int j = 0; j < window; j++) {
        int index = (c * height + stride * p + i) * width + stride * q + j;
        if (best < 0 || image.get(index) > image.get(best) || Double.isNaN(image.get(index))) {
          best = index;
          if (Double.isNaN(image.get(index))) {
            return best;
          }
        }
      }
    }
    return best;
  }

  static Tensor maxPool(Tensor image, int window, int stride, Shape out) {
    double[] y = new double[Math.toIntExact(out.size())];
    forEachWindow(out, (c, p, q, at) -> y[at] = image.get(argmax(image, c, p, q, window, stride)));
    return new Tensor(out, y);
  }

  static Tensor maxPoolGradient(Tensor image, Tensor delta, int window, int stride) {
    double[] dx = new double[image.size()];
    forEachWindow(delta.shape(), (c, p, q, at) -> dx[argmax(image, c, p, q, window, stride)] += delta.get(at));
    return new Tensor(image.shape(), dx);
  }

  static Tensor maxPoolGather(Tensor image, Tensor gathered, int window, int stride, Shape out) {
    double[] y = new double[Math.toIntExact(out.size())];
    forEachWindow(out, (c, p, q, at) -> y[at] = gathered.get(argmax(image, c, p, q, window, stride)));
    return new Tensor(out, y);
  }

  static Tensor averagePool(Tensor image, int window, int stride, Shape out) {
    int height = dim(image.shape(), 1);
    int width = dim(image.shape(), 2);
    double[] y = new double[Math.toIntExact(out.size())];
    forEachWindow(out, (c, p, q, at) -> {
      double sum = 0;
      for (int i = 0; i < window; i++) {
        for (int j = 0; j < window; j++) {
          sum += image.get((c * height + stride * p + i) * width + stride * q + j);
        }
      }
      y[at] = sum / ((double) window * window);
    });
    return new Tensor(out, y);
  }

  static Tensor averagePoolGradient(Tensor delta, int window, int stride, Shape imageShape) {
    int height = dim(imageShape, 1);
    int width = dim(imageShape, 2);
    double[] dx = new double[Math.toIntExact(imageShape.size())];
    forEachWindow(delta.shape(), (c, p, q, at) -> {
      double share = delta.get(at) / ((double) window * window);
      for (int i = 0; i < window; i++) {
        for (int j = 0; j < window; j++) {
          dx[(c * height + stride * p + i) * width + stride * q + j] += share;
        }
      }
    });
    return new Tensor(imageShape, dx);
  }

  private interface WindowAction {
    void at(int channel, int p, int q, int outIndex);
  }

  private static void forEachWindow(Shape out, WindowAction action) {
    int channels = dim(out, 0);
    int outHeight = dim(out, 1);
    int outWidth = dim(out, 2);
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < outHeight; p++) {
        for (int q = 0; q < outWidth; q++) {
          action.at(c, p, q, (c * outHeight + p) * outWidth + q);
        }
      }
    }
  }

  /** The sizes of one convolution, read off the kernel's, image's and output's shapes. */
  private static final class Geometry {
    final int outChannels;
    final int channels;
    final int kernelHeight;
    final int kernelWidth;
    final int height;
    final int width;
    final int outHeight;
    final int outWidth;

    Geometry(Shape kernel, Shape image, Shape out, int stride, int padding) {
      outChannels = dim(kernel, 0);
      channels = dim(kernel, 1);
      kernelHeight = dim(kernel, 2);
      kernelWidth = dim(kernel, 3);
      height = dim(image, 1);
      width = dim(image, 2);
      outHeight = dim(out, 1);
      outWidth = dim(out, 2);
    }

    int kernelIndex(int o, int c, int i, int j) {
      return ((o * channels + c) * kernelHeight + i) * kernelWidth + j;
    }

    int imageIndex(int c, int h, int w) {
      return (c * height + h) * width + w;
    }

    int outIndex(int o, int p, int q) {
      return (o * outHeight + p) * outWidth + q;
    }
  }
}
