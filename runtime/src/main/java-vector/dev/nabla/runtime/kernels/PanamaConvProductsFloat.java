package dev.nabla.runtime.kernels;

import java.util.List;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float products of {@link PanamaConvProducts}: its register tiles, each a method of its own, over blocks of l.
 *
 * <p>The double products, {@code PanamaConvProductsDouble}, are generated from this file at build time (runtime/pom.xml).
 */
final class PanamaConvProductsFloat {
  private PanamaConvProductsFloat() {}

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  /** FRESH.get(r): the last r lanes of a vector, for a product whose last r columns are less than a vector. */
  private static final List<VectorMask<Float>> FRESH = IntStream.range(0, SPECIES.length())
      .mapToObj(r -> SPECIES.indexInRange(0, SPECIES.length() - r).not()).toList();

  /** {@link ConvProducts#multiply(int, int, int, float[], int, int, float[], int, int, float[], int, int, boolean)}. */
  static void multiply(int m, int n, int k, float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
      float[] c, int cOffset, int cStride, boolean add) {
    for (int l = 0; l < k; l += PanamaConvProducts.DEPTH) {
      block(m, n, Math.min(PanamaConvProducts.DEPTH, k - l), a, aOffset + l, aStride, b, bOffset + l * bStride, bStride, c, cOffset, cStride,
          add || l > 0);
    }
  }

  /** The product over one block of at most {@link PanamaConvProducts#DEPTH} values of l. */
  private static void block(int m, int n, int k, float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
      float[] c, int cOffset, int cStride, boolean add) {
    final int w = SPECIES.length();
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
      VectorMask<Float> fresh = FRESH.get(n - j);
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
    final int w = SPECIES.length();
    int c0 = cAt, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
    int a0 = aAt, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
    FloatVector s00 = start(c, c0, add), s01 = start(c, c0 + w, add), s02 = start(c, c0 + 2 * w, add);
    FloatVector s10 = start(c, c1, add), s11 = start(c, c1 + w, add), s12 = start(c, c1 + 2 * w, add);
    FloatVector s20 = start(c, c2, add), s21 = start(c, c2 + w, add), s22 = start(c, c2 + 2 * w, add);
    FloatVector s30 = start(c, c3, add), s31 = start(c, c3 + w, add), s32 = start(c, c3 + 2 * w, add);
    for (int l = 0, bRow = bAt; l < k; l++, bRow += bStride) {
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bRow);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bRow + w);
      FloatVector b2 = FloatVector.fromArray(SPECIES, b, bRow + 2 * w);
      FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + l]);
      s00 = x.fma(b0, s00);
      s01 = x.fma(b1, s01);
      s02 = x.fma(b2, s02);
      x = FloatVector.broadcast(SPECIES, a[a1 + l]);
      s10 = x.fma(b0, s10);
      s11 = x.fma(b1, s11);
      s12 = x.fma(b2, s12);
      x = FloatVector.broadcast(SPECIES, a[a2 + l]);
      s20 = x.fma(b0, s20);
      s21 = x.fma(b1, s21);
      s22 = x.fma(b2, s22);
      x = FloatVector.broadcast(SPECIES, a[a3 + l]);
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
      FloatVector v = FloatVector.fromArray(SPECIES, b, bRow);
      s0 = FloatVector.broadcast(SPECIES, a[a0 + l]).fma(v, s0);
      s1 = FloatVector.broadcast(SPECIES, a[a1 + l]).fma(v, s1);
      s2 = FloatVector.broadcast(SPECIES, a[a2 + l]).fma(v, s2);
      s3 = FloatVector.broadcast(SPECIES, a[a3 + l]).fma(v, s3);
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
      s0 = FloatVector.broadcast(SPECIES, a[row + l]).fma(FloatVector.fromArray(SPECIES, b, bRow), s0);
    }
    finish(s0, c, at, add, fresh);
  }

  private static FloatVector start(float[] c, int at, boolean add) {
    return add ? FloatVector.fromArray(SPECIES, c, at) : FloatVector.zero(SPECIES);
  }

  /** Stores a sum; with {@code fresh}, into its lanes only (added to them if {@code add}). */
  private static void finish(FloatVector sum, float[] c, int at, boolean add, VectorMask<Float> fresh) {
    if (fresh != null) {
      FloatVector old = FloatVector.fromArray(SPECIES, c, at);
      sum = add ? old.add(FloatVector.zero(SPECIES).blend(sum, fresh)) : old.blend(sum, fresh);
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

}
