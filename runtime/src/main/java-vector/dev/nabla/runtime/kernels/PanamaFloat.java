package dev.nabla.runtime.kernels;

import dev.nabla.runtime.kernels.Workspace.Slot;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float kernels with the Vector API: register tiles that make each vector loaded serve 4 rows or 4
 * samples. Narrow layers (the lesson's 20 rows) take their dot products on the inputs where they lie; wide
 * ones copy a strip of samples into a panel of the {@link Workspace} first, as a BLAS packs its operands, so
 * that the innermost loop reads one cache line after another.
 *
 * <p>The double kernels, {@code PanamaDouble}, are generated from this file at build time (runtime/pom.xml).
 */
final class PanamaFloat {
  private PanamaFloat() {}

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  /** Samples each weight-gradient tile sums in registers before it is added to the gradient; samples of Wᵀ δ whose δ stays in L2. */
  private static final int SAMPLE_CHUNK = 128;
  /**
   * Rows from which the forward product packs its inputs: below, a dot-product tile on the inputs as they lie
   * is faster when the rows are long (measured at 20 × 784: 35 GFLOP/s against 22), while short rows (fewer
   * than 8 vectors, as 10 × 20) spend that tile's time in its reductions and take the panel at any height.
   */
  static final int PANEL_ROWS = 32;
  /**
   * Whether the machine has 32 vector registers, as every one with 512-bit vectors has (AVX-512): room for a tile of 8
   * samples by 2 vectors, 16 accumulators, where AVX2's 16 registers hold 4 by 2 or 4 by 3.
   */
  private static final boolean THIRTY_TWO_REGISTERS = SPECIES.vectorBitSize() >= 512;
  /** Samples in one panel strip: the 2 vectors of a register tile. */
  private static final int STRIP = 2 * SPECIES.length();
  /** Weights (32 Ki values) that stay in L2 while Wᵀ δ reads them again for every 4 samples. */
  private static final int CACHED_WEIGHTS = 32 * 1024;
  /** Strips packed at a time: each 6 rows of the weights, loaded once, serve this many strips. */
  private static final int PANEL_STRIPS = 4;

  /**
   * out[b, i] = bias[i] + Σ_k w[i, k] x[b, k]. A layer of 9 to 24 rows (for 8 lanes) takes {@link #denseNarrow}, a
   * wide one {@link #densePanels}; the others dot products, 4 rows by 4 samples at a time in 16 vector
   * accumulators, with the inputs where they lie (tiles of 3 × 3 or 3 × 4, which fit AVX2's 16 registers, were
   * slower: 0.75 to 0.9 of this one at 20x784, whose w is read again from L2 for every tile of samples). The path is
   * chosen by the shape alone, never by the count of samples, and every path sums each sample's terms in an order
   * of its own: a sample's outputs are the same bits whichever lane, tile or batch it falls in (a model's loss is
   * the same on any number of threads). So 20x784 takes denseNarrow over 32 samples too, where its copy of w
   * transposed costs it 0.8 to 0.95 of the dot products' speed (1.1 at 64 samples, 1.8 at 1024).
   */
  static void dense(Workspace work, float[] w, int rows, int columns, float[] bias, float[] x, int xOffset,
      int xStride, int[] xRows, int lo, int hi, float[] out, int outOffset, int outStride) {
    if (rows > SPECIES.length() && rows <= 3 * SPECIES.length()) {
      denseNarrow(work, w, rows, columns, bias, x, xOffset, xStride, xRows, lo, hi, out, outOffset, outStride);
      return;
    }
    if (rows >= PANEL_ROWS && hi - lo >= Math.max(rows, 6)) {
      denseRowBlocks(work, w, rows, columns, bias, x, xOffset, xStride, xRows, lo, hi, out, outOffset, outStride);
      return;
    }
    if (rows >= PANEL_ROWS || columns < 8 * SPECIES.length()) {
      densePanels(work, w, rows, columns, bias, x, xOffset, xStride, xRows, lo, hi, out, outOffset, outStride);
      return;
    }
    int b = lo;
    for (; b + 4 <= hi; b += 4) {
      int s0 = SampleRows.start(xRows, xOffset, xStride, b), s1 = SampleRows.start(xRows, xOffset, xStride, b + 1);
      int s2 = SampleRows.start(xRows, xOffset, xStride, b + 2), s3 = SampleRows.start(xRows, xOffset, xStride, b + 3);
      int o0 = b * outStride + outOffset;
      int o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
      int i = 0;
      for (; i + 4 <= rows; i += 4) {
        dotTile(w, i, columns, bias, x, s0, s1, s2, s3, out, o0 + i, outStride);
      }
      for (; i < rows; i++) {
        float offset = bias == null ? 0 : bias[i];
        out[o0 + i] = offset + dot(w, i * columns, x, s0, columns);
        out[o1 + i] = offset + dot(w, i * columns, x, s1, columns);
        out[o2 + i] = offset + dot(w, i * columns, x, s2, columns);
        out[o3 + i] = offset + dot(w, i * columns, x, s3, columns);
      }
    }
    for (; b < hi; b++) {
      int s0 = SampleRows.start(xRows, xOffset, xStride, b);
      int o0 = b * outStride + outOffset;
      for (int i = 0; i < rows; i++) {
        out[o0 + i] = (bias == null ? 0 : bias[i]) + dot(w, i * columns, x, s0, columns);
      }
    }
  }

  /**
   * out[o + r outStride + q] = bias[i + q] + Σ_k w[i + q, k] x[s_r + k] for q, r &lt; 4: one register
   * tile of 16 accumulators. A method of its own, called for every 4 rows by 4 samples, so that C2 compiles it
   * after its first calls rather than once the whole product has run thousands of times in C1, where every
   * vector is an object (at 10x128, 32 samples: 0.2 GFLOP/s for the first 5 s).
   */
  private static void dotTile(float[] w, int i, int columns, float[] bias, float[] x, int s0, int s1, int s2, int s3,
      float[] out, int o0, int outStride) {
    int step = SPECIES.length();
    int upper = SPECIES.loopBound(columns);
    int o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
    int w0 = i * columns;
    int w1 = w0 + columns, w2 = w1 + columns, w3 = w2 + columns;
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
    FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
    FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
    for (int k = 0; k < upper; k += step) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, x, s0 + k);
      FloatVector x1 = FloatVector.fromArray(SPECIES, x, s1 + k);
      FloatVector x2 = FloatVector.fromArray(SPECIES, x, s2 + k);
      FloatVector x3 = FloatVector.fromArray(SPECIES, x, s3 + k);
      FloatVector v = FloatVector.fromArray(SPECIES, w, w0 + k);
      a00 = v.fma(x0, a00);
      a01 = v.fma(x1, a01);
      a02 = v.fma(x2, a02);
      a03 = v.fma(x3, a03);
      v = FloatVector.fromArray(SPECIES, w, w1 + k);
      a10 = v.fma(x0, a10);
      a11 = v.fma(x1, a11);
      a12 = v.fma(x2, a12);
      a13 = v.fma(x3, a13);
      v = FloatVector.fromArray(SPECIES, w, w2 + k);
      a20 = v.fma(x0, a20);
      a21 = v.fma(x1, a21);
      a22 = v.fma(x2, a22);
      a23 = v.fma(x3, a23);
      v = FloatVector.fromArray(SPECIES, w, w3 + k);
      a30 = v.fma(x0, a30);
      a31 = v.fma(x1, a31);
      a32 = v.fma(x2, a32);
      a33 = v.fma(x3, a33);
    }
    out[o0] = biased(bias, i, a00, w, w0, x, s0, upper, columns);
    out[o1] = biased(bias, i, a01, w, w0, x, s1, upper, columns);
    out[o2] = biased(bias, i, a02, w, w0, x, s2, upper, columns);
    out[o3] = biased(bias, i, a03, w, w0, x, s3, upper, columns);
    out[o0 + 1] = biased(bias, i + 1, a10, w, w1, x, s0, upper, columns);
    out[o1 + 1] = biased(bias, i + 1, a11, w, w1, x, s1, upper, columns);
    out[o2 + 1] = biased(bias, i + 1, a12, w, w1, x, s2, upper, columns);
    out[o3 + 1] = biased(bias, i + 1, a13, w, w1, x, s3, upper, columns);
    out[o0 + 2] = biased(bias, i + 2, a20, w, w2, x, s0, upper, columns);
    out[o1 + 2] = biased(bias, i + 2, a21, w, w2, x, s1, upper, columns);
    out[o2 + 2] = biased(bias, i + 2, a22, w, w2, x, s2, upper, columns);
    out[o3 + 2] = biased(bias, i + 2, a23, w, w2, x, s3, upper, columns);
    out[o0 + 3] = biased(bias, i + 3, a30, w, w3, x, s0, upper, columns);
    out[o1 + 3] = biased(bias, i + 3, a31, w, w3, x, s1, upper, columns);
    out[o2 + 3] = biased(bias, i + 3, a32, w, w3, x, s2, upper, columns);
    out[o3 + 3] = biased(bias, i + 3, a33, w, w3, x, s3, upper, columns);
  }

  /**
   * The forward product of a layer of 9 to 24 rows (an output layer of 10 classes, the lesson's hidden layer of 20):
   * the rows as the 2 or 3 vectors of a register tile, so that no sum needs its lanes added up at the end. w is
   * first copied transposed, column k's rows side by side and zeros past them; each input is broadcast and
   * multiplied into the vectors of its column, 4 samples at a time in 8 accumulators (2 vectors) or 12 (3
   * vectors), or with 32 registers 8 samples at a time in 16 (2 vectors), which start from the bias. Past the last whole tile of samples, the last samples again; fewer
   * samples than a tile, one at a time (the same sums, term by term).
   */
  static void denseNarrow(Workspace work, float[] w, int rows, int columns, float[] bias, float[] x, int xOffset,
      int xStride, int[] xRows, int lo, int hi, float[] out, int outOffset, int outStride) {
    int width = rows <= 2 * SPECIES.length() ? 2 * SPECIES.length() : 3 * SPECIES.length();
    int samples = width == STRIP && THIRTY_TWO_REGISTERS ? 8 : 4;
    float[] columnsOfW = work.floats(Slot.PANEL, 1, columns * width)[0];
    float[] tile = work.floats(Slot.SUMS, 1, (samples + 1) * width)[0];
    // By blocks of 64 columns, whose 64 × width values stay in L1 while the rows are written into them.
    for (int from = 0; from < columns; from += 64) {
      int to = Math.min(columns, from + 64);
      for (int i = 0; i < width; i++) {
        int wRow = i * columns;
        if (i < rows) {
          for (int k = from, p = from * width + i; k < to; k++, p += width) {
            columnsOfW[p] = w[wRow + k];
          }
        } else {
          for (int k = from, p = from * width + i; k < to; k++, p += width) {
            columnsOfW[p] = 0;
          }
        }
      }
    }
    for (int i = 0; i < width; i++) {
      tile[samples * width + i] = bias == null || i >= rows ? 0 : bias[i];
    }
    if (hi - lo < samples) {
      for (int b = lo; b < hi; b++) {
        columnsTimesSample(columnsOfW, columns, width, x, SampleRows.start(xRows, xOffset, xStride, b), tile, samples * width);
        int o = b * outStride + outOffset;
        for (int i = 0; i < rows; i++) {
          out[o + i] = tile[i];
        }
      }
      return;
    }
    for (int b = lo; b < hi; b += samples) {
      int first = Math.min(b, hi - samples);
      if (samples == 8) {
        columnsTimesSamples8(columnsOfW, columns, x, xOffset, xStride, xRows, first, tile);
      } else if (width == STRIP) {
        columnsTimesSamples4(columnsOfW, columns, x, xOffset, xStride, xRows, first, tile);
      } else {
        columnsTimesSamples4x3(columnsOfW, columns, x, xOffset, xStride, xRows, first, tile);
      }
      for (int s = 0; s < samples; s++) {
        int o = (first + s) * outStride + outOffset;
        for (int i = 0; i < rows; i++) {
          out[o + i] = tile[s * width + i];
        }
      }
    }
  }

  /**
   * tile[r] = tile[4 W + r] + Σ_k columnsOfW[k W + r] x[s0 + k], W = {@code width} (2 or 3 vectors), the bias
   * being the row after the tile's samples: {@link #denseNarrow} for one sample, its terms in the tiles' order.
   */
  private static void columnsTimesSample(float[] columnsOfW, int columns, int width, float[] x, int s0, float[] tile,
      int biasAt) {
    int step = SPECIES.length();
    FloatVector a0 = FloatVector.fromArray(SPECIES, tile, biasAt);
    FloatVector a1 = FloatVector.fromArray(SPECIES, tile, biasAt + step);
    if (width == 2 * step) {
      for (int k = 0, p = 0; k < columns; k++, p += width) {
        FloatVector c = FloatVector.broadcast(SPECIES, x[s0 + k]);
        a0 = FloatVector.fromArray(SPECIES, columnsOfW, p).fma(c, a0);
        a1 = FloatVector.fromArray(SPECIES, columnsOfW, p + step).fma(c, a1);
      }
    } else {
      FloatVector a2 = FloatVector.fromArray(SPECIES, tile, biasAt + 2 * step);
      for (int k = 0, p = 0; k < columns; k++, p += width) {
        FloatVector c = FloatVector.broadcast(SPECIES, x[s0 + k]);
        a0 = FloatVector.fromArray(SPECIES, columnsOfW, p).fma(c, a0);
        a1 = FloatVector.fromArray(SPECIES, columnsOfW, p + step).fma(c, a1);
        a2 = FloatVector.fromArray(SPECIES, columnsOfW, p + 2 * step).fma(c, a2);
      }
      a2.intoArray(tile, 2 * step);
    }
    a0.intoArray(tile, 0);
    a1.intoArray(tile, step);
  }

  /**
   * tile[s W + r] = tile[4 W + r] + Σ_k columnsOfW[k W + r] x[s_s + k] for s &lt; 4, W the 3 vectors of
   * rows, the bias being the tile's fifth row: {@link #denseNarrow}'s tile of 3 vectors, 12 accumulators, 3 loads
   * and 4 broadcasts; with the 3 columns and the broadcast, all 16 of AVX2's registers. It reads 3 vectors of w for
   * 12 products where a tile of 3 samples read them for 9: columnsOfW (75 KB at 20x784) comes from L2, and 784 × 24
   * rows over 504 samples ran at 93-96 GFLOP/s (fastest of many) against 81-83 with 3 samples, medians 49-53 against
   * 45-50 (one thread, bench/RESULTS.md).
   */
  private static void columnsTimesSamples4x3(float[] columnsOfW, int columns, float[] x, int xOffset, int xStride,
      int[] xRows, int first, float[] tile) {
    int step = SPECIES.length();
    int width = 3 * step;
    int s0 = SampleRows.start(xRows, xOffset, xStride, first), s1 = SampleRows.start(xRows, xOffset, xStride, first + 1);
    int s2 = SampleRows.start(xRows, xOffset, xStride, first + 2), s3 = SampleRows.start(xRows, xOffset, xStride, first + 3);
    FloatVector bias0 = FloatVector.fromArray(SPECIES, tile, 4 * width);
    FloatVector bias1 = FloatVector.fromArray(SPECIES, tile, 4 * width + step);
    FloatVector bias2 = FloatVector.fromArray(SPECIES, tile, 4 * width + 2 * step);
    FloatVector a00 = bias0, a01 = bias1, a02 = bias2;
    FloatVector a10 = bias0, a11 = bias1, a12 = bias2;
    FloatVector a20 = bias0, a21 = bias1, a22 = bias2;
    FloatVector a30 = bias0, a31 = bias1, a32 = bias2;
    for (int k = 0, p = 0; k < columns; k++, p += width) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, columnsOfW, p);
      FloatVector v1 = FloatVector.fromArray(SPECIES, columnsOfW, p + step);
      FloatVector v2 = FloatVector.fromArray(SPECIES, columnsOfW, p + 2 * step);
      FloatVector c = FloatVector.broadcast(SPECIES, x[s0 + k]);
      a00 = v0.fma(c, a00);
      a01 = v1.fma(c, a01);
      a02 = v2.fma(c, a02);
      c = FloatVector.broadcast(SPECIES, x[s1 + k]);
      a10 = v0.fma(c, a10);
      a11 = v1.fma(c, a11);
      a12 = v2.fma(c, a12);
      c = FloatVector.broadcast(SPECIES, x[s2 + k]);
      a20 = v0.fma(c, a20);
      a21 = v1.fma(c, a21);
      a22 = v2.fma(c, a22);
      c = FloatVector.broadcast(SPECIES, x[s3 + k]);
      a30 = v0.fma(c, a30);
      a31 = v1.fma(c, a31);
      a32 = v2.fma(c, a32);
    }
    a00.intoArray(tile, 0);
    a01.intoArray(tile, step);
    a02.intoArray(tile, 2 * step);
    a10.intoArray(tile, width);
    a11.intoArray(tile, width + step);
    a12.intoArray(tile, width + 2 * step);
    a20.intoArray(tile, 2 * width);
    a21.intoArray(tile, 2 * width + step);
    a22.intoArray(tile, 2 * width + 2 * step);
    a30.intoArray(tile, 3 * width);
    a31.intoArray(tile, 3 * width + step);
    a32.intoArray(tile, 3 * width + 2 * step);
  }

  /**
   * tile[s STRIP + r] = tile[4 STRIP + r] + Σ_k columnsOfW[k STRIP + r] x[s_s + k] for s &lt; 4, the bias
   * being the tile's fifth row: the register tile of {@link #denseNarrow}, 8 accumulators, 2 loads and 4 broadcasts.
   * The bias comes in the array, not as vectors: a vector passed to a method C2 does not inline is boxed on the heap.
   */
  private static void columnsTimesSamples4(float[] columnsOfW, int columns, float[] x, int xOffset, int xStride,
      int[] xRows, int first, float[] tile) {
    int step = SPECIES.length();
    FloatVector bias0 = FloatVector.fromArray(SPECIES, tile, 4 * STRIP);
    FloatVector bias1 = FloatVector.fromArray(SPECIES, tile, 4 * STRIP + step);
    int s0 = SampleRows.start(xRows, xOffset, xStride, first), s1 = SampleRows.start(xRows, xOffset, xStride, first + 1);
    int s2 = SampleRows.start(xRows, xOffset, xStride, first + 2), s3 = SampleRows.start(xRows, xOffset, xStride, first + 3);
    FloatVector a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1;
    FloatVector a20 = bias0, a21 = bias1, a30 = bias0, a31 = bias1;
    for (int k = 0, p = 0; k < columns; k++, p += STRIP) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, columnsOfW, p);
      FloatVector v1 = FloatVector.fromArray(SPECIES, columnsOfW, p + step);
      FloatVector c = FloatVector.broadcast(SPECIES, x[s0 + k]);
      a00 = v0.fma(c, a00);
      a01 = v1.fma(c, a01);
      c = FloatVector.broadcast(SPECIES, x[s1 + k]);
      a10 = v0.fma(c, a10);
      a11 = v1.fma(c, a11);
      c = FloatVector.broadcast(SPECIES, x[s2 + k]);
      a20 = v0.fma(c, a20);
      a21 = v1.fma(c, a21);
      c = FloatVector.broadcast(SPECIES, x[s3 + k]);
      a30 = v0.fma(c, a30);
      a31 = v1.fma(c, a31);
    }
    a00.intoArray(tile, 0);
    a01.intoArray(tile, step);
    a10.intoArray(tile, STRIP);
    a11.intoArray(tile, STRIP + step);
    a20.intoArray(tile, 2 * STRIP);
    a21.intoArray(tile, 2 * STRIP + step);
    a30.intoArray(tile, 3 * STRIP);
    a31.intoArray(tile, 3 * STRIP + step);
  }

  /**
   * {@link #columnsTimesSamples4} for 8 samples, the bias being the tile's ninth row: 16 accumulators, 2 loads and 8
   * broadcasts, for machines of 32 vector registers. Each column of w, read from L2, serves 16 products instead of 8.
   * Each sample's sum takes its terms in the same order as in the 4-sample tile and alone: the same bits.
   */
  private static void columnsTimesSamples8(float[] columnsOfW, int columns, float[] x, int xOffset, int xStride,
      int[] xRows, int first, float[] tile) {
    int step = SPECIES.length();
    FloatVector bias0 = FloatVector.fromArray(SPECIES, tile, 8 * STRIP);
    FloatVector bias1 = FloatVector.fromArray(SPECIES, tile, 8 * STRIP + step);
    int s0 = SampleRows.start(xRows, xOffset, xStride, first), s1 = SampleRows.start(xRows, xOffset, xStride, first + 1);
    int s2 = SampleRows.start(xRows, xOffset, xStride, first + 2), s3 = SampleRows.start(xRows, xOffset, xStride, first + 3);
    int s4 = SampleRows.start(xRows, xOffset, xStride, first + 4), s5 = SampleRows.start(xRows, xOffset, xStride, first + 5);
    int s6 = SampleRows.start(xRows, xOffset, xStride, first + 6), s7 = SampleRows.start(xRows, xOffset, xStride, first + 7);
    FloatVector a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1;
    FloatVector a20 = bias0, a21 = bias1, a30 = bias0, a31 = bias1;
    FloatVector a40 = bias0, a41 = bias1, a50 = bias0, a51 = bias1;
    FloatVector a60 = bias0, a61 = bias1, a70 = bias0, a71 = bias1;
    for (int k = 0, p = 0; k < columns; k++, p += STRIP) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, columnsOfW, p);
      FloatVector v1 = FloatVector.fromArray(SPECIES, columnsOfW, p + step);
      FloatVector c = FloatVector.broadcast(SPECIES, x[s0 + k]);
      a00 = v0.fma(c, a00);
      a01 = v1.fma(c, a01);
      c = FloatVector.broadcast(SPECIES, x[s1 + k]);
      a10 = v0.fma(c, a10);
      a11 = v1.fma(c, a11);
      c = FloatVector.broadcast(SPECIES, x[s2 + k]);
      a20 = v0.fma(c, a20);
      a21 = v1.fma(c, a21);
      c = FloatVector.broadcast(SPECIES, x[s3 + k]);
      a30 = v0.fma(c, a30);
      a31 = v1.fma(c, a31);
      c = FloatVector.broadcast(SPECIES, x[s4 + k]);
      a40 = v0.fma(c, a40);
      a41 = v1.fma(c, a41);
      c = FloatVector.broadcast(SPECIES, x[s5 + k]);
      a50 = v0.fma(c, a50);
      a51 = v1.fma(c, a51);
      c = FloatVector.broadcast(SPECIES, x[s6 + k]);
      a60 = v0.fma(c, a60);
      a61 = v1.fma(c, a61);
      c = FloatVector.broadcast(SPECIES, x[s7 + k]);
      a70 = v0.fma(c, a70);
      a71 = v1.fma(c, a71);
    }
    a00.intoArray(tile, 0);
    a01.intoArray(tile, step);
    a10.intoArray(tile, STRIP);
    a11.intoArray(tile, STRIP + step);
    a20.intoArray(tile, 2 * STRIP);
    a21.intoArray(tile, 2 * STRIP + step);
    a30.intoArray(tile, 3 * STRIP);
    a31.intoArray(tile, 3 * STRIP + step);
    a40.intoArray(tile, 4 * STRIP);
    a41.intoArray(tile, 4 * STRIP + step);
    a50.intoArray(tile, 5 * STRIP);
    a51.intoArray(tile, 5 * STRIP + step);
    a60.intoArray(tile, 6 * STRIP);
    a61.intoArray(tile, 6 * STRIP + step);
    a70.intoArray(tile, 7 * STRIP);
    a71.intoArray(tile, 7 * STRIP + step);
  }

  /**
   * The forward product of a wide layer: the inputs of up to {@link #PANEL_STRIPS} strips of {@link #STRIP}
   * samples copied into a panel (value k of a strip's samples side by side, samples past the batch as zeros),
   * then 6 rows of w by one strip in 12 vector accumulators, each weight broadcast and multiplied into 2 vectors
   * of samples: with the 2 vectors and the broadcast, 15 of AVX2's 16 registers (the 4-row tile had 8
   * accumulators, just the 2 FMA units' 8 products in flight; 6 rows: 1.1 to 1.2 times its speed at 128x256 and
   * 256x784). The 6 rows of w (in L1) serve every strip of the panel (in L2) before the next 6. The rows past the
   * last 6 take a 4-row tile, the last 4 rows again if fewer remain (their sums are the same, term by term).
   */
  static void densePanels(Workspace work, float[] w, int rows, int columns, float[] bias, float[] x, int xOffset,
      int xStride, int[] xRows, int lo, int hi, float[] out, int outOffset, int outStride) {
    int stripSize = columns * STRIP;
    int sixes = rows / 6;
    float[] panel = work.floats(Slot.PANEL, 1, PANEL_STRIPS * stripSize)[0];
    float[] tile = work.floats(Slot.SUMS, 1, 6 * STRIP)[0];
    for (int blockStart = lo; blockStart < hi; blockStart += PANEL_STRIPS * STRIP) {
      int strips = Math.min(PANEL_STRIPS, (hi - blockStart + STRIP - 1) / STRIP);
      for (int t = 0; t < strips; t++) {
        int from = blockStart + t * STRIP;
        packStrip(x, xOffset, xStride, xRows, columns, from, Math.min(STRIP, hi - from), panel, t * stripSize);
      }
      for (int q = 0; q < sixes; q++) {
        for (int t = 0; t < strips; t++) {
          int from = blockStart + t * STRIP;
          int w0 = q * 6 * columns;
          broadcastsTimesStrip6(panel, t * stripSize, columns, w, w0, w0 + columns, w0 + 2 * columns, w0 + 3 * columns,
              w0 + 4 * columns, w0 + 5 * columns, tile);
          unpackTile(tile, 6, 6 * q, bias, from, Math.min(STRIP, hi - from), out, outOffset, outStride);
        }
      }
      int i = 6 * sixes;
      while (i < rows) {
        int first = rows >= 4 ? Math.min(i, rows - 4) : i;
        for (int t = 0; t < strips; t++) {
          int from = blockStart + t * STRIP;
          if (rows >= 4) {
            rowsTimesStrip4(w, first * columns, columns, panel, t * stripSize, tile);
            unpackTile(tile, 4, first, bias, from, Math.min(STRIP, hi - from), out, outOffset, outStride);
          } else {
            rowTimesStrip(w, first * columns, columns, panel, t * stripSize, tile);
            unpackTile(tile, 1, first, bias, from, Math.min(STRIP, hi - from), out, outOffset, outStride);
          }
        }
        i = rows >= 4 ? first + 4 : first + 1;
      }
    }
  }

  /**
   * Samples whose inputs every block of rows of {@link #denseRowBlocks} passes before the next samples (400 KB at 784, in
   * L2 with the block). Against densePanels, each on 2 threads, in turn in one JVM (bench's DensePaths, an AVX2 Zen 2):
   * 256x784 over 512 samples 110.9 against 99.3 GFLOP/s, then 93.8 against 105.1, 105.0 against 92.4 (one run to the
   * next moved more than the paths differ); over 500 samples (an evaluation's share) 109.7 against 95.1; 128x256 over
   * 512, 94.0 against 89.6. With 64 samples, 99 against 106.
   */
  private static final int ROW_BLOCK_SAMPLES = 128;

  /**
   * The forward product of a wide layer over at least as many samples as it has rows (a lane's 512 of a batch of
   * 1024, an evaluation's 500): w copied once into blocks of {@link #STRIP} rows, value k of a block's rows side by
   * side (zeros past the last row), then 6 samples by one block in 12 vector accumulators, each input broadcast and
   * multiplied into the block's 2 vectors, the sums stored into out a vector at a time. Its copy of w costs
   * rows × columns where {@link #densePanels}' copy of the inputs costs samples × columns, and the inputs are read where
   * they lie. Each sum takes its terms in the order densePanels takes them, from 0 with the bias added last: the same
   * bits whichever path a batch takes. Past the last whole 6 samples, the last 6 again.
   */
  static void denseRowBlocks(Workspace work, float[] w, int rows, int columns, float[] bias, float[] x, int xOffset,
      int xStride, int[] xRows, int lo, int hi, float[] out, int outOffset, int outStride) {
    int blocks = (rows + STRIP - 1) / STRIP;
    int blockSize = columns * STRIP;
    float[] packed = work.floats(Slot.PANEL, 1, blocks * blockSize)[0];
    float[] tile = work.floats(Slot.SUMS, 1, 6 * STRIP)[0];
    packRowBlocks(w, rows, columns, packed);
    for (int chunk = lo; chunk < hi; chunk += ROW_BLOCK_SAMPLES) {
      int chunkEnd = Math.min(hi, chunk + ROW_BLOCK_SAMPLES);
      for (int block = 0; block < blocks; block++) {
        for (int b = chunk; b < chunkEnd; b += 6) {
          int first = Math.min(b, hi - 6);
          broadcastsTimesStrip6(packed, block * blockSize, columns, x, SampleRows.start(xRows, xOffset, xStride, first),
              SampleRows.start(xRows, xOffset, xStride, first + 1), SampleRows.start(xRows, xOffset, xStride, first + 2),
              SampleRows.start(xRows, xOffset, xStride, first + 3), SampleRows.start(xRows, xOffset, xStride, first + 4),
              SampleRows.start(xRows, xOffset, xStride, first + 5), tile);
          storeBlock(tile, block * STRIP, rows, bias, out, first * outStride + outOffset, outStride);
        }
      }
    }
  }

  /** packed[block columns STRIP + k STRIP + r] = w[block STRIP + r, k], zeros past the last row, by 64 columns at a time. */
  private static void packRowBlocks(float[] w, int rows, int columns, float[] packed) {
    int blocks = (rows + STRIP - 1) / STRIP;
    for (int block = 0; block < blocks; block++) {
      int base = block * columns * STRIP;
      for (int from = 0; from < columns; from += 64) {
        int to = Math.min(columns, from + 64);
        for (int r = 0; r < STRIP; r++) {
          int row = block * STRIP + r;
          if (row < rows) {
            for (int k = from, p = base + from * STRIP + r, q = row * columns + from; k < to; k++, p += STRIP, q++) {
              packed[p] = w[q];
            }
          } else {
            for (int k = from, p = base + from * STRIP + r; k < to; k++, p += STRIP) {
              packed[p] = 0;
            }
          }
        }
      }
    }
  }

  /**
   * tile[r STRIP + c] = Σ_k scalars[s_r + k] strips[base + k STRIP + c] for r &lt; 6, c &lt; STRIP: the register tile of both
   * wide forward paths, 12 accumulators, 2 loads and 6 broadcasts a column; with the 2 vectors and the broadcast, 15 of
   * AVX2's 16 registers. {@link #densePanels} broadcasts 6 rows of w into a strip of inputs, {@link #denseRowBlocks} 6
   * samples' inputs into a block of rows of w: the same sums, term by term.
   */
  private static void broadcastsTimesStrip6(float[] strips, int base, int columns, float[] scalars, int s0, int s1, int s2,
      int s3, int s4, int s5, float[] tile) {
    int step = SPECIES.length();
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
    FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00;
    for (int k = 0, p = base; k < columns; k++, p += STRIP) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, strips, p);
      FloatVector v1 = FloatVector.fromArray(SPECIES, strips, p + step);
      FloatVector c = FloatVector.broadcast(SPECIES, scalars[s0 + k]);
      a00 = c.fma(v0, a00);
      a01 = c.fma(v1, a01);
      c = FloatVector.broadcast(SPECIES, scalars[s1 + k]);
      a10 = c.fma(v0, a10);
      a11 = c.fma(v1, a11);
      c = FloatVector.broadcast(SPECIES, scalars[s2 + k]);
      a20 = c.fma(v0, a20);
      a21 = c.fma(v1, a21);
      c = FloatVector.broadcast(SPECIES, scalars[s3 + k]);
      a30 = c.fma(v0, a30);
      a31 = c.fma(v1, a31);
      c = FloatVector.broadcast(SPECIES, scalars[s4 + k]);
      a40 = c.fma(v0, a40);
      a41 = c.fma(v1, a41);
      c = FloatVector.broadcast(SPECIES, scalars[s5 + k]);
      a50 = c.fma(v0, a50);
      a51 = c.fma(v1, a51);
    }
    a00.intoArray(tile, 0);
    a01.intoArray(tile, step);
    a10.intoArray(tile, STRIP);
    a11.intoArray(tile, STRIP + step);
    a20.intoArray(tile, 2 * STRIP);
    a21.intoArray(tile, 2 * STRIP + step);
    a30.intoArray(tile, 3 * STRIP);
    a31.intoArray(tile, 3 * STRIP + step);
    a40.intoArray(tile, 4 * STRIP);
    a41.intoArray(tile, 4 * STRIP + step);
    a50.intoArray(tile, 5 * STRIP);
    a51.intoArray(tile, 5 * STRIP + step);
  }

  /** out[o0 + s outStride + i + r] = bias[i + r] + tile[s STRIP + r] for the 6 samples and the block's rows below {@code rows}. */
  private static void storeBlock(float[] tile, int i, int rows, float[] bias, float[] out, int o0, int outStride) {
    int step = SPECIES.length();
    if (i + STRIP <= rows) {
      for (int s = 0, o = o0 + i; s < 6; s++, o += outStride) {
        FloatVector v0 = FloatVector.fromArray(SPECIES, tile, s * STRIP);
        FloatVector v1 = FloatVector.fromArray(SPECIES, tile, s * STRIP + step);
        if (bias != null) {
          v0 = FloatVector.fromArray(SPECIES, bias, i).add(v0);
          v1 = FloatVector.fromArray(SPECIES, bias, i + step).add(v1);
        }
        v0.intoArray(out, o);
        v1.intoArray(out, o + step);
      }
      return;
    }
    for (int s = 0, o = o0 + i; s < 6; s++, o += outStride) {
      for (int r = 0; i + r < rows; r++) {
        out[o + r] = bias == null ? tile[s * STRIP + r] : bias[i + r] + tile[s * STRIP + r];
      }
    }
  }

  /** tile[r STRIP + s] = Σ_k w[wRow + r columns + k] panel[strip + k STRIP + s] for r < 4: the register tile. */
  private static void rowsTimesStrip4(float[] w, int wRow, int columns, float[] panel, int strip, float[] tile) {
    int step = SPECIES.length();
    int w0 = wRow;
    int w1 = w0 + columns, w2 = w1 + columns, w3 = w2 + columns;
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
    FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int k = 0, p = strip; k < columns; k++, p += STRIP) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, panel, p);
      FloatVector x1 = FloatVector.fromArray(SPECIES, panel, p + step);
      FloatVector c = FloatVector.broadcast(SPECIES, w[w0 + k]);
      a00 = c.fma(x0, a00);
      a01 = c.fma(x1, a01);
      c = FloatVector.broadcast(SPECIES, w[w1 + k]);
      a10 = c.fma(x0, a10);
      a11 = c.fma(x1, a11);
      c = FloatVector.broadcast(SPECIES, w[w2 + k]);
      a20 = c.fma(x0, a20);
      a21 = c.fma(x1, a21);
      c = FloatVector.broadcast(SPECIES, w[w3 + k]);
      a30 = c.fma(x0, a30);
      a31 = c.fma(x1, a31);
    }
    a00.intoArray(tile, 0);
    a01.intoArray(tile, step);
    a10.intoArray(tile, STRIP);
    a11.intoArray(tile, STRIP + step);
    a20.intoArray(tile, 2 * STRIP);
    a21.intoArray(tile, 2 * STRIP + step);
    a30.intoArray(tile, 3 * STRIP);
    a31.intoArray(tile, 3 * STRIP + step);
  }

  /** tile[s] = Σ_k w[wRow + k] panel[strip + k STRIP + s]: the rows past the last 4. */
  private static void rowTimesStrip(float[] w, int wRow, int columns, float[] panel, int strip, float[] tile) {
    int step = SPECIES.length();
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00;
    for (int k = 0, p = strip; k < columns; k++, p += STRIP) {
      FloatVector c = FloatVector.broadcast(SPECIES, w[wRow + k]);
      a00 = c.fma(FloatVector.fromArray(SPECIES, panel, p), a00);
      a01 = c.fma(FloatVector.fromArray(SPECIES, panel, p + step), a01);
    }
    a00.intoArray(tile, 0);
    a01.intoArray(tile, step);
  }

  /**
   * panel[strip + k STRIP + s] = x[(from + s) stride + offset + k] (at row {@code rows[from + s]} when {@code rows}
   * is given) for the {@code count} samples, zeros for the rest of the strip.
   */
  private static void packStrip(float[] x, int offset, int stride, int[] rows, int columns, int from, int count,
      float[] panel, int strip) {
    for (int s = 0; s < count; s++) {
      int source = SampleRows.start(rows, offset, stride, from + s);
      for (int k = 0, p = strip + s; k < columns; k++, p += STRIP) {
        panel[p] = x[source + k];
      }
    }
    for (int s = count; s < STRIP; s++) {
      for (int k = 0, p = strip + s; k < columns; k++, p += STRIP) {
        panel[p] = 0;
      }
    }
  }

  /** out[(from + s), i + r] = bias[i + r] + tile[r STRIP + s] for the tile's {@code tileRows} rows and {@code count} samples. */
  private static void unpackTile(float[] tile, int tileRows, int i, float[] bias, int from, int count, float[] out,
      int outOffset, int outStride) {
    for (int s = 0; s < count; s++) {
      int o = (from + s) * outStride + outOffset + i;
      for (int r = 0; r < tileRows; r++) {
        out[o + r] = bias == null ? tile[r * STRIP + s] : bias[i + r] + tile[r * STRIP + s];
      }
    }
  }

  /** bias[i] plus a tile's dot product: its accumulator's lanes and the part past the last whole vector. */
  private static float biased(float[] bias, int i, FloatVector sum, float[] w, int wStart, float[] x, int xStart,
      int upper, int length) {
    float value = sum.reduceLanes(VectorOperators.ADD) + dotTail(w, wStart, x, xStart, upper, length);
    return bias == null ? value : bias[i] + value;
  }

  /** Σ_k a[aStart + k] c[cStart + k] for k < length. */
  private static float dot(float[] a, int aStart, float[] c, int cStart, int length) {
    int upper = SPECIES.loopBound(length);
    FloatVector sum = FloatVector.zero(SPECIES);
    for (int k = 0; k < upper; k += SPECIES.length()) {
      sum = FloatVector.fromArray(SPECIES, a, aStart + k).fma(FloatVector.fromArray(SPECIES, c, cStart + k), sum);
    }
    return sum.reduceLanes(VectorOperators.ADD) + dotTail(a, aStart, c, cStart, upper, length);
  }

  /** Σ_k a[aStart + k] c[cStart + k] for from ≤ k < to. */
  private static float dotTail(float[] a, int aStart, float[] c, int cStart, int from, int to) {
    float sum = 0;
    for (int k = from; k < to; k++) {
      sum = Math.fma(a[aStart + k], c[cStart + k], sum);
    }
    return sum;
  }

  /** Rows of the weight gradient's wider tile: 6 by 2 vectors, 12 accumulators of AVX2's 16 registers. */
  private static final int GRADIENT_ROWS = 6;

  /**
   * g[i, j] += scale Σ_b d[b, i] x[b, j]: tiles of 4 rows of g by 2 vectors of j, each summed over up to
   * {@link #SAMPLE_CHUNK} samples in 8 accumulators before it is added to g; when 2 rows are left past them, the last
   * 6 rows take a tile of {@link #GRADIENT_ROWS} instead (10 = 4 + 6, where 4 + 4 left 2 rows to the slow path one row
   * at a time: 10x128 over 512 samples at 23 GFLOP/s, 35-38 with the 6). The chunk's entries of d are first
   * copied 4 rows at a time into a panel (the 4 of one sample side by side), so that a tile reads them in
   * order; the 2 vectors of j of the chunk's inputs are copied side by side into a strip, which stays in L1 while
   * every 4 rows pass.
   *
   * <p>The loops over samples are all in the small methods this one calls, so that the JIT compiles each of them once,
   * as a whole method. When they were loops of this one, C2 compiled it over and over at startup, each time entering
   * at another loop (on-stack replacement), 300-500 ms a compile: 1.6 s of the one C2 thread of a 2-core JVM in the
   * first seconds of {@code nabla train}, while the kernels the first epoch needs waited for it.
   */
  static void weightGradient(Workspace work, float[] g, int rows, int columns, float[] d, int dOffset, int dStride,
      float[] x, int xOffset, int xStride, int[] xRows, int lo, int hi, float scale) {
    int step = SPECIES.length();
    int quads = rows / 4;
    boolean six = rows % 4 == 2 && quads > 0;
    if (six) {
      quads--;
    }
    int grouped = 4 * quads + (six ? GRADIENT_ROWS : 0);
    float[] panel = work.floats(Slot.COEFFICIENTS, 1, Math.max(1, grouped * SAMPLE_CHUNK))[0];
    float[] strip = work.floats(Slot.SAMPLES, 1, SAMPLE_CHUNK * STRIP)[0];
    for (int from = lo; from < hi; from += SAMPLE_CHUNK) {
      int to = Math.min(hi, from + SAMPLE_CHUNK);
      int count = to - from;
      packGradientPanel(d, dOffset, dStride, from, to, quads, six, panel);
      int j = 0;
      for (; j + 2 * step <= columns; j += 2 * step) {
        packStripPair(x, xOffset + j, xStride, xRows, from, to, strip);
        for (int q = 0; q < quads; q++) {
          gradientTile4(g, 4 * q * columns + j, columns, panel, q * 4 * count, strip, count, scale);
        }
        if (six) {
          gradientTile6(g, 4 * quads * columns + j, columns, panel, quads * 4 * count, strip, count, scale);
        }
        for (int i = grouped; i < rows; i++) {
          gradientColumns(g, i, columns, j, j + 2 * step, d, dOffset, dStride, x, xOffset, xStride, xRows, from, to,
              scale);
        }
      }
      for (int i = 0; i < rows; i++) {
        gradientColumns(g, i, columns, j, columns, d, dOffset, dStride, x, xOffset, xStride, xRows, from, to, scale);
      }
    }
  }

  /**
   * The panel of d's samples [from, to) that the tiles read in order: each 4 rows of a quad side by side, sample by
   * sample, then (when {@code six}) the 6 rows past the quads likewise.
   */
  private static void packGradientPanel(float[] d, int dOffset, int dStride, int from, int to, int quads, boolean six,
      float[] panel) {
    int count = to - from;
    for (int q = 0; q < quads; q++) {
      int p = q * 4 * count;
      for (int b = from; b < to; b++, p += 4) {
        int e = b * dStride + dOffset + 4 * q;
        panel[p] = d[e];
        panel[p + 1] = d[e + 1];
        panel[p + 2] = d[e + 2];
        panel[p + 3] = d[e + 3];
      }
    }
    if (six) {
      for (int b = from, p = quads * 4 * count; b < to; b++, p += GRADIENT_ROWS) {
        System.arraycopy(d, b * dStride + dOffset + 4 * quads, panel, p, GRADIENT_ROWS);
      }
    }
  }

  /**
   * The 2 vectors at {@code offset} of each sample [from, to) of x, copied side by side into {@code strip}: the tiles read
   * them at a constant stride, whose bounds checks C2 takes out of the loop (at the stride of x it checks every load:
   * 256x784 over 32 samples ran at 52 GFLOP/s, 68 with the copy).
   */
  private static void packStripPair(float[] x, int offset, int stride, int[] rows, int from, int to, float[] strip) {
    int step = SPECIES.length();
    for (int b = from, t = 0; b < to; b++, t += STRIP) {
      int s = SampleRows.start(rows, offset, stride, b);
      FloatVector.fromArray(SPECIES, x, s).intoArray(strip, t);
      FloatVector.fromArray(SPECIES, x, s + step).intoArray(strip, t + step);
    }
  }

  /**
   * g[g0 + r columns + c] += scale Σ_s panel[p0 + 4 s + r] strip[s STRIP + c] for r &lt; 4, c &lt; STRIP: 8 vector
   * accumulators, 2 loads and 4 broadcasts a sample.
   */
  private static void gradientTile4(float[] g, int g0, int columns, float[] panel, int p0, float[] strip, int count,
      float scale) {
    int step = SPECIES.length();
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
    FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int t = 0, p = p0, end = count * STRIP; t < end; t += STRIP, p += 4) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, strip, t);
      FloatVector x1 = FloatVector.fromArray(SPECIES, strip, t + step);
      FloatVector c = FloatVector.broadcast(SPECIES, panel[p]);
      a00 = c.fma(x0, a00);
      a01 = c.fma(x1, a01);
      c = FloatVector.broadcast(SPECIES, panel[p + 1]);
      a10 = c.fma(x0, a10);
      a11 = c.fma(x1, a11);
      c = FloatVector.broadcast(SPECIES, panel[p + 2]);
      a20 = c.fma(x0, a20);
      a21 = c.fma(x1, a21);
      c = FloatVector.broadcast(SPECIES, panel[p + 3]);
      a30 = c.fma(x0, a30);
      a31 = c.fma(x1, a31);
    }
    // Added here, not in a helper: a vector passed to a method C2 does not inline is boxed on the heap.
    FloatVector factor = FloatVector.broadcast(SPECIES, scale);
    int g1 = g0 + columns, g2 = g1 + columns, g3 = g2 + columns;
    a00.fma(factor, FloatVector.fromArray(SPECIES, g, g0)).intoArray(g, g0);
    a01.fma(factor, FloatVector.fromArray(SPECIES, g, g0 + step)).intoArray(g, g0 + step);
    a10.fma(factor, FloatVector.fromArray(SPECIES, g, g1)).intoArray(g, g1);
    a11.fma(factor, FloatVector.fromArray(SPECIES, g, g1 + step)).intoArray(g, g1 + step);
    a20.fma(factor, FloatVector.fromArray(SPECIES, g, g2)).intoArray(g, g2);
    a21.fma(factor, FloatVector.fromArray(SPECIES, g, g2 + step)).intoArray(g, g2 + step);
    a30.fma(factor, FloatVector.fromArray(SPECIES, g, g3)).intoArray(g, g3);
    a31.fma(factor, FloatVector.fromArray(SPECIES, g, g3 + step)).intoArray(g, g3 + step);
  }

  /**
   * g[g0 + r columns + c] += scale Σ_s panel[p0 + 6 s + r] strip[s STRIP + c] for r &lt; 6, c &lt; STRIP: 12 vector
   * accumulators, 2 loads and a broadcast, 15 of AVX2's 16 registers: for a height that leaves 2 rows past its
   * tiles of 4. (Not for all rows: the tiles alone, 256x784 over 512 samples, ran at 81.5 GFLOP/s against 85.2 for
   * the tile of 4.)
   */
  private static void gradientTile6(float[] g, int g0, int columns, float[] panel, int p0, float[] strip, int count,
      float scale) {
    int step = SPECIES.length();
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
    FloatVector a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
    for (int s = 0; s < count; s++) {
      int t = s * STRIP;
      int p = p0 + s * GRADIENT_ROWS;
      FloatVector x0 = FloatVector.fromArray(SPECIES, strip, t);
      FloatVector x1 = FloatVector.fromArray(SPECIES, strip, t + step);
      FloatVector c = FloatVector.broadcast(SPECIES, panel[p]);
      a00 = c.fma(x0, a00);
      a01 = c.fma(x1, a01);
      c = FloatVector.broadcast(SPECIES, panel[p + 1]);
      a10 = c.fma(x0, a10);
      a11 = c.fma(x1, a11);
      c = FloatVector.broadcast(SPECIES, panel[p + 2]);
      a20 = c.fma(x0, a20);
      a21 = c.fma(x1, a21);
      c = FloatVector.broadcast(SPECIES, panel[p + 3]);
      a30 = c.fma(x0, a30);
      a31 = c.fma(x1, a31);
      c = FloatVector.broadcast(SPECIES, panel[p + 4]);
      a40 = c.fma(x0, a40);
      a41 = c.fma(x1, a41);
      c = FloatVector.broadcast(SPECIES, panel[p + 5]);
      a50 = c.fma(x0, a50);
      a51 = c.fma(x1, a51);
    }
    // Added here, not in a helper: a vector passed to a method C2 does not inline is boxed on the heap.
    FloatVector factor = FloatVector.broadcast(SPECIES, scale);
    int g1 = g0 + columns, g2 = g1 + columns, g3 = g2 + columns, g4 = g3 + columns, g5 = g4 + columns;
    a00.fma(factor, FloatVector.fromArray(SPECIES, g, g0)).intoArray(g, g0);
    a01.fma(factor, FloatVector.fromArray(SPECIES, g, g0 + step)).intoArray(g, g0 + step);
    a10.fma(factor, FloatVector.fromArray(SPECIES, g, g1)).intoArray(g, g1);
    a11.fma(factor, FloatVector.fromArray(SPECIES, g, g1 + step)).intoArray(g, g1 + step);
    a20.fma(factor, FloatVector.fromArray(SPECIES, g, g2)).intoArray(g, g2);
    a21.fma(factor, FloatVector.fromArray(SPECIES, g, g2 + step)).intoArray(g, g2 + step);
    a30.fma(factor, FloatVector.fromArray(SPECIES, g, g3)).intoArray(g, g3);
    a31.fma(factor, FloatVector.fromArray(SPECIES, g, g3 + step)).intoArray(g, g3 + step);
    a40.fma(factor, FloatVector.fromArray(SPECIES, g, g4)).intoArray(g, g4);
    a41.fma(factor, FloatVector.fromArray(SPECIES, g, g4 + step)).intoArray(g, g4 + step);
    a50.fma(factor, FloatVector.fromArray(SPECIES, g, g5)).intoArray(g, g5);
    a51.fma(factor, FloatVector.fromArray(SPECIES, g, g5 + step)).intoArray(g, g5 + step);
  }

  /** g[i, j] += scale Σ_b d[b, i] x[b, j] for one row i and j in [from, to): a vector of j at a time, then one j at a time. */
  private static void gradientColumns(float[] g, int i, int columns, int from, int to, float[] d, int dOffset,
      int dStride, float[] x, int xOffset, int xStride, int[] xRows, int lo, int hi, float scale) {
    int step = SPECIES.length();
    int j = from;
    for (; j + step <= to; j += step) {
      FloatVector sum = FloatVector.zero(SPECIES);
      for (int b = lo; b < hi; b++) {
        sum = FloatVector.broadcast(SPECIES, d[b * dStride + dOffset + i])
            .fma(FloatVector.fromArray(SPECIES, x, SampleRows.start(xRows, xOffset, xStride, b) + j), sum);
      }
      int at = i * columns + j;
      sum.fma(FloatVector.broadcast(SPECIES, scale), FloatVector.fromArray(SPECIES, g, at)).intoArray(g, at);
    }
    for (; j < to; j++) {
      float sum = 0;
      for (int b = lo; b < hi; b++) {
        sum = Math.fma(d[b * dStride + dOffset + i], x[SampleRows.start(xRows, xOffset, xStride, b) + j], sum);
      }
      g[i * columns + j] = Math.fma(sum, scale, g[i * columns + j]);
    }
  }

  /** Samples from which Wᵀ δ copies w into a panel first: at 32 the copy costs more than it saves (128x256: 56 µs against 51). */
  private static final int PACKED_TRANSPOSED_SAMPLES = 64;
  /** Entries of δ (16 KiB) that a chunk of Wᵀ δ's samples keeps in L1 while every strip of the panel passes. */
  private static final int TRANSPOSED_CHUNK_VALUES = 4096;

  /**
   * out[b, j] = Σ_i w[i, j] d[b, i]: the rows of w scaled by each sample's entries and summed, 2 vectors of j for 4
   * samples at a time in 8 accumulators. From {@link #PACKED_TRANSPOSED_SAMPLES} samples, w is first copied into a
   * panel of strips, the 2 vectors of j of every row side by side, which the tile reads at a constant stride (C2
   * then checks no bound inside the loop; at the stride of w's rows it checks every load), and the samples go in
   * chunks whose δ stays in L1 while every strip (in L1 for one chunk's tiles) passes: at 128x256 over 512 samples,
   * 70 GFLOP/s against 55. Fewer samples take w where it lies: a w larger than {@link #CACHED_WEIGHTS} would be read
   * from memory for every 4 samples, so there the 2 vectors of j of every row (in L1) serve all samples of a chunk of
   * {@link #SAMPLE_CHUNK} (whose δ stays in L2) before the next 2; a smaller w stays in L2, and each 4 samples take
   * every column before the next 4, their δ in L1.
   */
  static void transposedDense(Workspace work, float[] w, int rows, int columns, float[] d, int dOffset, int dStride,
      int lo, int hi, float[] out, int outOffset, int outStride) {
    if (hi - lo >= PACKED_TRANSPOSED_SAMPLES) {
      transposedPanels(work, w, rows, columns, d, dOffset, dStride, lo, hi, out, outOffset, outStride);
      return;
    }
    int chunk = (long) rows * columns <= CACHED_WEIGHTS ? 4 : SAMPLE_CHUNK;
    for (int from = lo; from < hi; from += chunk) {
      transposedChunk(w, rows, columns, d, dOffset, dStride, from, Math.min(hi, from + chunk), out, outOffset,
          outStride);
    }
  }

  /** {@link #transposedDense} with w copied into a panel of strips first. */
  private static void transposedPanels(Workspace work, float[] w, int rows, int columns, float[] d, int dOffset,
      int dStride, int lo, int hi, float[] out, int outOffset, int outStride) {
    int step = SPECIES.length();
    int strips = columns / STRIP;
    float[] panel = work.floats(Slot.PANEL, 1, Math.max(1, strips * rows * STRIP))[0];
    for (int t = 0; t < strips; t++) {
      for (int i = 0, p = t * rows * STRIP; i < rows; i++, p += STRIP) {
        int at = i * columns + t * STRIP;
        FloatVector.fromArray(SPECIES, w, at).intoArray(panel, p);
        FloatVector.fromArray(SPECIES, w, at + step).intoArray(panel, p + step);
      }
    }
    int chunk = Math.max(4, TRANSPOSED_CHUNK_VALUES / rows / 4 * 4);
    for (int from = lo; from < hi; from += chunk) {
      int to = Math.min(hi, from + chunk);
      for (int t = 0; t < strips; t++) {
        int strip = t * rows * STRIP;
        int j = t * STRIP;
        int b = from;
        for (; b + 4 <= to; b += 4) {
          transposedTile4(panel, strip, rows, d, b * dStride + dOffset, dStride, out, b * outStride + outOffset + j,
              outStride);
        }
        for (; b < to; b++) {
          int e0 = b * dStride + dOffset;
          int o0 = b * outStride + outOffset + j;
          FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00;
          for (int i = 0; i < rows; i++) {
            FloatVector c = FloatVector.broadcast(SPECIES, d[e0 + i]);
            a00 = FloatVector.fromArray(SPECIES, panel, strip + i * STRIP).fma(c, a00);
            a01 = FloatVector.fromArray(SPECIES, panel, strip + i * STRIP + step).fma(c, a01);
          }
          a00.intoArray(out, o0);
          a01.intoArray(out, o0 + step);
        }
      }
      for (int b = from; b < to; b++) {
        transposedColumns(w, rows, columns, strips * STRIP, d, b * dStride + dOffset, out, b * outStride + outOffset);
      }
    }
  }

  /**
   * out[o0 + s outStride + c] = Σ_i panel[strip + i STRIP + c] d[e0 + s dStride + i] for s &lt; 4, c &lt; STRIP: 8
   * vector accumulators. (A tile of 6 samples, 12 accumulators, 15 of AVX2's 16 registers, ran at half the speed:
   * 128x256 over 512 samples at 37 GFLOP/s against 70.)
   */
  private static void transposedTile4(float[] panel, int strip, int rows, float[] d, int e0, int dStride, float[] out,
      int o0, int outStride) {
    int step = SPECIES.length();
    int e1 = e0 + dStride, e2 = e1 + dStride, e3 = e2 + dStride;
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
    FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int i = 0; i < rows; i++) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, panel, strip + i * STRIP);
      FloatVector v1 = FloatVector.fromArray(SPECIES, panel, strip + i * STRIP + step);
      FloatVector c = FloatVector.broadcast(SPECIES, d[e0 + i]);
      a00 = v0.fma(c, a00);
      a01 = v1.fma(c, a01);
      c = FloatVector.broadcast(SPECIES, d[e1 + i]);
      a10 = v0.fma(c, a10);
      a11 = v1.fma(c, a11);
      c = FloatVector.broadcast(SPECIES, d[e2 + i]);
      a20 = v0.fma(c, a20);
      a21 = v1.fma(c, a21);
      c = FloatVector.broadcast(SPECIES, d[e3 + i]);
      a30 = v0.fma(c, a30);
      a31 = v1.fma(c, a31);
    }
    int o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
    a00.intoArray(out, o0);
    a01.intoArray(out, o0 + step);
    a10.intoArray(out, o1);
    a11.intoArray(out, o1 + step);
    a20.intoArray(out, o2);
    a21.intoArray(out, o2 + step);
    a30.intoArray(out, o3);
    a31.intoArray(out, o3 + step);
  }

  /** {@link #transposedDense} for the samples [lo, hi) of one chunk, whose entries of d stay in L2. */
  private static void transposedChunk(float[] w, int rows, int columns, float[] d, int dOffset, int dStride, int lo,
      int hi, float[] out, int outOffset, int outStride) {
    int step = SPECIES.length();
    int j = 0;
    for (; j + 2 * step <= columns; j += 2 * step) {
      int b = lo;
      for (; b + 4 <= hi; b += 4) {
        int e0 = b * dStride + dOffset;
        int e1 = e0 + dStride, e2 = e1 + dStride, e3 = e2 + dStride;
        int o0 = b * outStride + outOffset + j;
        int o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int i = 0, v = j; i < rows; i++, v += columns) {
          FloatVector v0 = FloatVector.fromArray(SPECIES, w, v);
          FloatVector v1 = FloatVector.fromArray(SPECIES, w, v + step);
          FloatVector c = FloatVector.broadcast(SPECIES, d[e0 + i]);
          a00 = v0.fma(c, a00);
          a01 = v1.fma(c, a01);
          c = FloatVector.broadcast(SPECIES, d[e1 + i]);
          a10 = v0.fma(c, a10);
          a11 = v1.fma(c, a11);
          c = FloatVector.broadcast(SPECIES, d[e2 + i]);
          a20 = v0.fma(c, a20);
          a21 = v1.fma(c, a21);
          c = FloatVector.broadcast(SPECIES, d[e3 + i]);
          a30 = v0.fma(c, a30);
          a31 = v1.fma(c, a31);
        }
        a00.intoArray(out, o0);
        a01.intoArray(out, o0 + step);
        a10.intoArray(out, o1);
        a11.intoArray(out, o1 + step);
        a20.intoArray(out, o2);
        a21.intoArray(out, o2 + step);
        a30.intoArray(out, o3);
        a31.intoArray(out, o3 + step);
      }
      for (; b < hi; b++) {
        int e0 = b * dStride + dOffset;
        int o0 = b * outStride + outOffset + j;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00;
        for (int i = 0, v = j; i < rows; i++, v += columns) {
          FloatVector c = FloatVector.broadcast(SPECIES, d[e0 + i]);
          a00 = FloatVector.fromArray(SPECIES, w, v).fma(c, a00);
          a01 = FloatVector.fromArray(SPECIES, w, v + step).fma(c, a01);
        }
        a00.intoArray(out, o0);
        a01.intoArray(out, o0 + step);
      }
    }
    for (int b = lo; b < hi; b++) {
      transposedColumns(w, rows, columns, j, d, b * dStride + dOffset, out, b * outStride + outOffset);
    }
  }

  /** out[o + j] = Σ_i w[i, j] d[e + i] for j from {@code from}: a vector of j at a time, then one at a time. */
  private static void transposedColumns(float[] w, int rows, int columns, int from, float[] d, int e, float[] out,
      int o) {
    int step = SPECIES.length();
    int j = from;
    for (; j + step <= columns; j += step) {
      FloatVector sum = FloatVector.zero(SPECIES);
      for (int i = 0; i < rows; i++) {
        sum = FloatVector.fromArray(SPECIES, w, i * columns + j).fma(FloatVector.broadcast(SPECIES, d[e + i]), sum);
      }
      sum.intoArray(out, o + j);
    }
    for (; j < columns; j++) {
      float sum = 0;
      for (int i = 0; i < rows; i++) {
        sum = Math.fma(w[i * columns + j], d[e + i], sum);
      }
      out[o + j] = sum;
    }
  }
}
