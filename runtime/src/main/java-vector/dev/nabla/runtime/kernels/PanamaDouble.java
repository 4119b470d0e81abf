package dev.nabla.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The double kernels with the Vector API: register tiles that make each vector loaded serve 4 rows or 4
 * samples, with no transposed copy of the inputs. This file is {@code PanamaFloat} with {@code float}
 * read as {@code double}: change that one and derive this one with the same replacements.
 */
final class PanamaDouble {
  private PanamaDouble() {}

  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
  /** Samples each weight-gradient tile sums in registers before it is added to the gradient. */
  private static final int SAMPLE_CHUNK = 128;

  /**
   * out[b, i] = bias[i] + Σ_k w[i, k] x[b, k]: dot products, 4 rows by 4 samples at a time in 16 vector
   * accumulators, with the inputs where they lie.
   */
  static void dense(double[] w, int rows, int columns, double[] bias, double[] x, int xOffset, int xStride, int lo,
      int hi, double[] out, int outOffset, int outStride) {
    int step = SPECIES.length();
    int upper = SPECIES.loopBound(columns);
    int b = lo;
    for (; b + 4 <= hi; b += 4) {
      int s0 = b * xStride + xOffset;
      int s1 = s0 + xStride, s2 = s1 + xStride, s3 = s2 + xStride;
      int o0 = b * outStride + outOffset;
      int o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
      int i = 0;
      for (; i + 4 <= rows; i += 4) {
        int w0 = i * columns;
        int w1 = w0 + columns, w2 = w1 + columns, w3 = w2 + columns;
        DoubleVector a00 = DoubleVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        DoubleVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        DoubleVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        DoubleVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int k = 0; k < upper; k += step) {
          DoubleVector x0 = DoubleVector.fromArray(SPECIES, x, s0 + k);
          DoubleVector x1 = DoubleVector.fromArray(SPECIES, x, s1 + k);
          DoubleVector x2 = DoubleVector.fromArray(SPECIES, x, s2 + k);
          DoubleVector x3 = DoubleVector.fromArray(SPECIES, x, s3 + k);
          DoubleVector v = DoubleVector.fromArray(SPECIES, w, w0 + k);
          a00 = v.fma(x0, a00);
          a01 = v.fma(x1, a01);
          a02 = v.fma(x2, a02);
          a03 = v.fma(x3, a03);
          v = DoubleVector.fromArray(SPECIES, w, w1 + k);
          a10 = v.fma(x0, a10);
          a11 = v.fma(x1, a11);
          a12 = v.fma(x2, a12);
          a13 = v.fma(x3, a13);
          v = DoubleVector.fromArray(SPECIES, w, w2 + k);
          a20 = v.fma(x0, a20);
          a21 = v.fma(x1, a21);
          a22 = v.fma(x2, a22);
          a23 = v.fma(x3, a23);
          v = DoubleVector.fromArray(SPECIES, w, w3 + k);
          a30 = v.fma(x0, a30);
          a31 = v.fma(x1, a31);
          a32 = v.fma(x2, a32);
          a33 = v.fma(x3, a33);
        }
        out[o0 + i] = biased(bias, i, a00, w, w0, x, s0, upper, columns);
        out[o1 + i] = biased(bias, i, a01, w, w0, x, s1, upper, columns);
        out[o2 + i] = biased(bias, i, a02, w, w0, x, s2, upper, columns);
        out[o3 + i] = biased(bias, i, a03, w, w0, x, s3, upper, columns);
        out[o0 + i + 1] = biased(bias, i + 1, a10, w, w1, x, s0, upper, columns);
        out[o1 + i + 1] = biased(bias, i + 1, a11, w, w1, x, s1, upper, columns);
        out[o2 + i + 1] = biased(bias, i + 1, a12, w, w1, x, s2, upper, columns);
        out[o3 + i + 1] = biased(bias, i + 1, a13, w, w1, x, s3, upper, columns);
        out[o0 + i + 2] = biased(bias, i + 2, a20, w, w2, x, s0, upper, columns);
        out[o1 + i + 2] = biased(bias, i + 2, a21, w, w2, x, s1, upper, columns);
        out[o2 + i + 2] = biased(bias, i + 2, a22, w, w2, x, s2, upper, columns);
        out[o3 + i + 2] = biased(bias, i + 2, a23, w, w2, x, s3, upper, columns);
        out[o0 + i + 3] = biased(bias, i + 3, a30, w, w3, x, s0, upper, columns);
        out[o1 + i + 3] = biased(bias, i + 3, a31, w, w3, x, s1, upper, columns);
        out[o2 + i + 3] = biased(bias, i + 3, a32, w, w3, x, s2, upper, columns);
        out[o3 + i + 3] = biased(bias, i + 3, a33, w, w3, x, s3, upper, columns);
      }
      for (; i < rows; i++) {
        double offset = bias == null ? 0 : bias[i];
        out[o0 + i] = offset + dot(w, i * columns, x, s0, columns);
        out[o1 + i] = offset + dot(w, i * columns, x, s1, columns);
        out[o2 + i] = offset + dot(w, i * columns, x, s2, columns);
        out[o3 + i] = offset + dot(w, i * columns, x, s3, columns);
      }
    }
    for (; b < hi; b++) {
      int s0 = b * xStride + xOffset;
      int o0 = b * outStride + outOffset;
      for (int i = 0; i < rows; i++) {
        out[o0 + i] = (bias == null ? 0 : bias[i]) + dot(w, i * columns, x, s0, columns);
      }
    }
  }

  /** bias[i] plus a tile's dot product: its accumulator's lanes and the part past the last whole vector. */
  private static double biased(double[] bias, int i, DoubleVector sum, double[] w, int wStart, double[] x, int xStart,
      int upper, int length) {
    double value = sum.reduceLanes(VectorOperators.ADD) + dotTail(w, wStart, x, xStart, upper, length);
    return bias == null ? value : bias[i] + value;
  }

  /** Σ_k a[aStart + k] c[cStart + k] for k < length. */
  private static double dot(double[] a, int aStart, double[] c, int cStart, int length) {
    int upper = SPECIES.loopBound(length);
    DoubleVector sum = DoubleVector.zero(SPECIES);
    for (int k = 0; k < upper; k += SPECIES.length()) {
      sum = DoubleVector.fromArray(SPECIES, a, aStart + k).fma(DoubleVector.fromArray(SPECIES, c, cStart + k), sum);
    }
    return sum.reduceLanes(VectorOperators.ADD) + dotTail(a, aStart, c, cStart, upper, length);
  }

  /** Σ_k a[aStart + k] c[cStart + k] for from ≤ k < to. */
  private static double dotTail(double[] a, int aStart, double[] c, int cStart, int from, int to) {
    double sum = 0;
    for (int k = from; k < to; k++) {
      sum = Math.fma(a[aStart + k], c[cStart + k], sum);
    }
    return sum;
  }

  /**
   * g[i, j] += scale Σ_b d[b, i] x[b, j]: tiles of 4 rows of g by 2 vectors of j, each summed over up to
   * {@link #SAMPLE_CHUNK} samples in 8 accumulators before it is added to g.
   */
  static void weightGradient(double[] g, int rows, int columns, double[] d, int dOffset, int dStride, double[] x,
      int xOffset, int xStride, int lo, int hi, double scale) {
    int step = SPECIES.length();
    DoubleVector factor = DoubleVector.broadcast(SPECIES, scale);
    for (int from = lo; from < hi; from += SAMPLE_CHUNK) {
      int to = Math.min(hi, from + SAMPLE_CHUNK);
      int j = 0;
      for (; j + 2 * step <= columns; j += 2 * step) {
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
          DoubleVector a00 = DoubleVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
          DoubleVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
          for (int b = from; b < to; b++) {
            int s = b * xStride + xOffset + j;
            int e = b * dStride + dOffset + i;
            DoubleVector x0 = DoubleVector.fromArray(SPECIES, x, s);
            DoubleVector x1 = DoubleVector.fromArray(SPECIES, x, s + step);
            DoubleVector c = DoubleVector.broadcast(SPECIES, d[e]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            c = DoubleVector.broadcast(SPECIES, d[e + 1]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            c = DoubleVector.broadcast(SPECIES, d[e + 2]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            c = DoubleVector.broadcast(SPECIES, d[e + 3]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
          }
          addScaled(g, i * columns + j, a00, factor);
          addScaled(g, i * columns + j + step, a01, factor);
          addScaled(g, (i + 1) * columns + j, a10, factor);
          addScaled(g, (i + 1) * columns + j + step, a11, factor);
          addScaled(g, (i + 2) * columns + j, a20, factor);
          addScaled(g, (i + 2) * columns + j + step, a21, factor);
          addScaled(g, (i + 3) * columns + j, a30, factor);
          addScaled(g, (i + 3) * columns + j + step, a31, factor);
        }
        for (; i < rows; i++) {
          gradientColumns(g, i, columns, j, j + 2 * step, d, dOffset, dStride, x, xOffset, xStride, from, to, scale);
        }
      }
      for (int i = 0; i < rows; i++) {
        gradientColumns(g, i, columns, j, columns, d, dOffset, dStride, x, xOffset, xStride, from, to, scale);
      }
    }
  }

  /** g[at .. at + step) += scale sum. */
  private static void addScaled(double[] g, int at, DoubleVector sum, DoubleVector factor) {
    sum.fma(factor, DoubleVector.fromArray(SPECIES, g, at)).intoArray(g, at);
  }

  /** g[i, j] += scale Σ_b d[b, i] x[b, j] for one row i and j in [from, to): a vector of j at a time, then one j at a time. */
  private static void gradientColumns(double[] g, int i, int columns, int from, int to, double[] d, int dOffset,
      int dStride, double[] x, int xOffset, int xStride, int lo, int hi, double scale) {
    int step = SPECIES.length();
    int j = from;
    for (; j + step <= to; j += step) {
      DoubleVector sum = DoubleVector.zero(SPECIES);
      for (int b = lo; b < hi; b++) {
        sum = DoubleVector.broadcast(SPECIES, d[b * dStride + dOffset + i])
            .fma(DoubleVector.fromArray(SPECIES, x, b * xStride + xOffset + j), sum);
      }
      addScaled(g, i * columns + j, sum, DoubleVector.broadcast(SPECIES, scale));
    }
    for (; j < to; j++) {
      double sum = 0;
      for (int b = lo; b < hi; b++) {
        sum = Math.fma(d[b * dStride + dOffset + i], x[b * xStride + xOffset + j], sum);
      }
      g[i * columns + j] = Math.fma(sum, scale, g[i * columns + j]);
    }
  }

  /**
   * out[b, j] = Σ_i w[i, j] d[b, i]: the rows of w scaled by each sample's entries and summed, 2 vectors
   * of j for 4 samples at a time in 8 accumulators.
   */
  static void transposedDense(double[] w, int rows, int columns, double[] d, int dOffset, int dStride, int lo, int hi,
      double[] out, int outOffset, int outStride) {
    int step = SPECIES.length();
    int b = lo;
    for (; b + 4 <= hi; b += 4) {
      int e0 = b * dStride + dOffset;
      int e1 = e0 + dStride, e2 = e1 + dStride, e3 = e2 + dStride;
      int o0 = b * outStride + outOffset;
      int o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
      int j = 0;
      for (; j + 2 * step <= columns; j += 2 * step) {
        DoubleVector a00 = DoubleVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
        DoubleVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int i = 0; i < rows; i++) {
          DoubleVector v0 = DoubleVector.fromArray(SPECIES, w, i * columns + j);
          DoubleVector v1 = DoubleVector.fromArray(SPECIES, w, i * columns + j + step);
          DoubleVector c = DoubleVector.broadcast(SPECIES, d[e0 + i]);
          a00 = v0.fma(c, a00);
          a01 = v1.fma(c, a01);
          c = DoubleVector.broadcast(SPECIES, d[e1 + i]);
          a10 = v0.fma(c, a10);
          a11 = v1.fma(c, a11);
          c = DoubleVector.broadcast(SPECIES, d[e2 + i]);
          a20 = v0.fma(c, a20);
          a21 = v1.fma(c, a21);
          c = DoubleVector.broadcast(SPECIES, d[e3 + i]);
          a30 = v0.fma(c, a30);
          a31 = v1.fma(c, a31);
        }
        a00.intoArray(out, o0 + j);
        a01.intoArray(out, o0 + j + step);
        a10.intoArray(out, o1 + j);
        a11.intoArray(out, o1 + j + step);
        a20.intoArray(out, o2 + j);
        a21.intoArray(out, o2 + j + step);
        a30.intoArray(out, o3 + j);
        a31.intoArray(out, o3 + j + step);
      }
      transposedColumns(w, rows, columns, j, d, e0, out, o0);
      transposedColumns(w, rows, columns, j, d, e1, out, o1);
      transposedColumns(w, rows, columns, j, d, e2, out, o2);
      transposedColumns(w, rows, columns, j, d, e3, out, o3);
    }
    for (; b < hi; b++) {
      transposedColumns(w, rows, columns, 0, d, b * dStride + dOffset, out, b * outStride + outOffset);
    }
  }

  /** out[o + j] = Σ_i w[i, j] d[e + i] for j from {@code from}: a vector of j at a time, then one at a time. */
  private static void transposedColumns(double[] w, int rows, int columns, int from, double[] d, int e, double[] out,
      int o) {
    int step = SPECIES.length();
    int j = from;
    for (; j + step <= columns; j += step) {
      DoubleVector sum = DoubleVector.zero(SPECIES);
      for (int i = 0; i < rows; i++) {
        sum = DoubleVector.fromArray(SPECIES, w, i * columns + j).fma(DoubleVector.broadcast(SPECIES, d[e + i]), sum);
      }
      sum.intoArray(out, o + j);
    }
    for (; j < columns; j++) {
      double sum = 0;
      for (int i = 0; i < rows; i++) {
        sum = Math.fma(w[i * columns + j], d[e + i], sum);
      }
      out[o + j] = sum;
    }
  }
}
