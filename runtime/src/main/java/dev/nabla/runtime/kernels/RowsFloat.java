package dev.nabla.runtime.kernels;

import java.util.Arrays;

/**
 * The loops a generated class runs over each sample's row of a value, for a lane's samples {@code [lo, hi)}: ReLU,
 * softmax and log-softmax, the cross-entropy of a row against a label, one-hot targets, and a gradient's batch mean.
 * Sample {@code b}'s row of an operand given as {@code (x, xOffset, xStride)} is {@code x[xOffset + b·xStride ..]}, of
 * a result without an offset and stride {@code y[b·width ..]}: the layouts {@code dense} reads and writes. Public for
 * {@code BaseNetwork.addBatchMean}; a generated class calls the others through {@link Activations} and {@link Losses},
 * whose overloads pick the precision.
 *
 * <p>One place for these loops rather than a copy in every generated class: the warm-up's stand-in calls them too, so
 * the JIT has compiled them before the run, and the generated class is left with the math that is its own. Each
 * computes what the loop it replaces computed, in the same order, but for e^x: in float it is {@link Exp#ofFloat}, within
 * an ulp of {@code (float) Math.exp} and 1.7 times as fast, where a generated loop (a softmax over another layout)
 * takes {@code Math.exp}.
 *
 * <p>The double loops, {@code RowsDouble}, are generated from this file at build time (runtime/pom.xml).
 */
public final class RowsFloat {
  private RowsFloat() {}

  /** {@code y[yFrom + i] = max(x[xFrom + i], 0)} for {@code i < length}. */
  public static void relu(float[] x, int xFrom, float[] y, int yFrom, int length) {
    for (int i = 0; i < length; i++) {
      y[yFrom + i] = Math.max(x[xFrom + i], 0);
    }
  }

  /** Each sample's row of {@code y} (width {@code width}) the softmax of its row of {@code x}, shifted by its maximum. */
  public static void softmax(float[] x, int xOffset, int xStride, float[] y, int width, int lo, int hi) {
    for (int b = lo; b < hi; b++) {
      int out = b * width;
      float max = copyRow(x, xOffset + b * xStride, y, out, width);
      float sum = 0;
      for (int i = 0; i < width; i++) {
        y[out + i] = Exp.ofFloat(y[out + i] - max);
        sum += y[out + i];
      }
      for (int i = 0; i < width; i++) {
        y[out + i] /= sum;
      }
    }
  }

  /** Each sample's row of {@code y} its row of {@code x} less the row's log-sum-exp: the log of its softmax. */
  public static void logSoftmax(float[] x, int xOffset, int xStride, float[] y, int width, int lo, int hi) {
    for (int b = lo; b < hi; b++) {
      int out = b * width;
      float max = copyRow(x, xOffset + b * xStride, y, out, width);
      float sum = 0;
      for (int i = 0; i < width; i++) {
        sum += Exp.ofFloat(y[out + i] - max);
      }
      float logSum = max + (float) Math.log(sum);
      for (int i = 0; i < width; i++) {
        y[out + i] -= logSum;
      }
    }
  }

  /** Copies {@code width} values from {@code x[in ..]} to {@code y[out ..]}; returns their maximum. */
  private static float copyRow(float[] x, int in, float[] y, int out, int width) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < width; i++) {
      y[out + i] = x[in + i];
      max = Math.max(max, y[out + i]);
    }
    return max;
  }

  /**
   * {@code loss[b] = log Σ_i exp(z_i) − z_label}, the cross-entropy of sample {@code b}'s scores (its row of {@code z},
   * {@code width} of them) against its label {@code labels[b]}: the log-sum-exp shifted by the row's maximum.
   */
  public static void crossEntropy(float[] z, int zOffset, int zStride, int width, int[] labels, float[] loss, int lo, int hi) {
    for (int b = lo; b < hi; b++) {
      int in = zOffset + b * zStride;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < width; i++) {
        max = Math.max(max, z[in + i]);
      }
      float sum = 0;
      for (int i = 0; i < width; i++) {
        sum += Exp.ofFloat(z[in + i] - max);
      }
      loss[b] = max + (float) Math.log(sum) - z[in + labels[b]];
    }
  }

  /** Each sample's row of {@code t} ({@code classes} wide) the one-hot row of its label. */
  public static void oneHot(int[] labels, int lo, int hi, float[] t, int classes) {
    for (int b = lo; b < hi; b++) {
      Arrays.fill(t, b * classes, (b + 1) * classes, 0);
      t[b * classes + labels[b]] = 1;
    }
  }

  /** {@code g[i] += scale · d_b[i]} for each sample's row {@code d_b} of {@code d}, sample by sample: a gradient's batch mean. */
  public static void addBatchMean(float[] g, int size, float[] d, int dOffset, int dStride, int lo, int hi, float scale) {
    for (int b = lo; b < hi; b++) {
      int in = dOffset + b * dStride;
      for (int i = 0; i < size; i++) {
        g[i] += scale * d[in + i];
      }
    }
  }
}
