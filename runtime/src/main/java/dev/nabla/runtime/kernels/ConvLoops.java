package dev.nabla.runtime.kernels;

import java.util.Arrays;

/**
 * The convolution's kernels as direct loops over the definition: plain and obviously correct, what the
 * faster forms are measured and tested against. The double methods are the float ones with
 * {@code float} read as {@code double}.
 */
final class ConvLoops {
  private ConvLoops() {}

  static void forward(Conv2d g, float[] k, float[] bias, float[] x, int xOffset, int xStride,
      int lo, int hi, float[] y, int yOffset, int yStride) {
    int oh = g.outHeight(), ow = g.outWidth(), kh = g.kernelHeight(), kw = g.kernelWidth();
    int h = g.height(), w = g.width(), c = g.channels(), s = g.stride(), pad = g.padding();
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset;
      for (int o = 0; o < g.outChannels(); o++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            float sum = bias == null ? 0f : bias[o];
            for (int ci = 0; ci < c; ci++) {
              for (int i = 0; i < kh; i++) {
                int row = p * s + i - pad;
                if (row < 0 || row >= h) {
                  continue;
                }
                for (int j = 0; j < kw; j++) {
                  int col = q * s + j - pad;
                  if (col >= 0 && col < w) {
                    sum += k[((o * c + ci) * kh + i) * kw + j] * x[xs + (ci * h + row) * w + col];
                  }
                }
              }
            }
            y[ys + (o * oh + p) * ow + q] = sum;
          }
        }
      }
    }
  }

  static void forward(Conv2d g, double[] k, double[] bias, double[] x, int xOffset, int xStride,
      int lo, int hi, double[] y, int yOffset, int yStride) {
    int oh = g.outHeight(), ow = g.outWidth(), kh = g.kernelHeight(), kw = g.kernelWidth();
    int h = g.height(), w = g.width(), c = g.channels(), s = g.stride(), pad = g.padding();
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset;
      for (int o = 0; o < g.outChannels(); o++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            double sum = bias == null ? 0 : bias[o];
            for (int ci = 0; ci < c; ci++) {
              for (int i = 0; i < kh; i++) {
                int row = p * s + i - pad;
                if (row < 0 || row >= h) {
                  continue;
                }
                for (int j = 0; j < kw; j++) {
                  int col = q * s + j - pad;
                  if (col >= 0 && col < w) {
                    sum += k[((o * c + ci) * kh + i) * kw + j] * x[xs + (ci * h + row) * w + col];
                  }
                }
              }
            }
            y[ys + (o * oh + p) * ow + q] = sum;
          }
        }
      }
    }
  }

  /** Scatters each dy[b, o, p, q] back through the kernel onto the input positions it read. */
  static void inputGradient(Conv2d g, float[] k, float[] dy, int dyOffset, int dyStride,
      int lo, int hi, float[] dx, int dxOffset, int dxStride) {
    int oh = g.outHeight(), ow = g.outWidth(), kh = g.kernelHeight(), kw = g.kernelWidth();
    int h = g.height(), w = g.width(), c = g.channels(), s = g.stride(), pad = g.padding();
    for (int b = lo; b < hi; b++) {
      int xs = b * dxStride + dxOffset, ys = b * dyStride + dyOffset;
      Arrays.fill(dx, xs, xs + g.inputSize(), 0f);
      for (int o = 0; o < g.outChannels(); o++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            float d = dy[ys + (o * oh + p) * ow + q];
            for (int ci = 0; ci < c; ci++) {
              for (int i = 0; i < kh; i++) {
                int row = p * s + i - pad;
                if (row < 0 || row >= h) {
                  continue;
                }
                for (int j = 0; j < kw; j++) {
                  int col = q * s + j - pad;
                  if (col >= 0 && col < w) {
                    dx[xs + (ci * h + row) * w + col] += k[((o * c + ci) * kh + i) * kw + j] * d;
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  static void inputGradient(Conv2d g, double[] k, double[] dy, int dyOffset, int dyStride,
      int lo, int hi, double[] dx, int dxOffset, int dxStride) {
    int oh = g.outHeight(), ow = g.outWidth(), kh = g.kernelHeight(), kw = g.kernelWidth();
    int h = g.height(), w = g.width(), c = g.channels(), s = g.stride(), pad = g.padding();
    for (int b = lo; b < hi; b++) {
      int xs = b * dxStride + dxOffset, ys = b * dyStride + dyOffset;
      Arrays.fill(dx, xs, xs + g.inputSize(), 0);
      for (int o = 0; o < g.outChannels(); o++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            double d = dy[ys + (o * oh + p) * ow + q];
            for (int ci = 0; ci < c; ci++) {
              for (int i = 0; i < kh; i++) {
                int row = p * s + i - pad;
                if (row < 0 || row >= h) {
                  continue;
                }
                for (int j = 0; j < kw; j++) {
                  int col = q * s + j - pad;
                  if (col >= 0 && col < w) {
                    dx[xs + (ci * h + row) * w + col] += k[((o * c + ci) * kh + i) * kw + j] * d;
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** Each kernel value's sum over the samples and output positions, added to dk once, scaled. */
  static void kernelGradient(Conv2d g, float[] dk, float[] dbias, float[] x, int xOffset, int xStride,
      float[] dy, int dyOffset, int dyStride, int lo, int hi, float scale) {
    int oh = g.outHeight(), ow = g.outWidth(), kh = g.kernelHeight(), kw = g.kernelWidth();
    int h = g.height(), w = g.width(), c = g.channels(), s = g.stride(), pad = g.padding();
    for (int o = 0; o < g.outChannels(); o++) {
      if (dbias != null) {
        float sum = 0f;
        for (int b = lo; b < hi; b++) {
          int ys = b * dyStride + dyOffset + o * oh * ow;
          for (int pq = 0; pq < oh * ow; pq++) {
            sum += dy[ys + pq];
          }
        }
        dbias[o] += scale * sum;
      }
      for (int ci = 0; ci < c; ci++) {
        for (int i = 0; i < kh; i++) {
          for (int j = 0; j < kw; j++) {
            float sum = 0f;
            for (int b = lo; b < hi; b++) {
              int xs = b * xStride + xOffset, ys = b * dyStride + dyOffset;
              for (int p = 0; p < oh; p++) {
                int row = p * s + i - pad;
                if (row < 0 || row >= h) {
                  continue;
                }
                for (int q = 0; q < ow; q++) {
                  int col = q * s + j - pad;
                  if (col >= 0 && col < w) {
                    sum += dy[ys + (o * oh + p) * ow + q] * x[xs + (ci * h + row) * w + col];
                  }
                }
              }
            }
            dk[((o * c + ci) * kh + i) * kw + j] += scale * sum;
          }
        }
      }
    }
  }

  static void kernelGradient(Conv2d g, double[] dk, double[] dbias, double[] x, int xOffset, int xStride,
      double[] dy, int dyOffset, int dyStride, int lo, int hi, double scale) {
    int oh = g.outHeight(), ow = g.outWidth(), kh = g.kernelHeight(), kw = g.kernelWidth();
    int h = g.height(), w = g.width(), c = g.channels(), s = g.stride(), pad = g.padding();
    for (int o = 0; o < g.outChannels(); o++) {
      if (dbias != null) {
        double sum = 0;
        for (int b = lo; b < hi; b++) {
          int ys = b * dyStride + dyOffset + o * oh * ow;
          for (int pq = 0; pq < oh * ow; pq++) {
            sum += dy[ys + pq];
          }
        }
        dbias[o] += scale * sum;
      }
      for (int ci = 0; ci < c; ci++) {
        for (int i = 0; i < kh; i++) {
          for (int j = 0; j < kw; j++) {
            double sum = 0;
            for (int b = lo; b < hi; b++) {
              int xs = b * xStride + xOffset, ys = b * dyStride + dyOffset;
              for (int p = 0; p < oh; p++) {
                int row = p * s + i - pad;
                if (row < 0 || row >= h) {
                  continue;
                }
                for (int q = 0; q < ow; q++) {
                  int col = q * s + j - pad;
                  if (col >= 0 && col < w) {
                    sum += dy[ys + (o * oh + p) * ow + q] * x[xs + (ci * h + row) * w + col];
                  }
                }
              }
            }
            dk[((o * c + ci) * kh + i) * kw + j] += scale * sum;
          }
        }
      }
    }
  }
}
