package dev.nabla.runtime.kernels;

import static dev.nabla.runtime.kernels.ConvColumns.paddedSize;
import static dev.nabla.runtime.kernels.ConvColumns.reach;
import static dev.nabla.runtime.kernels.ConvColumns.skewed;

import dev.nabla.runtime.kernels.Workspace.Flat;
import java.util.Arrays;

/**
 * The float passes of {@link ConvColumns}' convolution over im2col columns, and the copies they make (gather, pad,
 * scatter, transpose); the geometry is that class's.
 *
 * <p>The double passes, {@code ConvColumnsDouble}, are generated from this file at build time (runtime/pom.xml).
 */
final class ConvColumnsFloat {
  private ConvColumnsFloat() {}

  static void forward(Conv2d g, ConvProducts products, Workspace work, float[] k, float[] bias, float[] x, int xOffset, int xStride,
      int lo, int hi, float[] y, int yOffset, int yStride) {
    int reach = reach(g), positions = g.outHeight() * g.outWidth();
    float[] col = work.floats(Flat.COLUMNS, reach * positions);
    float[] padded = work.floats(Flat.PADDED, paddedSize(g));
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * yStride + yOffset;
      gather(g, x, xs, padded, col);
      if (bias != null) {
        for (int o = 0; o < g.outChannels(); o++) {
          Arrays.fill(y, ys + o * positions, ys + (o + 1) * positions, bias[o]);
        }
      }
      products.multiply(g.outChannels(), positions, reach, k, 0, reach, col, 0, positions,
          y, ys, positions,
          bias != null);
    }
  }

  static void inputGradient(Conv2d g, ConvProducts products, Workspace work, float[] k, float[] dy, int dyOffset, int dyStride,
      int lo, int hi, float[] dx, int dxOffset, int dxStride) {
    int reach = reach(g), positions = g.outHeight() * g.outWidth(), outChannels = g.outChannels();
    float[] kt = work.floats(Flat.TRANSPOSED, reach * outChannels);
    transpose(k, 0, outChannels, reach, kt, outChannels);
    float[] col = work.floats(Flat.COLUMNS, reach * positions);
    float[] padded = work.floats(Flat.PADDED, paddedSize(g));
    for (int b = lo; b < hi; b++) {
      int ys = b * dyStride + dyOffset, xs = b * dxStride + dxOffset;
      products.multiply(reach, positions, outChannels, kt, 0, outChannels, dy, ys, positions, col, 0, positions, false);
      scatter(g, col, padded, dx, xs);
    }
  }

  static void kernelGradient(Conv2d g, ConvProducts products, Workspace work, float[] dk, float[] dbias, float[] x, int xOffset, int xStride,
      float[] dy, int dyOffset, int dyStride, int lo, int hi, float scale) {
    int reach = reach(g), positions = g.outHeight() * g.outWidth(), outChannels = g.outChannels();
    // The columns with a row of ones after the kernel positions': its product with δᵀ is the bias gradient.
    float[] col = work.floats(Flat.COLUMNS, (reach + 1) * positions);
    Arrays.fill(col, reach * positions, (reach + 1) * positions, 1);
    float[] padded = work.floats(Flat.PADDED, paddedSize(g));
    int dytStride = skewed(outChannels);
    float[] dyt = work.floats(Flat.TRANSPOSED, positions * dytStride);
    // sums[r, o], then the bias sums: the gradient of the whole range, added to dk once, scaled.
    float[] sums = work.floats(Flat.SUMS, (reach + 1) * outChannels);
    Arrays.fill(sums, 0, (reach + 1) * outChannels, 0);
    int biasSums = reach * outChannels;
    for (int b = lo; b < hi; b++) {
      int xs = b * xStride + xOffset, ys = b * dyStride + dyOffset;
      gather(g, x, xs, padded, col);
      transpose(dy, ys, outChannels, positions, dyt, dytStride);
      products.multiply(reach + 1, outChannels, positions, col, 0, positions, dyt, 0, dytStride,
          sums, 0, outChannels, true);
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

  /** out[j, i] = m[i, j] for m of rows × columns at offset, out's rows {@code outStride} apart. */
  static void transpose(float[] m, int offset, int rows, int columns, float[] out, int outStride) {
    for (int i = 0; i < rows; i++) {
      int from = offset + i * columns;
      for (int j = 0; j < columns; j++) {
        out[j * outStride + i] = m[from + j];
      }
    }
  }

  /**
   * col[r, p] = the padded input under kernel position r = (c, i, j) at output position p = (ph, pw):
   * im2col. With padding, the sample is first copied into a zero-bordered {@code padded} buffer, so that
   * every row of the columns is a plain (strided) copy.
   */
  static void gather(Conv2d g, float[] x, int xStart, float[] padded, float[] col) {
    int oh = g.outHeight(), ow = g.outWidth(), s = g.stride(), pad = g.padding();
    int hp = g.height() + 2 * pad, wp = g.width() + 2 * pad, positions = oh * ow;
    float[] source = x;
    int start = xStart;
    if (pad > 0) {
      pad(g, x, xStart, padded);
      source = padded;
      start = 0;
    }
    int r = 0;
    for (int c = 0; c < g.channels(); c++) {
      for (int i = 0; i < g.kernelHeight(); i++) {
        for (int j = 0; j < g.kernelWidth(); j++, r++) {
          for (int ph = 0, at = r * positions; ph < oh; ph++, at += ow) {
            int from = start + (c * hp + ph * s + i) * wp + j;
            if (s == 1) {
              for (int pw = 0; pw < ow; pw++) {
                col[at + pw] = source[from + pw];
              }
            } else {
              for (int pw = 0; pw < ow; pw++) {
                col[at + pw] = source[from + pw * s];
              }
            }
          }
        }
      }
    }
  }

  /** padded[c, h + pad, w + pad] = x[c, h, w], zero on the border. */
  static void pad(Conv2d g, float[] x, int xStart, float[] padded) {
    int h = g.height(), w = g.width(), pad = g.padding(), hp = h + 2 * pad, wp = w + 2 * pad;
    Arrays.fill(padded, 0, g.channels() * hp * wp, 0);
    for (int c = 0; c < g.channels(); c++) {
      for (int row = 0; row < h; row++) {
        System.arraycopy(x, xStart + (c * h + row) * w, padded, (c * hp + row + pad) * wp + pad, w);
      }
    }
  }

  /**
   * dx = the sum of col[r, p] at the input positions they were gathered from (col2im); overwrites dx's
   * sample. With padding, the sums go to the zeroed {@code padded} buffer first and its interior to dx.
   */
  static void scatter(Conv2d g, float[] col, float[] padded, float[] dx, int dxStart) {
    int oh = g.outHeight(), ow = g.outWidth(), h = g.height(), w = g.width(), s = g.stride(), pad = g.padding();
    int hp = h + 2 * pad, wp = w + 2 * pad, positions = oh * ow;
    float[] target = pad > 0 ? padded : dx;
    int start = pad > 0 ? 0 : dxStart;
    Arrays.fill(target, start, start + g.channels() * hp * wp, 0);
    int r = 0;
    for (int c = 0; c < g.channels(); c++) {
      for (int i = 0; i < g.kernelHeight(); i++) {
        for (int j = 0; j < g.kernelWidth(); j++, r++) {
          for (int ph = 0, at = r * positions; ph < oh; ph++, at += ow) {
            int to = start + (c * hp + ph * s + i) * wp + j;
            if (s == 1) {
              for (int pw = 0; pw < ow; pw++) {
                target[to + pw] += col[at + pw];
              }
            } else {
              for (int pw = 0; pw < ow; pw++) {
                target[to + pw * s] += col[at + pw];
              }
            }
          }
        }
      }
    }
    if (pad > 0) {
      for (int c = 0; c < g.channels(); c++) {
        for (int row = 0; row < h; row++) {
          System.arraycopy(padded, (c * hp + row + pad) * wp + pad, dx, dxStart + (c * h + row) * w, w);
        }
      }
    }
  }

}
