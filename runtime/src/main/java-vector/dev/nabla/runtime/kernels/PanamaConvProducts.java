package dev.nabla.runtime.kernels;

/**
 * {@link ConvProducts} with the Vector API: register tiles of 4 rows × 3 vectors of {@code c} (12
 * accumulators; the 3 vectors of a row of {@code b} loaded once for the 4 rows, each value of {@code a}
 * broadcast once for the 3 vectors), then 4 rows × 1 vector; the last columns, fewer than a vector, as
 * the vector that ends at the last column, writing only its new lanes. Each tile is a method of its
 * own: in one large method C2 stops inlining the Vector API's calls and the later loops run boxed,
 * ten times slower. The products go over l in blocks of {@link #DEPTH}, so that the panel of b a tile
 * streams stays in L1. Sums are taken in the order of {@code l} with fused multiply-adds. The products are
 * {@link PanamaConvProductsFloat}'s, and {@code PanamaConvProductsDouble}'s, generated from it.
 */
final class PanamaConvProducts implements ConvProducts {
  /** Rows of b per pass over c: a 3-vector panel of 128 rows of b (12 KiB on AVX2 in either precision) stays in L1. */
  static final int DEPTH = 128;

  @Override
  public void multiply(int m, int n, int k, float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
      float[] c, int cOffset, int cStride, boolean add) {
    PanamaConvProductsFloat.multiply(m, n, k, a, aOffset, aStride, b, bOffset, bStride, c, cOffset, cStride, add);
  }

  @Override
  public void multiply(int m, int n, int k, double[] a, int aOffset, int aStride, double[] b, int bOffset, int bStride,
      double[] c, int cOffset, int cStride, boolean add) {
    PanamaConvProductsDouble.multiply(m, n, k, a, aOffset, aStride, b, bOffset, bStride, c, cOffset, cStride, add);
  }
}
