package dev.nabla.runtime.kernels;

import dev.nabla.runtime.kernels.Workspace.Flat;
import java.util.Arrays;

/**
 * The convolution with stride 1 as matrix products over shifted rows of the padded input, in place of
 * im2col's many short copies. Pad the sample to {@code [C, H + 2p, W + 2p]} (width {@code wp}) and
 * compute each output row over all {@code wp} columns, the last {@code wp − OW} of them junk: the
 * column of kernel position {@code (c, i, j)} over the output positions {@code p' = ph·wp + pw} is then
 * the padded input from {@code (c, i, j)} on, one contiguous copy. The junk columns are dropped from
 * the output, and enter the gradients only multiplied by δ's zeros. The products are the caller's; the
 * double methods are the float ones with {@code float} read as {@code double}.
 */
final class ConvShifted {
  private ConvShifted() {}

  /** Whether this form applies: stride 1. */
  static boolean applies(Conv2d g) {
    return g.stride() == 1;
  }

  static int paddedWidth(Conv2d g) {
    return g.width() + 2 * g.padding();
  }

  /** OH·wp: the output positions with the junk columns. */
  static int wide(Conv2d g) {
    return g.outHeight() * paddedWidth(g);
  }

  /** Where kernel position (c, i, j)'s shifted row starts in the padded sample. */
  static int shift(Conv2d g, int c, int i, int j) {
    return (c * (g.height() + 2 * g.padding()) + i) * paddedWidth(g) + j;
  }

  /** The padded sample and the slack its last shifted row reads past the end: KW − 1 values. */
  static int paddedLength(Conv2d g) {
    return g.channels() * (g.height() + 2 * g.padding()) * paddedWidth(g) + g.kernelWidth();
  }

  static void forward(Conv2d g, ConvProducts products, Workspace work, float[] k, float[] bias, float[] x, int xOffset,
      int xStride, int lo, int hi, float[] y, int yOffset, int yStride) {
    int reach = ConvColumns.reach(g), wide = wide(g), oh = g.outHeight(), ow = g.outWidth(), wp = paddedWidth(g);
    float[] padded = work.floats(Flat.PADDED, paddedLength(g));
    float[] col = work.floats(Flat.COLUMNS, reach * wide);
    float[] sums = work.floats(Flat.SUMS, g.outChannels() * wide);
    for (int b = lo; b < hi; b++) {
      pad(g, x, b * xStride + xOffset, padded);
      shiftedRows(g, padded, col);
      products.multiply(g.outChannels(), wide, reach, k, 0, reach, col, 0, wide, sums, 0, wide, false);
      int ys = b * yStride + yOffset;
      for (int o = 0; o < g.outChannels(); o++) {
        float add = bias == null ? 0 : bias[o];
        for (int ph = 0; ph < oh; ph++) {
          int from = o * wide + ph * wp, to = ys + (o * oh + ph) * ow;
          for (int pw = 0; pw < ow; pw++) {
            y[to + pw] = sums[from + pw] + add;
          }
        }
      }
    }
  }

  static void inputGradient(Conv2d g, ConvProducts products, Workspace work, float[] k, float[] dy, int dyOffset,
      int dyStride, int lo, int hi, float[] dx, int dxOffset, int dxStride) {
    int reach = ConvColumns.reach(g), wide = wide(g), outChannels = g.outChannels();
    float[] kt = work.floats(Flat.TRANSPOSED, reach * outChannels);
    ConvColumns.transpose(k, 0, outChannels, reach, kt, outChannels);
    float[] dyWide = work.floats(Flat.SUMS, outChannels * wide);
    Arrays.fill(dyWide, 0, outChannels * wide, 0);
    float[] col = work.floats(Flat.COLUMNS, reach * wide);
    float[] padded = work.floats(Flat.PADDED, paddedLength(g));
    for (int b = lo; b < hi; b++) {
      widen(g, dy, b * dyStride + dyOffset, dyWide);
      products.multiply(reach, wide, outChannels, kt, 0, outChannels, dyWide, 0, wide, col, 0, wide, false);
      Arrays.fill(padded, 0, paddedLength(g), 0);
      int r = 0;
      for (int c = 0; c < g.channels(); c++) {
        for (int i = 0; i < g.kernelHeight(); i++) {
          for (int j = 0; j < g.kernelWidth(); j++, r++) {
            int to = shift(g, c, i, j), from = r * wide;
            for (int p = 0; p < wide; p++) {
              padded[to + p] += col[from + p];
            }
          }
        }
      }
      unpad(g, padded, dx, b * dxStride + dxOffset);
    }
  }

  static void kernelGradient(Conv2d g, ConvProducts products, Workspace work, float[] dk, float[] dbias, float[] x,
      int xOffset, int xStride, float[] dy, int dyOffset, int dyStride, int lo, int hi, float scale) {
    if (ConvColumns.reach(g) < g.outChannels()) {
      kernelGradientByInputColumns(g, products, work, dk, dbias, x, xOffset, xStride, dy, dyOffset, dyStride, lo, hi,
          scale);
      return;
    }
    int reach = ConvColumns.reach(g), wide = wide(g), outChannels = g.outChannels();
    int oh = g.outHeight(), ow = g.outWidth(), wp = paddedWidth(g);
    float[] padded = work.floats(Flat.PADDED, paddedLength(g));
    // The columns with a row of ones after the kernel positions': its product with δᵀ is the bias gradient.
    float[] col = work.floats(Flat.COLUMNS, (reach + 1) * wide);
    Arrays.fill(col, reach * wide, (reach + 1) * wide, 1);
    int dytStride = ConvColumns.skewed(outChannels);
    float[] dyt = work.floats(Flat.TRANSPOSED, wide * dytStride);
    Arrays.fill(dyt, 0, wide * dytStride, 0);
    float[] sums = work.floats(Flat.SUMS, (reach + 1) * outChannels);
    Arrays.fill(sums, 0, (reach + 1) * outChannels, 0);
    int biasSums = reach * outChannels;
    for (int b = lo; b < hi; b++) {
      pad(g, x, b * xStride + xOffset, padded);
      shiftedRows(g, padded, col);
      int ys = b * dyStride + dyOffset;
      for (int o = 0; o < outChannels; o++) {
        for (int ph = 0; ph < oh; ph++) {
          int from = ys + (o * oh + ph) * ow, to = ph * wp * dytStride + o;
          for (int pw = 0; pw < ow; pw++) {
            dyt[to + pw * dytStride] = dy[from + pw];
          }
        }
      }
      products.multiply(reach + 1, outChannels, wide, col, 0, wide, dyt, 0, dytStride, sums, 0, outChannels, true);
    }
    for (int o = 0; o < outChannels; o++) {
      for (int r = 0; r < reach; r++) {
        dk[o * reach + r] += scale * sums[r * outChannels + o];
      }
      if (dbias != null) {
        dbias[o] += scale * sums[biasSums + o];
      }
    }
  }

  /**
   * The kernel gradient for a layer with fewer kernel positions than output channels (the first layer,
   * one input channel): dk[O × R] += δ[O × wide] · colᵀ[wide × R], transposing the smaller side.
   */
  static void kernelGradientByInputColumns(Conv2d g, ConvProducts products, Workspace work, float[] dk, float[] dbias,
      float[] x, int xOffset, int xStride, float[] dy, int dyOffset, int dyStride, int lo, int hi, float scale) {
    int reach = ConvColumns.reach(g), wide = wide(g), outChannels = g.outChannels();
    float[] padded = work.floats(Flat.PADDED, paddedLength(g));
    // colᵀ with a column of ones after the kernel positions': δ times it is the bias gradient.
    int colStride = ConvColumns.skewed(reach + 1);
    float[] colt = work.floats(Flat.COLUMNS, wide * colStride);
    for (int p = 0; p < wide; p++) {
      colt[p * colStride + reach] = 1;
    }
    float[] dyWide = work.floats(Flat.TRANSPOSED, outChannels * wide);
    Arrays.fill(dyWide, 0, outChannels * wide, 0);
    float[] sums = work.floats(Flat.SUMS, (reach + 1) * outChannels);
    Arrays.fill(sums, 0, (reach + 1) * outChannels, 0);
    for (int b = lo; b < hi; b++) {
      pad(g, x, b * xStride + xOffset, padded);
      int r = 0;
      for (int c = 0; c < g.channels(); c++) {
        for (int i = 0; i < g.kernelHeight(); i++) {
          for (int j = 0; j < g.kernelWidth(); j++, r++) {
            int from = shift(g, c, i, j);
            for (int p = 0; p < wide; p++) {
              colt[p * colStride + r] = padded[from + p];
            }
          }
        }
      }
      int ys = b * dyStride + dyOffset;
      widen(g, dy, ys, dyWide);
      products.multiply(outChannels, reach + 1, wide, dyWide, 0, wide, colt, 0, colStride, sums, 0, reach + 1, true);
    }
    for (int o = 0; o < outChannels; o++) {
      for (int r = 0; r < reach; r++) {
        dk[o * reach + r] += scale * sums[o * (reach + 1) + r];
      }
      if (dbias != null) {
        dbias[o] += scale * sums[o * (reach + 1) + reach];
      }
    }
  }

  /** col[r, p'] = padded[shift(r) + p'] for the p' < wide(g): one copy per kernel position. */
  static void shiftedRows(Conv2d g, float[] padded, float[] col) {
    int wide = wide(g), r = 0;
    for (int c = 0; c < g.channels(); c++) {
      for (int i = 0; i < g.kernelHeight(); i++) {
        for (int j = 0; j < g.kernelWidth(); j++, r++) {
          System.arraycopy(padded, shift(g, c, i, j), col, r * wide, wide);
        }
      }
    }
  }

  /** padded[c, h + pad, w + pad] = x[c, h, w], zero on the border and in the slack after it. */
  static void pad(Conv2d g, float[] x, int xStart, float[] padded) {
    int h = g.height(), w = g.width(), pad = g.padding(), hp = h + 2 * pad, wp = w + 2 * pad;
    Arrays.fill(padded, 0, paddedLength(g), 0);
    for (int c = 0; c < g.channels(); c++) {
      for (int row = 0; row < h; row++) {
        System.arraycopy(x, xStart + (c * h + row) * w, padded, (c * hp + row + pad) * wp + pad, w);
      }
    }
  }

  /** dx[c, h, w] = padded[c, h + pad, w + pad]: the interior, overwriting dx's sample. */
  static void unpad(Conv2d g, float[] padded, float[] dx, int dxStart) {
    int h = g.height(), w = g.width(), pad = g.padding(), hp = h + 2 * pad, wp = w + 2 * pad;
    for (int c = 0; c < g.channels(); c++) {
      for (int row = 0; row < h; row++) {
        System.arraycopy(padded, (c * hp + row + pad) * wp + pad, dx, dxStart + (c * h + row) * w, w);
      }
    }
  }

  /** wide[o, ph·wp + pw] = dy[o, ph, pw]; the columns past the output width are left as they are (zero). */
  static void widen(Conv2d g, float[] dy, int dyStart, float[] wide) {
    int oh = g.outHeight(), ow = g.outWidth(), wp = paddedWidth(g), size = wide(g);
    for (int o = 0; o < g.outChannels(); o++) {
      for (int ph = 0; ph < oh; ph++) {
        System.arraycopy(dy, dyStart + (o * oh + ph) * ow, wide, o * size + ph * wp, ow);
      }
    }
  }

  static void forward(Conv2d g, ConvProducts products, Workspace work, double[] k, double[] bias, double[] x, int xOffset,
      int xStride, int lo, int hi, double[] y, int yOffset, int yStride) {
    int reach = ConvColumns.reach(g), wide = wide(g), oh = g.outHeight(), ow = g.outWidth(), wp = paddedWidth(g);
    double[] padded = work.doubles(Flat.PADDED, paddedLength(g));
    double[] col = work.doubles(Flat.COLUMNS, reach * wide);
    double[] sums = work.doubles(Flat.SUMS, g.outChannels() * wide);
    for (int b = lo; b < hi; b++) {
      pad(g, x, b * xStride + xOffset, padded);
      shiftedRows(g, padded, col);
      products.multiply(g.outChannels(), wide, reach, k, 0, reach, col, 0, wide, sums, 0, wide, false);
      int ys = b * yStride + yOffset;
      for (int o = 0; o < g.outChannels(); o++) {
        double add = bias == null ? 0 : bias[o];
        for (int ph = 0; ph < oh; ph++) {
          int from = o * wide + ph * wp, to = ys + (o * oh + ph) * ow;
          for (int pw = 0; pw < ow; pw++) {
            y[to + pw] = sums[from + pw] + add;
          }
        }
      }
    }
  }

  static void inputGradient(Conv2d g, ConvProducts products, Workspace work, double[] k, double[] dy, int dyOffset,
      int dyStride, int lo, int hi, double[] dx, int dxOffset, int dxStride) {
    int reach = ConvColumns.reach(g), wide = wide(g), outChannels = g.outChannels();
    double[] kt = work.doubles(Flat.TRANSPOSED, reach * outChannels);
    ConvColumns.transpose(k, 0, outChannels, reach, kt, outChannels);
    double[] dyWide = work.doubles(Flat.SUMS, outChannels * wide);
    Arrays.fill(dyWide, 0, outChannels * wide, 0);
    double[] col = work.doubles(Flat.COLUMNS, reach * wide);
    double[] padded = work.doubles(Flat.PADDED, paddedLength(g));
    for (int b = lo; b < hi; b++) {
      widen(g, dy, b * dyStride + dyOffset, dyWide);
      products.multiply(reach, wide, outChannels, kt, 0, outChannels, dyWide, 0, wide, col, 0, wide, false);
      Arrays.fill(padded, 0, paddedLength(g), 0);
      int r = 0;
      for (int c = 0; c < g.channels(); c++) {
        for (int i = 0; i < g.kernelHeight(); i++) {
          for (int j = 0; j < g.kernelWidth(); j++, r++) {
            int to = shift(g, c, i, j), from = r * wide;
            for (int p = 0; p < wide; p++) {
              padded[to + p] += col[from + p];
            }
          }
        }
      }
      unpad(g, padded, dx, b * dxStride + dxOffset);
    }
  }

  static void kernelGradient(Conv2d g, ConvProducts products, Workspace work, double[] dk, double[] dbias, double[] x,
      int xOffset, int xStride, double[] dy, int dyOffset, int dyStride, int lo, int hi, double scale) {
    if (ConvColumns.reach(g) < g.outChannels()) {
      kernelGradientByInputColumns(g, products, work, dk, dbias, x, xOffset, xStride, dy, dyOffset, dyStride, lo, hi,
          scale);
      return;
    }
    int reach = ConvColumns.reach(g), wide = wide(g), outChannels = g.outChannels();
    int oh = g.outHeight(), ow = g.outWidth(), wp = paddedWidth(g);
    double[] padded = work.doubles(Flat.PADDED, paddedLength(g));
    // The columns with a row of ones after the kernel positions': its product with δᵀ is the bias gradient.
    double[] col = work.doubles(Flat.COLUMNS, (reach + 1) * wide);
    Arrays.fill(col, reach * wide, (reach + 1) * wide, 1);
    int dytStride = ConvColumns.skewed(outChannels);
    double[] dyt = work.doubles(Flat.TRANSPOSED, wide * dytStride);
    Arrays.fill(dyt, 0, wide * dytStride, 0);
    double[] sums = work.doubles(Flat.SUMS, (reach + 1) * outChannels);
    Arrays.fill(sums, 0, (reach + 1) * outChannels, 0);
    int biasSums = reach * outChannels;
    for (int b = lo; b < hi; b++) {
      pad(g, x, b * xStride + xOffset, padded);
      shiftedRows(g, padded, col);
      int ys = b * dyStride + dyOffset;
      for (int o = 0; o < outChannels; o++) {
        for (int ph = 0; ph < oh; ph++) {
          int from = ys + (o * oh + ph) * ow, to = ph * wp * dytStride + o;
          for (int pw = 0; pw < ow; pw++) {
            dyt[to + pw * dytStride] = dy[from + pw];
          }
        }
      }
      products.multiply(reach + 1, outChannels, wide, col, 0, wide, dyt, 0, dytStride, sums, 0, outChannels, true);
    }
    for (int o = 0; o < outChannels; o++) {
      for (int r = 0; r < reach; r++) {
        dk[o * reach + r] += scale * sums[r * outChannels + o];
      }
      if (dbias != null) {
        dbias[o] += scale * sums[biasSums + o];
      }
    }
  }

  /**
   * The kernel gradient for a layer with fewer kernel positions than output channels (the first layer,
   * one input channel): dk[O × R] += δ[O × wide] · colᵀ[wide × R], transposing the smaller side.
   */
  static void kernelGradientByInputColumns(Conv2d g, ConvProducts products, Workspace work, double[] dk, double[] dbias,
      double[] x, int xOffset, int xStride, double[] dy, int dyOffset, int dyStride, int lo, int hi, double scale) {
    int reach = ConvColumns.reach(g), wide = wide(g), outChannels = g.outChannels();
    double[] padded = work.doubles(Flat.PADDED, paddedLength(g));
    // colᵀ with a column of ones after the kernel positions': δ times it is the bias gradient.
    int colStride = ConvColumns.skewed(reach + 1);
    double[] colt = work.doubles(Flat.COLUMNS, wide * colStride);
    for (int p = 0; p < wide; p++) {
      colt[p * colStride + reach] = 1;
    }
    double[] dyWide = work.doubles(Flat.TRANSPOSED, outChannels * wide);
    Arrays.fill(dyWide, 0, outChannels * wide, 0);
    double[] sums = work.doubles(Flat.SUMS, (reach + 1) * outChannels);
    Arrays.fill(sums, 0, (reach + 1) * outChannels, 0);
    for (int b = lo; b < hi; b++) {
      pad(g, x, b * xStride + xOffset, padded);
      int r = 0;
      for (int c = 0; c < g.channels(); c++) {
        for (int i = 0; i < g.kernelHeight(); i++) {
          for (int j = 0; j < g.kernelWidth(); j++, r++) {
            int from = shift(g, c, i, j);
            for (int p = 0; p < wide; p++) {
              colt[p * colStride + r] = padded[from + p];
            }
          }
        }
      }
      int ys = b * dyStride + dyOffset;
      widen(g, dy, ys, dyWide);
      products.multiply(outChannels, reach + 1, wide, dyWide, 0, wide, colt, 0, colStride, sums, 0, reach + 1, true);
    }
    for (int o = 0; o < outChannels; o++) {
      for (int r = 0; r < reach; r++) {
        dk[o * reach + r] += scale * sums[o * (reach + 1) + r];
      }
      if (dbias != null) {
        dbias[o] += scale * sums[o * (reach + 1) + reach];
      }
    }
  }

  /** col[r, p'] = padded[shift(r) + p'] for the p' < wide(g): one copy per kernel position. */
  static void shiftedRows(Conv2d g, double[] padded, double[] col) {
    int wide = wide(g), r = 0;
    for (int c = 0; c < g.channels(); c++) {
      for (int i = 0; i < g.kernelHeight(); i++) {
        for (int j = 0; j < g.kernelWidth(); j++, r++) {
          System.arraycopy(padded, shift(g, c, i, j), col, r * wide, wide);
        }
      }
    }
  }

  /** padded[c, h + pad, w + pad] = x[c, h, w], zero on the border and in the slack after it. */
  static void pad(Conv2d g, double[] x, int xStart, double[] padded) {
    int h = g.height(), w = g.width(), pad = g.padding(), hp = h + 2 * pad, wp = w + 2 * pad;
    Arrays.fill(padded, 0, paddedLength(g), 0);
    for (int c = 0; c < g.channels(); c++) {
      for (int row = 0; row < h; row++) {
        System.arraycopy(x, xStart + (c * h + row) * w, padded, (c * hp + row + pad) * wp + pad, w);
      }
    }
  }

  /** dx[c, h, w] = padded[c, h + pad, w + pad]: the interior, overwriting dx's sample. */
  static void unpad(Conv2d g, double[] padded, double[] dx, int dxStart) {
    int h = g.height(), w = g.width(), pad = g.padding(), hp = h + 2 * pad, wp = w + 2 * pad;
    for (int c = 0; c < g.channels(); c++) {
      for (int row = 0; row < h; row++) {
        System.arraycopy(padded, (c * hp + row + pad) * wp + pad, dx, dxStart + (c * h + row) * w, w);
      }
    }
  }

  /** wide[o, ph·wp + pw] = dy[o, ph, pw]; the columns past the output width are left as they are (zero). */
  static void widen(Conv2d g, double[] dy, int dyStart, double[] wide) {
    int oh = g.outHeight(), ow = g.outWidth(), wp = paddedWidth(g), size = wide(g);
    for (int o = 0; o < g.outChannels(); o++) {
      for (int ph = 0; ph < oh; ph++) {
        System.arraycopy(dy, dyStart + (o * oh + ph) * ow, wide, o * size + ph * wp, ow);
      }
    }
  }
}
