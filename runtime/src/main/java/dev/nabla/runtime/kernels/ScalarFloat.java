package dev.nabla.runtime.kernels;

import dev.nabla.runtime.kernels.Workspace.Slot;
import java.util.Arrays;

/**
 * The float kernels in plain Java, in the forms C2 turns into vector instructions by itself: every
 * innermost loop runs over a row array from index 0, applies {@code Math.fma}, and reuses each value it
 * loads for 4 rows or 4 samples.
 *
 * <p>The double kernels, {@code ScalarDouble}, are generated from this file at build time (runtime/pom.xml).
 */
final class ScalarFloat {
  private ScalarFloat() {}

  /** Samples per block of the forward product: the block's inputs, transposed, stay in cache. */
  static final int BLOCK = 256;
  /**
   * Panel rows multiplied by every row of the weights before the next: at least 16, and as many as make
   * {@link #PANEL_CHUNK_VALUES} values (16 KiB in single precision, 32 in double) for short blocks, so that each
   * row of the weights is read a run of cache lines at a time rather than one line (a miss each) per 16 of its
   * values.
   */
  static final int PANEL_CHUNK = 16;
  /** Panel values multiplied by every row of the weights before the next. */
  static final int PANEL_CHUNK_VALUES = 4096;
  /**
   * Values of a weight gradient's columns updated by every sample before the next columns: 24 KiB in single
   * precision, 48 in double.
   */
  static final int GRADIENT_CHUNK_VALUES = 6144;

  static void dense(Workspace work, float[] w, int rows, int columns, float[] bias, float[] x, int xOffset,
      int xStride, int[] xRows, int lo, int hi, float[] out, int outOffset, int outStride) {
    float[][] panel = work.floats(Slot.PANEL, columns, BLOCK);
    float[][] sums = work.floats(Slot.SUMS, rows, BLOCK);
    for (int blockStart = lo; blockStart < hi; blockStart += BLOCK) {
      int blockSize = Math.min(BLOCK, hi - blockStart);
      transposeBlock(x, xOffset, xStride, xRows, columns, blockStart, blockSize, panel);
      rowPairsTimesPanel(w, rows, columns, panel, blockSize, sums);
      for (int col = 0; col < blockSize; col++) {
        int o = (blockStart + col) * outStride + outOffset;
        for (int i = 0; i < rows; i++) {
          out[o + i] = bias == null ? sums[i][col] : sums[i][col] + bias[i];
        }
      }
    }
  }

  /**
   * panel[k][col] = values[(blockStart + col) stride + offset + k] (at row {@code rows[blockStart + col]} when
   * {@code rows} is given): a block of samples' vectors as columns, 8 at a time.
   */
  static void transposeBlock(float[] values, int offset, int stride, int[] rows, int length, int blockStart,
      int blockSize, float[][] panel) {
    int col = 0;
    for (; col + 8 <= blockSize; col += 8) {
      int b = blockStart + col;
      int s0 = SampleRows.start(rows, offset, stride, b), s1 = SampleRows.start(rows, offset, stride, b + 1);
      int s2 = SampleRows.start(rows, offset, stride, b + 2), s3 = SampleRows.start(rows, offset, stride, b + 3);
      int s4 = SampleRows.start(rows, offset, stride, b + 4), s5 = SampleRows.start(rows, offset, stride, b + 5);
      int s6 = SampleRows.start(rows, offset, stride, b + 6), s7 = SampleRows.start(rows, offset, stride, b + 7);
      for (int k = 0; k < length; k++) {
        float[] p = panel[k];
        p[col] = values[s0 + k];
        p[col + 1] = values[s1 + k];
        p[col + 2] = values[s2 + k];
        p[col + 3] = values[s3 + k];
        p[col + 4] = values[s4 + k];
        p[col + 5] = values[s5 + k];
        p[col + 6] = values[s6 + k];
        p[col + 7] = values[s7 + k];
      }
    }
    for (; col < blockSize; col++) {
      int s0 = SampleRows.start(rows, offset, stride, blockStart + col);
      for (int k = 0; k < length; k++) {
        panel[k][col] = values[s0 + k];
      }
    }
  }

  /**
   * sums[i][col] = Σ_k w[i rowStride + k step] panel[k][col]: axpys over the block, 4 panel rows at a time,
   * {@link #PANEL_CHUNK} panel rows (which stay in L1) for every row of w before the next. The weights are
   * read with strides so that the same loop serves w (row stride {@code length}, step 1) and wᵀ (row stride
   * 1, step the row length of w).
   */
  static void rowsTimesPanel(float[] w, int rowStride, int step, int count, int length, float[][] panel,
      int blockSize, float[][] sums) {
    for (int i = 0; i < count; i++) {
      Arrays.fill(sums[i], 0, blockSize, 0);
    }
    int chunk = Math.max(PANEL_CHUNK, PANEL_CHUNK_VALUES / Math.max(1, blockSize) / 4 * 4);
    for (int panelStart = 0; panelStart < length; panelStart += chunk) {
      int kEnd = Math.min(length, panelStart + chunk);
      for (int i = 0; i < count; i++) {
        int wRow = i * rowStride;
        float[] row = sums[i];
        int k = panelStart;
        for (; k + 4 <= kEnd; k += 4) {
          int at = wRow + k * step;
          float v0 = w[at], v1 = w[at + step], v2 = w[at + 2 * step], v3 = w[at + 3 * step];
          float[] p0 = panel[k], p1 = panel[k + 1], p2 = panel[k + 2], p3 = panel[k + 3];
          for (int col = 0; col < blockSize; col++) {
            row[col] = Math.fma(v3, p3[col], Math.fma(v2, p2[col], Math.fma(v1, p1[col], Math.fma(v0, p0[col], row[col]))));
          }
        }
        for (; k < kEnd; k++) {
          float v0 = w[wRow + k * step];
          float[] p0 = panel[k];
          for (int col = 0; col < blockSize; col++) {
            row[col] = Math.fma(v0, p0[col], row[col]);
          }
        }
      }
    }
  }

  /**
   * sums[i][col] = Σ_k w[i columns + k] panel[k][col]: {@link #rowsTimesPanel} for the forward product, 2 rows of w
   * by 4 panel rows at a time, so that each value loaded from the panel serves 2 rows: 8 multiply-adds for 8 loads
   * and stores where one row has 4 for 6. Each element's loads come before its stores: C2 cannot tell the sums'
   * arrays from the panel's, and would load the panel again after a store.
   */
  static void rowPairsTimesPanel(float[] w, int rows, int columns, float[][] panel, int blockSize, float[][] sums) {
    for (int i = 0; i < rows; i++) {
      Arrays.fill(sums[i], 0, blockSize, 0);
    }
    int chunk = Math.max(PANEL_CHUNK, PANEL_CHUNK_VALUES / Math.max(1, blockSize) / 4 * 4);
    for (int panelStart = 0; panelStart < columns; panelStart += chunk) {
      int kEnd = Math.min(columns, panelStart + chunk);
      int i = 0;
      for (; i + 2 <= rows; i += 2) {
        int w0 = i * columns, w1 = w0 + columns;
        float[] row0 = sums[i], row1 = sums[i + 1];
        int k = panelStart;
        for (; k + 4 <= kEnd; k += 4) {
          float v00 = w[w0 + k], v01 = w[w0 + k + 1], v02 = w[w0 + k + 2], v03 = w[w0 + k + 3];
          float v10 = w[w1 + k], v11 = w[w1 + k + 1], v12 = w[w1 + k + 2], v13 = w[w1 + k + 3];
          float[] p0 = panel[k], p1 = panel[k + 1], p2 = panel[k + 2], p3 = panel[k + 3];
          for (int col = 0; col < blockSize; col++) {
            float q0 = p0[col], q1 = p1[col], q2 = p2[col], q3 = p3[col];
            float s0 = Math.fma(v03, q3, Math.fma(v02, q2, Math.fma(v01, q1, Math.fma(v00, q0, row0[col]))));
            float s1 = Math.fma(v13, q3, Math.fma(v12, q2, Math.fma(v11, q1, Math.fma(v10, q0, row1[col]))));
            row0[col] = s0;
            row1[col] = s1;
          }
        }
        for (; k < kEnd; k++) {
          float v0 = w[w0 + k], v1 = w[w1 + k];
          float[] p0 = panel[k];
          for (int col = 0; col < blockSize; col++) {
            float q0 = p0[col];
            float s0 = Math.fma(v0, q0, row0[col]);
            float s1 = Math.fma(v1, q0, row1[col]);
            row0[col] = s0;
            row1[col] = s1;
          }
        }
      }
      for (; i < rows; i++) {
        int wRow = i * columns;
        float[] row = sums[i];
        int k = panelStart;
        for (; k + 4 <= kEnd; k += 4) {
          float v0 = w[wRow + k], v1 = w[wRow + k + 1], v2 = w[wRow + k + 2], v3 = w[wRow + k + 3];
          float[] p0 = panel[k], p1 = panel[k + 1], p2 = panel[k + 2], p3 = panel[k + 3];
          for (int col = 0; col < blockSize; col++) {
            row[col] = Math.fma(v3, p3[col], Math.fma(v2, p2[col], Math.fma(v1, p1[col], Math.fma(v0, p0[col], row[col]))));
          }
        }
        for (; k < kEnd; k++) {
          float v0 = w[wRow + k];
          float[] p0 = panel[k];
          for (int col = 0; col < blockSize; col++) {
            row[col] = Math.fma(v0, p0[col], row[col]);
          }
        }
      }
    }
  }

  /**
   * g += scale Σ_b d_b x_bᵀ: 4 samples' inputs copied to row arrays and their entries of d (times scale)
   * gathered, then each row of the gradient gains a0 s0 + a1 s1 + a2 s2 + a3 s3, in row arrays added to g
   * at the end; columns in chunks that stay in cache while every sample passes.
   */
  static void weightGradient(Workspace work, float[] g, int rows, int columns, float[] d, int dOffset, int dStride,
      float[] x, int xOffset, int xStride, int[] xRows, int lo, int hi, float scale) {
    float[][] samples = work.floats(Slot.SAMPLES, 4, columns);
    float[][] coefficients = work.floats(Slot.COEFFICIENTS, 4, rows);
    float[][] sums = work.floats(Slot.GRADIENT, rows, columns);
    for (int i = 0; i < rows; i++) {
      Arrays.fill(sums[i], 0, columns, 0);
    }
    int chunk = Math.max(64, Math.min(columns, GRADIENT_CHUNK_VALUES / Math.max(1, rows) / 16 * 16));
    for (int from = 0; from < columns; from += chunk) {
      int to = Math.min(columns, from + chunk);
      int b = lo;
      for (; b + 4 <= hi; b += 4) {
        for (int s = 0; s < 4; s++) {
          System.arraycopy(x, SampleRows.start(xRows, xOffset, xStride, b + s) + from, samples[s], from, to - from);
          int ds = (b + s) * dStride + dOffset;
          float[] a = coefficients[s];
          for (int i = 0; i < rows; i++) {
            a[i] = scale * d[ds + i];
          }
        }
        addOuterProducts4(sums, rows, from, to, coefficients, samples);
      }
      for (; b < hi; b++) {
        System.arraycopy(x, SampleRows.start(xRows, xOffset, xStride, b) + from, samples[0], from, to - from);
        int ds = b * dStride + dOffset;
        float[] a = coefficients[0];
        for (int i = 0; i < rows; i++) {
          a[i] = scale * d[ds + i];
        }
        addOuterProducts1(sums, rows, from, to, a, samples[0]);
      }
    }
    for (int i = 0; i < rows; i++) {
      float[] r = sums[i];
      int start = i * columns;
      for (int j = 0; j < columns; j++) {
        g[start + j] += r[j];
      }
    }
  }

  /** rows[i][from..to) += a[0][i] s[0] + a[1][i] s[1] + a[2][i] s[2] + a[3][i] s[3]. */
  static void addOuterProducts4(float[][] rows, int count, int from, int to, float[][] a, float[][] s) {
    float[] s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    float[] c0 = a[0], c1 = a[1], c2 = a[2], c3 = a[3];
    for (int i = 0; i < count; i++) {
      float a0 = c0[i], a1 = c1[i], a2 = c2[i], a3 = c3[i];
      float[] r = rows[i];
      for (int j = from; j < to; j++) {
        r[j] = Math.fma(a3, s3[j], Math.fma(a2, s2[j], Math.fma(a1, s1[j], Math.fma(a0, s0[j], r[j]))));
      }
    }
  }

  /** rows[i][from..to) += a[i] s. */
  static void addOuterProducts1(float[][] rows, int count, int from, int to, float[] a, float[] s) {
    for (int i = 0; i < count; i++) {
      float a0 = a[i];
      float[] r = rows[i];
      for (int j = from; j < to; j++) {
        r[j] = Math.fma(a0, s[j], r[j]);
      }
    }
  }

  /**
   * out_b = Wᵀ d_b: the forward product's loop with w read as its transpose, on blocks of samples whose
   * entries of d are transposed into a panel (axpys over one sample's columns would each load and store the
   * output, which C2 does not keep in registers).
   */
  static void transposedDense(Workspace work, float[] w, int rows, int columns, float[] d, int dOffset, int dStride,
      int lo, int hi, float[] out, int outOffset, int outStride) {
    float[][] panel = work.floats(Slot.PANEL, rows, BLOCK);
    float[][] sums = work.floats(Slot.SUMS, columns, BLOCK);
    for (int blockStart = lo; blockStart < hi; blockStart += BLOCK) {
      int blockSize = Math.min(BLOCK, hi - blockStart);
      transposeBlock(d, dOffset, dStride, null, rows, blockStart, blockSize, panel);
      rowsTimesPanel(w, 1, columns, columns, rows, panel, blockSize, sums);
      for (int col = 0; col < blockSize; col++) {
        int o = (blockStart + col) * outStride + outOffset;
        for (int j = 0; j < columns; j++) {
          out[o + j] = sums[j][col];
        }
      }
    }
  }
}
