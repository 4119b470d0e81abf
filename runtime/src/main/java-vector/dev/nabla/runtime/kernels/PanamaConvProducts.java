package dev.nabla.runtime.kernels;

import java.util.List;
import java.util.stream.IntStream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvProducts} with the Vector API: register tiles of 4 rows × 3 vectors of {@code c} (12
 * accumulators; the 3 vectors of a row of {@code b} loaded once for the 4 rows, each value of {@code a}
 * broadcast once for the 3 vectors), then 4 rows × 1 vector; the last columns, fewer than a vector, as
 * the vector that ends at the last column, writing only its new lanes. Each tile is a method of its
 * own: in one large method C2 stops inlining the Vector API's calls and the later loops run boxed,
 * ten times slower. The products go over l in blocks of {@link #DEPTH}, so that the panel of b a tile
 * streams stays in L1. Sums are taken in the order of {@code l} with fused multiply-adds.
 */
final class PanamaConvProducts implements ConvProducts {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
  /** Rows of b per pass over c: a 3-vector panel of 128 rows of b is 12 KiB of floats, and stays in L1. */
  static final int DEPTH = 128;
  /** FRESH_FLOATS.get(r): the last r lanes of a vector, for a product whose last r columns are less than a vector. */
  private static final List<VectorMask<Float>> FRESH_FLOATS = IntStream.range(0, FLOATS.length())
      .mapToObj(r -> FLOATS.indexInRange(0, FLOATS.length() - r).not()).toList();
  private static final List<VectorMask<Double>> FRESH_DOUBLES = IntStream.range(0, DOUBLES.length())
      .mapToObj(r -> DOUBLES.indexInRange(0, DOUBLES.length() - r).not()).toList();

  @Override
  public void multiply(int m, int n, int k, float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
      float[] c, int cOffset, int cStride, boolean add) {
    for (int l = 0; l < k; l += DEPTH) {
      block(m, n, Math.min(DEPTH, k - l), a, aOffset + l, aStride, b, bOffset + l * bStride, bStride, c, cOffset, cStride,
          add || l > 0);
    }
  }

  /** The product over one block of at most {@link #DEPTH} values of l. */
  private static void block(int m, int n, int k, float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
      float[] c, int cOffset, int cStride, boolean add) {
    final int w = FLOATS.length();
    int j = 0;
    for (; j + 3 * w <= n; j += 3 * w) {
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        tile4x3(k, a, aOffset + i * aStride, aStride, b, bOffset + j, bStride, c, cOffset + i * cStride + j, cStride, add);
      }
      for (; i < m; i++) {
        for (int v = 0; v < 3; v++) {
          column(k, a, aOffset + i * aStride, b, bOffset + j + v * w, bStride, c, cOffset + i * cStride + j + v * w, add,
              null);
        }
      }
    }
    for (; j + w <= n; j += w) {
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        tile4x1(k, a, aOffset + i * aStride, aStride, b, bOffset + j, bStride, c, cOffset + i * cStride + j, cStride, add,
            null);
      }
      for (; i < m; i++) {
        column(k, a, aOffset + i * aStride, b, bOffset + j, bStride, c, cOffset + i * cStride + j, add, null);
      }
    }
    if (j < n && n >= w) {
      // Fewer than a vector of columns left: the vector that ends at n, of which only the lanes past j are written.
      VectorMask<Float> fresh = FRESH_FLOATS.get(n - j);
      int last = n - w;
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        tile4x1(k, a, aOffset + i * aStride, aStride, b, bOffset + last, bStride, c, cOffset + i * cStride + last,
            cStride, add, fresh);
      }
      for (; i < m; i++) {
        column(k, a, aOffset + i * aStride, b, bOffset + last, bStride, c, cOffset + i * cStride + last, add, fresh);
      }
    } else if (j < n) {
      narrow(m, n, k, a, aOffset, aStride, b, bOffset, bStride, c, cOffset, cStride, add);
    }
  }

  /** 4 rows × 3 vectors of c from 4 rows of a, each a small method of its own so that C2 inlines the vector calls. */
  private static void tile4x3(int k, float[] a, int aAt, int aStride, float[] b, int bAt, int bStride, float[] c, int cAt,
      int cStride, boolean add) {
    final int w = FLOATS.length();
    int c0 = cAt, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
    int a0 = aAt, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
    FloatVector s00 = start(c, c0, add), s01 = start(c, c0 + w, add), s02 = start(c, c0 + 2 * w, add);
    FloatVector s10 = start(c, c1, add), s11 = start(c, c1 + w, add), s12 = start(c, c1 + 2 * w, add);
    FloatVector s20 = start(c, c2, add), s21 = start(c, c2 + w, add), s22 = start(c, c2 + 2 * w, add);
    FloatVector s30 = start(c, c3, add), s31 = start(c, c3 + w, add), s32 = start(c, c3 + 2 * w, add);
    for (int l = 0, bRow = bAt; l < k; l++, bRow += bStride) {
      FloatVector b0 = FloatVector.fromArray(FLOATS, b, bRow);
      FloatVector b1 = FloatVector.fromArray(FLOATS, b, bRow + w);
      FloatVector b2 = FloatVector.fromArray(FLOATS, b, bRow + 2 * w);
      FloatVector x = FloatVector.broadcast(FLOATS, a[a0 + l]);
      s00 = x.fma(b0, s00);
      s01 = x.fma(b1, s01);
      s02 = x.fma(b2, s02);
      x = FloatVector.broadcast(FLOATS, a[a1 + l]);
      s10 = x.fma(b0, s10);
      s11 = x.fma(b1, s11);
      s12 = x.fma(b2, s12);
      x = FloatVector.broadcast(FLOATS, a[a2 + l]);
      s20 = x.fma(b0, s20);
      s21 = x.fma(b1, s21);
      s22 = x.fma(b2, s22);
      x = FloatVector.broadcast(FLOATS, a[a3 + l]);
      s30 = x.fma(b0, s30);
      s31 = x.fma(b1, s31);
      s32 = x.fma(b2, s32);
    }
    s00.intoArray(c, c0);
    s01.intoArray(c, c0 + w);
    s02.intoArray(c, c0 + 2 * w);
    s10.intoArray(c, c1);
    s11.intoArray(c, c1 + w);
    s12.intoArray(c, c1 + 2 * w);
    s20.intoArray(c, c2);
    s21.intoArray(c, c2 + w);
    s22.intoArray(c, c2 + 2 * w);
    s30.intoArray(c, c3);
    s31.intoArray(c, c3 + w);
    s32.intoArray(c, c3 + 2 * w);
  }

  /** 4 rows × 1 vector of c; with {@code fresh}, only its lanes are written (the others are columns already done). */
  private static void tile4x1(int k, float[] a, int aAt, int aStride, float[] b, int bAt, int bStride, float[] c, int cAt,
      int cStride, boolean add, VectorMask<Float> fresh) {
    int c0 = cAt, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
    int a0 = aAt, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
    boolean load = add && fresh == null;
    FloatVector s0 = start(c, c0, load), s1 = start(c, c1, load), s2 = start(c, c2, load), s3 = start(c, c3, load);
    for (int l = 0, bRow = bAt; l < k; l++, bRow += bStride) {
      FloatVector v = FloatVector.fromArray(FLOATS, b, bRow);
      s0 = FloatVector.broadcast(FLOATS, a[a0 + l]).fma(v, s0);
      s1 = FloatVector.broadcast(FLOATS, a[a1 + l]).fma(v, s1);
      s2 = FloatVector.broadcast(FLOATS, a[a2 + l]).fma(v, s2);
      s3 = FloatVector.broadcast(FLOATS, a[a3 + l]).fma(v, s3);
    }
    finish(s0, c, c0, add, fresh);
    finish(s1, c, c1, add, fresh);
    finish(s2, c, c2, add, fresh);
    finish(s3, c, c3, add, fresh);
  }

  /** One vector of one row of c, as {@link #tile4x1} does four. */
  private static void column(int k, float[] a, int row, float[] b, int from, int bStride, float[] c, int at, boolean add,
      VectorMask<Float> fresh) {
    FloatVector s0 = start(c, at, add && fresh == null);
    for (int l = 0, bRow = from; l < k; l++, bRow += bStride) {
      s0 = FloatVector.broadcast(FLOATS, a[row + l]).fma(FloatVector.fromArray(FLOATS, b, bRow), s0);
    }
    finish(s0, c, at, add, fresh);
  }

  private static FloatVector start(float[] c, int at, boolean add) {
    return add ? FloatVector.fromArray(FLOATS, c, at) : FloatVector.zero(FLOATS);
  }

  /** Stores a sum; with {@code fresh}, into its lanes only (added to them if {@code add}). */
  private static void finish(FloatVector sum, float[] c, int at, boolean add, VectorMask<Float> fresh) {
    if (fresh != null) {
      FloatVector old = FloatVector.fromArray(FLOATS, c, at);
      sum = add ? old.add(FloatVector.zero(FLOATS).blend(sum, fresh)) : old.blend(sum, fresh);
    }
    sum.intoArray(c, at);
  }

  /** A product narrower than a vector, one value at a time. */
  private static void narrow(int m, int n, int k, float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
      float[] c, int cOffset, int cStride, boolean add) {
    for (int i = 0; i < m; i++) {
      int a0 = aOffset + i * aStride, c0 = cOffset + i * cStride;
      for (int j = 0; j < n; j++) {
        float sum = add ? c[c0 + j] : 0;
        for (int l = 0, bAt = bOffset + j; l < k; l++, bAt += bStride) {
          sum = Math.fma(a[a0 + l], b[bAt], sum);
        }
        c[c0 + j] = sum;
      }
    }
  }

  @Override
  public void multiply(int m, int n, int k, double[] a, int aOffset, int aStride, double[] b, int bOffset, int bStride,
      double[] c, int cOffset, int cStride, boolean add) {
    for (int l = 0; l < k; l += DEPTH) {
      block(m, n, Math.min(DEPTH, k - l), a, aOffset + l, aStride, b, bOffset + l * bStride, bStride, c, cOffset, cStride,
          add || l > 0);
    }
  }

  /** The product over one block of at most {@link #DEPTH} values of l. */
  private static void block(int m, int n, int k, double[] a, int aOffset, int aStride, double[] b, int bOffset, int bStride,
      double[] c, int cOffset, int cStride, boolean add) {
    final int w = DOUBLES.length();
    int j = 0;
    for (; j + 3 * w <= n; j += 3 * w) {
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        tile4x3(k, a, aOffset + i * aStride, aStride, b, bOffset + j, bStride, c, cOffset + i * cStride + j, cStride, add);
      }
      for (; i < m; i++) {
        for (int v = 0; v < 3; v++) {
          column(k, a, aOffset + i * aStride, b, bOffset + j + v * w, bStride, c, cOffset + i * cStride + j + v * w, add,
              null);
        }
      }
    }
    for (; j + w <= n; j += w) {
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        tile4x1(k, a, aOffset + i * aStride, aStride, b, bOffset + j, bStride, c, cOffset + i * cStride + j, cStride, add,
            null);
      }
      for (; i < m; i++) {
        column(k, a, aOffset + i * aStride, b, bOffset + j, bStride, c, cOffset + i * cStride + j, add, null);
      }
    }
    if (j < n && n >= w) {
      // Fewer than a vector of columns left: the vector that ends at n, of which only the lanes past j are written.
      VectorMask<Double> fresh = FRESH_DOUBLES.get(n - j);
      int last = n - w;
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        tile4x1(k, a, aOffset + i * aStride, aStride, b, bOffset + last, bStride, c, cOffset + i * cStride + last,
            cStride, add, fresh);
      }
      for (; i < m; i++) {
        column(k, a, aOffset + i * aStride, b, bOffset + last, bStride, c, cOffset + i * cStride + last, add, fresh);
      }
    } else if (j < n) {
      narrow(m, n, k, a, aOffset, aStride, b, bOffset, bStride, c, cOffset, cStride, add);
    }
  }

  /** 4 rows × 3 vectors of c from 4 rows of a, each a small method of its own so that C2 inlines the vector calls. */
  private static void tile4x3(int k, double[] a, int aAt, int aStride, double[] b, int bAt, int bStride, double[] c, int cAt,
      int cStride, boolean add) {
    final int w = DOUBLES.length();
    int c0 = cAt, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
    int a0 = aAt, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
    DoubleVector s00 = start(c, c0, add), s01 = start(c, c0 + w, add), s02 = start(c, c0 + 2 * w, add);
    DoubleVector s10 = start(c, c1, add), s11 = start(c, c1 + w, add), s12 = start(c, c1 + 2 * w, add);
    DoubleVector s20 = start(c, c2, add), s21 = start(c, c2 + w, add), s22 = start(c, c2 + 2 * w, add);
    DoubleVector s30 = start(c, c3, add), s31 = start(c, c3 + w, add), s32 = start(c, c3 + 2 * w, add);
    for (int l = 0, bRow = bAt; l < k; l++, bRow += bStride) {
      DoubleVector b0 = DoubleVector.fromArray(DOUBLES, b, bRow);
      DoubleVector b1 = DoubleVector.fromArray(DOUBLES, b, bRow + w);
      DoubleVector b2 = DoubleVector.fromArray(DOUBLES, b, bRow + 2 * w);
      DoubleVector x = DoubleVector.broadcast(DOUBLES, a[a0 + l]);
      s00 = x.fma(b0, s00);
      s01 = x.fma(b1, s01);
      s02 = x.fma(b2, s02);
      x = DoubleVector.broadcast(DOUBLES, a[a1 + l]);
      s10 = x.fma(b0, s10);
      s11 = x.fma(b1, s11);
      s12 = x.fma(b2, s12);
      x = DoubleVector.broadcast(DOUBLES, a[a2 + l]);
      s20 = x.fma(b0, s20);
      s21 = x.fma(b1, s21);
      s22 = x.fma(b2, s22);
      x = DoubleVector.broadcast(DOUBLES, a[a3 + l]);
      s30 = x.fma(b0, s30);
      s31 = x.fma(b1, s31);
      s32 = x.fma(b2, s32);
    }
    s00.intoArray(c, c0);
    s01.intoArray(c, c0 + w);
    s02.intoArray(c, c0 + 2 * w);
    s10.intoArray(c, c1);
    s11.intoArray(c, c1 + w);
    s12.intoArray(c, c1 + 2 * w);
    s20.intoArray(c, c2);
    s21.intoArray(c, c2 + w);
    s22.intoArray(c, c2 + 2 * w);
    s30.intoArray(c, c3);
    s31.intoArray(c, c3 + w);
    s32.intoArray(c, c3 + 2 * w);
  }

  /** 4 rows × 1 vector of c; with {@code fresh}, only its lanes are written (the others are columns already done). */
  private static void tile4x1(int k, double[] a, int aAt, int aStride, double[] b, int bAt, int bStride, double[] c, int cAt,
      int cStride, boolean add, VectorMask<Double> fresh) {
    int c0 = cAt, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
    int a0 = aAt, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
    boolean load = add && fresh == null;
    DoubleVector s0 = start(c, c0, load), s1 = start(c, c1, load), s2 = start(c, c2, load), s3 = start(c, c3, load);
    for (int l = 0, bRow = bAt; l < k; l++, bRow += bStride) {
      DoubleVector v = DoubleVector.fromArray(DOUBLES, b, bRow);
      s0 = DoubleVector.broadcast(DOUBLES, a[a0 + l]).fma(v, s0);
      s1 = DoubleVector.broadcast(DOUBLES, a[a1 + l]).fma(v, s1);
      s2 = DoubleVector.broadcast(DOUBLES, a[a2 + l]).fma(v, s2);
      s3 = DoubleVector.broadcast(DOUBLES, a[a3 + l]).fma(v, s3);
    }
    finish(s0, c, c0, add, fresh);
    finish(s1, c, c1, add, fresh);
    finish(s2, c, c2, add, fresh);
    finish(s3, c, c3, add, fresh);
  }

  /** One vector of one row of c, as {@link #tile4x1} does four. */
  private static void column(int k, double[] a, int row, double[] b, int from, int bStride, double[] c, int at, boolean add,
      VectorMask<Double> fresh) {
    DoubleVector s0 = start(c, at, add && fresh == null);
    for (int l = 0, bRow = from; l < k; l++, bRow += bStride) {
      s0 = DoubleVector.broadcast(DOUBLES, a[row + l]).fma(DoubleVector.fromArray(DOUBLES, b, bRow), s0);
    }
    finish(s0, c, at, add, fresh);
  }

  private static DoubleVector start(double[] c, int at, boolean add) {
    return add ? DoubleVector.fromArray(DOUBLES, c, at) : DoubleVector.zero(DOUBLES);
  }

  /** Stores a sum; with {@code fresh}, into its lanes only (added to them if {@code add}). */
  private static void finish(DoubleVector sum, double[] c, int at, boolean add, VectorMask<Double> fresh) {
    if (fresh != null) {
      DoubleVector old = DoubleVector.fromArray(DOUBLES, c, at);
      sum = add ? old.add(DoubleVector.zero(DOUBLES).blend(sum, fresh)) : old.blend(sum, fresh);
    }
    sum.intoArray(c, at);
  }

  /** A product narrower than a vector, one value at a time. */
  private static void narrow(int m, int n, int k, double[] a, int aOffset, int aStride, double[] b, int bOffset, int bStride,
      double[] c, int cOffset, int cStride, boolean add) {
    for (int i = 0; i < m; i++) {
      int a0 = aOffset + i * aStride, c0 = cOffset + i * cStride;
      for (int j = 0; j < n; j++) {
        double sum = add ? c[c0 + j] : 0;
        for (int l = 0, bAt = bOffset + j; l < k; l++, bAt += bStride) {
          sum = Math.fma(a[a0 + l], b[bAt], sum);
        }
        c[c0 + j] = sum;
      }
    }
  }
}
