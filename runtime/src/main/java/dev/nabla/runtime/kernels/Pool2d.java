package dev.nabla.runtime.kernels;

import java.util.Arrays;

/**
 * Max or average pooling of one layer (no padding), a constant of the generated class: each channel of
 * {@code x[channels, height, width]} reduced over {@code window × window} squares stepped by
 * {@code stride}. Windows overlap when {@code stride < window}; positions past the last whole window
 * are not read (PyTorch's rounding down). Layout and sample ranges as {@link Conv2d}'s.
 */
public record Pool2d(int channels, int height, int width, int window, int stride) {

  public Pool2d {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("pooling needs a positive input size, not " + channels + "×" + height + "×" + width);
    }
    if (window < 1 || stride < 1) {
      throw new IllegalArgumentException("pooling window and stride must be at least 1, not " + window + " and " + stride);
    }
    if (window > height || window > width) {
      throw new IllegalArgumentException("a pooling window of " + window + " does not fit a " + height + "×" + width + " input");
    }
  }

  public int outHeight() {
    return (height - window) / stride + 1;
  }

  public int outWidth() {
    return (width - window) / stride + 1;
  }

  /** {@code channels · height · width}. */
  public int inputSize() {
    return channels * height * width;
  }

  /** {@code channels · outHeight · outWidth}. */
  public int outputSize() {
    return channels * outHeight() * outWidth();
  }

  /**
   * y[b] = max over each window; argmax[b·outputSize() + i] = the index (within the sample's input) of
   * the max: the first in row-major order among equal values, as PyTorch, and a NaN wins (it propagates).
   * Overwrites.
   */
  public void maxForward(float[] x, int xOffset, int xStride, int lo, int hi, float[] y, int yOffset, int yStride,
      int[] argmax) {
    if (window == 2 && stride == 2) {
      maxForwardTwoByTwo(x, xOffset, xStride, lo, hi, y, yOffset, yStride, argmax);
      return;
    }
    int oh = outHeight(), ow = outWidth();
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset, as = b * outputSize();
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            int best = (c * height + p * stride) * width + q * stride;
            float max = x[xs + best];
            for (int i = 0; i < window; i++) {
              for (int j = 0; j < window; j++) {
                int at = (c * height + p * stride + i) * width + q * stride + j;
                float v = x[xs + at];
                if (v > max || (v != v && max == max)) {
                  max = v;
                  best = at;
                }
              }
            }
            int out = (c * oh + p) * ow + q;
            y[ys + out] = max;
            argmax[as + out] = best;
          }
        }
      }
    }
  }

  /** {@link #maxForward(float[], int, int, int, int, float[], int, int, int[])} in double. */
  public void maxForward(double[] x, int xOffset, int xStride, int lo, int hi, double[] y, int yOffset, int yStride,
      int[] argmax) {
    if (window == 2 && stride == 2) {
      maxForwardTwoByTwo(x, xOffset, xStride, lo, hi, y, yOffset, yStride, argmax);
      return;
    }
    int oh = outHeight(), ow = outWidth();
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset, as = b * outputSize();
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            int best = (c * height + p * stride) * width + q * stride;
            double max = x[xs + best];
            for (int i = 0; i < window; i++) {
              for (int j = 0; j < window; j++) {
                int at = (c * height + p * stride + i) * width + q * stride + j;
                double v = x[xs + at];
                if (v > max || (v != v && max == max)) {
                  max = v;
                  best = at;
                }
              }
            }
            int out = (c * oh + p) * ow + q;
            y[ys + out] = max;
            argmax[as + out] = best;
          }
        }
      }
    }
  }

  /** {@code maxForward} for the usual 2×2 window with stride 2: the four values compared in the same order, unrolled. */
  private void maxForwardTwoByTwo(float[] x, int xOffset, int xStride, int lo, int hi, float[] y, int yOffset, int yStride,
      int[] argmax) {
    int oh = outHeight(), ow = outWidth(), n = outputSize();
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset, as = b * n;
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < oh; p++) {
          int top = (c * height + 2 * p) * width, bottom = top + width, out = (c * oh + p) * ow;
          for (int q = 0; q < ow; q++) {
            int at = top + 2 * q, best = at;
            float max = x[xs + at];
            float v = x[xs + at + 1];
            if (v > max || (v != v && max == max)) {
              max = v;
              best = at + 1;
            }
            at = bottom + 2 * q;
            v = x[xs + at];
            if (v > max || (v != v && max == max)) {
              max = v;
              best = at;
            }
            v = x[xs + at + 1];
            if (v > max || (v != v && max == max)) {
              max = v;
              best = at + 1;
            }
            y[ys + out + q] = max;
            argmax[as + out + q] = best;
          }
        }
      }
    }
  }

  /** dx[b] = dy routed to each window's max (zero elsewhere; summed where overlapping windows share one). Overwrites dx. */
  public void maxGradient(float[] dy, int dyOffset, int dyStride, int[] argmax, int lo, int hi, float[] dx,
      int dxOffset, int dxStride) {
    int n = outputSize();
    for (int b = lo; b < hi; b++) {
      int xs = b * dxStride + dxOffset, ys = b * dyStride + dyOffset, as = b * n;
      Arrays.fill(dx, xs, xs + inputSize(), 0f);
      for (int i = 0; i < n; i++) {
        dx[xs + argmax[as + i]] += dy[ys + i];
      }
    }
  }

  /** {@code maxForward} for the usual 2×2 window with stride 2: the four values compared in the same order, unrolled. */
  private void maxForwardTwoByTwo(double[] x, int xOffset, int xStride, int lo, int hi, double[] y, int yOffset, int yStride,
      int[] argmax) {
    int oh = outHeight(), ow = outWidth(), n = outputSize();
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset, as = b * n;
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < oh; p++) {
          int top = (c * height + 2 * p) * width, bottom = top + width, out = (c * oh + p) * ow;
          for (int q = 0; q < ow; q++) {
            int at = top + 2 * q, best = at;
            double max = x[xs + at];
            double v = x[xs + at + 1];
            if (v > max || (v != v && max == max)) {
              max = v;
              best = at + 1;
            }
            at = bottom + 2 * q;
            v = x[xs + at];
            if (v > max || (v != v && max == max)) {
              max = v;
              best = at;
            }
            v = x[xs + at + 1];
            if (v > max || (v != v && max == max)) {
              max = v;
              best = at + 1;
            }
            y[ys + out + q] = max;
            argmax[as + out + q] = best;
          }
        }
      }
    }
  }

  /** {@link #maxGradient(float[], int, int, int[], int, int, float[], int, int)} in double. */
  public void maxGradient(double[] dy, int dyOffset, int dyStride, int[] argmax, int lo, int hi, double[] dx,
      int dxOffset, int dxStride) {
    int n = outputSize();
    for (int b = lo; b < hi; b++) {
      int xs = b * dxStride + dxOffset, ys = b * dyStride + dyOffset, as = b * n;
      Arrays.fill(dx, xs, xs + inputSize(), 0);
      for (int i = 0; i < n; i++) {
        dx[xs + argmax[as + i]] += dy[ys + i];
      }
    }
  }

  /** y[b] = the mean of each window. Overwrites. */
  public void averageForward(float[] x, int xOffset, int xStride, int lo, int hi, float[] y, int yOffset, int yStride) {
    int oh = outHeight(), ow = outWidth();
    float area = window * window;
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset;
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            float sum = 0f;
            for (int i = 0; i < window; i++) {
              for (int j = 0; j < window; j++) {
                sum += x[xs + (c * height + p * stride + i) * width + q * stride + j];
              }
            }
            y[ys + (c * oh + p) * ow + q] = sum / area;
          }
        }
      }
    }
  }

  /** {@link #averageForward(float[], int, int, int, int, float[], int, int)} in double. */
  public void averageForward(double[] x, int xOffset, int xStride, int lo, int hi, double[] y, int yOffset,
      int yStride) {
    int oh = outHeight(), ow = outWidth();
    double area = window * window;
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset;
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            double sum = 0;
            for (int i = 0; i < window; i++) {
              for (int j = 0; j < window; j++) {
                sum += x[xs + (c * height + p * stride + i) * width + q * stride + j];
              }
            }
            y[ys + (c * oh + p) * ow + q] = sum / area;
          }
        }
      }
    }
  }

  /** dx[b] = dy / window² spread over each window (summed where windows overlap). Overwrites dx. */
  public void averageGradient(float[] dy, int dyOffset, int dyStride, int lo, int hi, float[] dx, int dxOffset,
      int dxStride) {
    int oh = outHeight(), ow = outWidth();
    float area = window * window;
    for (int b = lo; b < hi; b++) {
      int xs = b * dxStride + dxOffset, ys = b * dyStride + dyOffset;
      Arrays.fill(dx, xs, xs + inputSize(), 0f);
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            float share = dy[ys + (c * oh + p) * ow + q] / area;
            for (int i = 0; i < window; i++) {
              for (int j = 0; j < window; j++) {
                dx[xs + (c * height + p * stride + i) * width + q * stride + j] += share;
              }
            }
          }
        }
      }
    }
  }

  /** {@link #averageGradient(float[], int, int, int, int, float[], int, int)} in double. */
  public void averageGradient(double[] dy, int dyOffset, int dyStride, int lo, int hi, double[] dx, int dxOffset,
      int dxStride) {
    int oh = outHeight(), ow = outWidth();
    double area = window * window;
    for (int b = lo; b < hi; b++) {
      int xs = b * dxStride + dxOffset, ys = b * dyStride + dyOffset;
      Arrays.fill(dx, xs, xs + inputSize(), 0);
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            double share = dy[ys + (c * oh + p) * ow + q] / area;
            for (int i = 0; i < window; i++) {
              for (int j = 0; j < window; j++) {
                dx[xs + (c * height + p * stride + i) * width + q * stride + j] += share;
              }
            }
          }
        }
      }
    }
  }
}
