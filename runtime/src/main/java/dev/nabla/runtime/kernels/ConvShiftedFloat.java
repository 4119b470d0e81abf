package dev.nabla.runtime.kernels;

import static dev.nabla.runtime.kernels.ConvShifted.paddedLength;
import static dev.nabla.runtime.kernels.ConvShifted.paddedWidth;
import static dev.nabla.runtime.kernels.ConvShifted.shift;
import static dev.nabla.runtime.kernels.ConvShifted.wide;

import dev.nabla.runtime.kernels.Workspace.Flat;
import java.util.Arrays;

/**
 * The float passes of {@link ConvShifted}'s convolution over shifted rows of the padded input; the geometry is that
 * class's.
 *
 * <p>The double passes, {@code ConvShiftedDouble}, are generated from this file at build time (runtime/pom.xml).
 */
final class ConvShiftedFloat {
  private ConvShiftedFloat() {}

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
    ConvColumnsFloat.transpose(k, 0, outChannels, reach, kt, outChannels);
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
}
