package dev.nabla.runtime.kernels;

/**
 * {@link ConvProducts} in plain Java, in the loop form C2 vectorizes by itself: each innermost loop is an
 * axpy along a row of {@code b} into a row of {@code c}, and each row of {@code b} loaded serves 4 rows
 * of {@code c}. Columns go in chunks of {@link #CHUNK}, so that the 4 rows of {@code c} stay in L1.
 */
final class ScalarConvProducts implements ConvProducts {
  static final int CHUNK = 256;

  @Override
  public void multiply(int m, int n, int k, float[] a, int aOffset, int aStride, float[] b, int bOffset,
      int bStride, float[] c, int cOffset, int cStride, boolean add) {
    for (int j0 = 0; j0 < n; j0 += CHUNK) {
      int j1 = Math.min(n, j0 + CHUNK);
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        int c0 = cOffset + i * cStride, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
        int a0 = aOffset + i * aStride, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
        if (!add) {
          for (int j = j0; j < j1; j++) {
            c[c0 + j] = 0f;
            c[c1 + j] = 0f;
            c[c2 + j] = 0f;
            c[c3 + j] = 0f;
          }
        }
        for (int l = 0; l < k; l++) {
          float w0 = a[a0 + l], w1 = a[a1 + l], w2 = a[a2 + l], w3 = a[a3 + l];
          int bRow = bOffset + l * bStride;
          for (int j = j0; j < j1; j++) {
            float v = b[bRow + j];
            c[c0 + j] += w0 * v;
            c[c1 + j] += w1 * v;
            c[c2 + j] += w2 * v;
            c[c3 + j] += w3 * v;
          }
        }
      }
      for (; i < m; i++) {
        int c0 = cOffset + i * cStride, a0 = aOffset + i * aStride;
        if (!add) {
          for (int j = j0; j < j1; j++) {
            c[c0 + j] = 0f;
          }
        }
        for (int l = 0; l < k; l++) {
          float w0 = a[a0 + l];
          int bRow = bOffset + l * bStride;
          for (int j = j0; j < j1; j++) {
            c[c0 + j] += w0 * b[bRow + j];
          }
        }
      }
    }
  }

  @Override
  public void multiply(int m, int n, int k, double[] a, int aOffset, int aStride, double[] b, int bOffset,
      int bStride, double[] c, int cOffset, int cStride, boolean add) {
    for (int j0 = 0; j0 < n; j0 += CHUNK) {
      int j1 = Math.min(n, j0 + CHUNK);
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        int c0 = cOffset + i * cStride, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
        int a0 = aOffset + i * aStride, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
        if (!add) {
          for (int j = j0; j < j1; j++) {
            c[c0 + j] = 0;
            c[c1 + j] = 0;
            c[c2 + j] = 0;
            c[c3 + j] = 0;
          }
        }
        for (int l = 0; l < k; l++) {
          double w0 = a[a0 + l], w1 = a[a1 + l], w2 = a[a2 + l], w3 = a[a3 + l];
          int bRow = bOffset + l * bStride;
          for (int j = j0; j < j1; j++) {
            double v = b[bRow + j];
            c[c0 + j] += w0 * v;
            c[c1 + j] += w1 * v;
            c[c2 + j] += w2 * v;
            c[c3 + j] += w3 * v;
          }
        }
      }
      for (; i < m; i++) {
        int c0 = cOffset + i * cStride, a0 = aOffset + i * aStride;
        if (!add) {
          for (int j = j0; j < j1; j++) {
            c[c0 + j] = 0;
          }
        }
        for (int l = 0; l < k; l++) {
          double w0 = a[a0 + l];
          int bRow = bOffset + l * bStride;
          for (int j = j0; j < j1; j++) {
            c[c0 + j] += w0 * b[bRow + j];
          }
        }
      }
    }
  }
}
