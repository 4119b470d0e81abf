package dev.nabla.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kernel called directly, both implementations, as Lucene tests its vector kernels: sizes that hit
 * every tile and remainder of both, against a reference summed in double (in long double's stead for the
 * double kernels: the same sums, compared with a tolerance for their order). Batches start past 0, with
 * strides and offsets, and every element a kernel must not write is checked untouched.
 */
class KernelsTest {
  static final int[] SIZES = {1, 3, 4, 5, 6, 8, 10, 13, 16, 17, 31, 64, 65, 127, 256, 300, 784, 1000};
  /** Sample counts that hit the 4-sample tiles, the 8-sample transposes, the 128-sample chunks and the 256-sample blocks. */
  static final int[] BATCHES = {1, 3, 4, 5, 8, 13, 17, 127, 256, 300};
  /** Bound on rows × columns × samples per case, so that the whole grid runs in seconds. */
  static final long MAX_WORK = 2_000_000;

  static Stream<KernelSupport> implementations() {
    List<KernelSupport> all = new ArrayList<>();
    all.add(new ScalarKernels());
    all.add(Kernels.lookup("vector", Kernels.vectorModuleReadable(), message -> fail("no hint expected: " + message)));
    return all.stream();
  }

  @Test
  void theVectorKernelsAreUnderTest() {
    assertTrue(Kernels.vectorModuleReadable(), "surefire runs these tests with --add-modules jdk.incubator.vector");
    assertEquals("vector", Kernels.get().name());
  }

  /** The (rows, columns, samples) cases: every pair of sizes, with sample counts cycling through BATCHES. */
  static List<int[]> cases() {
    List<int[]> cases = new ArrayList<>();
    int next = 0;
    for (int rows : SIZES) {
      for (int columns : SIZES) {
        for (int tries = 0; tries < BATCHES.length; tries++) {
          int samples = BATCHES[next++ % BATCHES.length];
          if ((long) rows * columns * samples <= MAX_WORK) {
            cases.add(new int[] {rows, columns, samples});
            break;
          }
        }
      }
    }
    for (int samples : BATCHES) {
      cases.add(new int[] {13, 31, samples});
      cases.add(new int[] {64, 17, samples});
    }
    // The wide layers' paths, past what MAX_WORK lets the grid reach: panels of several strips and a partial
    // one, 4-row tiles and the rows past them, columns past the last 2 vectors, several 128-sample chunks, and a
    // Wᵀ δ whose w is too large to stay in L2 over more than one chunk.
    cases.add(new int[] {40, 100, 130});
    cases.add(new int[] {37, 70, 67});
    cases.add(new int[] {34, 9, 33});
    cases.add(new int[] {6, 40, 260});
    cases.add(new int[] {5, 37, 261});
    cases.add(new int[] {128, 256, 48});
    cases.add(new int[] {256, 784, 20});
    cases.add(new int[] {130, 260, 131});
    // The backward products' tiles of 6 (rows of the weight gradient, samples of Wᵀ δ) and 4: heights that split as
    // 6 + 4 (10), 2 × 6 + 2 × 4 (20), 6 + 4 + 1 (11), 2 × 4 (8, 14 = 6 + 2 × 4), and 2 alone; sample counts of whole
    // tiles (6, 12, 126), tiles and a rest (7, 11, 133), and chunks of 128 ending inside a tile.
    cases.add(new int[] {10, 128, 64});
    cases.add(new int[] {20, 784, 7});
    cases.add(new int[] {11, 50, 6});
    cases.add(new int[] {14, 40, 12});
    cases.add(new int[] {8, 33, 11});
    cases.add(new int[] {2, 48, 126});
    cases.add(new int[] {128, 256, 133});
    cases.add(new int[] {26, 32, 260});
    // The forward product's tiles and their edges: wide layers of every remainder of the 6-row tile (32 to 37 rows,
    // the last 4 rows taken again past the last 6) over a partial strip; layers of 9 to 24 rows (for 8 float lanes;
    // 5 to 12 for 4 double lanes) as 2 or 3 vectors of rows, over 64 samples or more with every remainder of their
    // 4-sample tiles, and over a few samples (fewer than a tile: one at a time) with short rows.
    for (int rows = 32; rows <= 37; rows++) {
      cases.add(new int[] {rows, 50, 21});
    }
    for (int samples = 64; samples <= 67; samples++) {
      cases.add(new int[] {10, 128, samples});
      cases.add(new int[] {20, 100, samples});
      cases.add(new int[] {6, 70, samples});
      cases.add(new int[] {11, 70, samples});
    }
    for (int rows : new int[] {9, 16, 17, 24, 5, 8, 12}) {
      cases.add(new int[] {rows, 65, 70});
      cases.add(new int[] {rows, 20, 4});
      cases.add(new int[] {rows, 20, 5});
    }
    cases.add(new int[] {20, 784, 64});
    cases.add(new int[] {10, 20, 1000});
    return cases;
  }

  /** A batch layout: samples [lo, hi) of vectors of {@code length}, at {@code b stride + offset}. */
  record Layout(int lo, int hi, int offset, int stride, int length) {
    static Layout of(int samples, int length, SplittableRandom random) {
      int lo = random.nextInt(3);
      int offset = random.nextInt(3);
      return new Layout(lo, lo + samples, offset, length + offset + random.nextInt(3), length);
    }

    int size() {
      return hi * stride + offset + length + 2;
    }

    int at(int b, int i) {
      return b * stride + offset + i;
    }

    boolean holds(int index) {
      int b = (index - offset) / stride;
      int i = index - offset - b * stride;
      return index >= offset && b >= lo && b < hi && i < length;
    }
  }

  static double[] values(int size, SplittableRandom random) {
    double[] values = new double[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return values;
  }

  static float[] floats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  /** Checks one output element against the reference with a tolerance for the order of the sum. */
  static void near(double expected, double absoluteSum, double actual, double epsilon, String what) {
    double tolerance = epsilon * (absoluteSum + 1e-30) * 4;
    if (!(Math.abs(expected - actual) <= tolerance)) {
      fail(what + ": expected " + expected + ", was " + actual + " (tolerance " + tolerance + ")");
    }
  }

  static final double FLOAT_EPSILON = Math.ulp(1f);
  static final double DOUBLE_EPSILON = Math.ulp(1.0);

  /**
   * A sample's outputs are the same bits whichever share of the batch it is computed in: a model splits its batch
   * over lanes, and its loss must not depend on how many (the kernels choose their tiles by the shape alone).
   */
  @ParameterizedTest
  @MethodSource("implementations")
  void denseGivesEachSampleTheSameBitsInAnyShareOfTheBatch(KernelSupport kernels) {
    SplittableRandom random = new SplittableRandom(3);
    int samples = 70;
    for (int[] shape : new int[][] {{10, 128}, {20, 784}, {10, 20}, {20, 20}, {17, 65}, {6, 70}, {11, 40}, {40, 100},
        {37, 50}, {2, 100}, {33, 40}, {48, 20}}) {
      int rows = shape[0], columns = shape[1];
      double[] w = values(rows * columns, random);
      double[] bias = values(rows, random);
      double[] x = values(samples * columns, random);
      float[] wF = floats(w), biasF = floats(bias), xF = floats(x);
      float[] wholeF = new float[samples * rows];
      double[] wholeD = new double[samples * rows];
      kernels.dense(new Workspace(), wF, rows, columns, biasF, xF, 0, columns, null, 0, samples, wholeF, 0, rows);
      kernels.dense(new Workspace(), w, rows, columns, bias, x, 0, columns, null, 0, samples, wholeD, 0, rows);
      for (int split : new int[] {1, 2, 3, 5, 35, 64, 69}) {
        float[] partsF = new float[samples * rows];
        double[] partsD = new double[samples * rows];
        Workspace work = new Workspace();
        kernels.dense(work, wF, rows, columns, biasF, xF, 0, columns, null, 0, split, partsF, 0, rows);
        kernels.dense(work, wF, rows, columns, biasF, xF, 0, columns, null, split, samples, partsF, 0, rows);
        kernels.dense(work, w, rows, columns, bias, x, 0, columns, null, 0, split, partsD, 0, rows);
        kernels.dense(work, w, rows, columns, bias, x, 0, columns, null, split, samples, partsD, 0, rows);
        String what = kernels.name() + " dense " + rows + "x" + columns + " split at " + split;
        assertArrayEquals(wholeF, partsF, what + " (float)");
        assertArrayEquals(wholeD, partsD, what + " (double)");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void denseAgreesWithTheSumInEveryLayout(KernelSupport kernels) {
    SplittableRandom random = new SplittableRandom(1);
    Workspace work = new Workspace();
    for (int[] c : cases()) {
      int rows = c[0], columns = c[1];
      Layout in = Layout.of(c[2], columns, random);
      Layout out = new Layout(in.lo, in.hi, random.nextInt(3), rows + 3, rows);
      double[] w = values(rows * columns, random);
      double[] bias = random.nextBoolean() ? values(rows, random) : null;
      double[] x = values(in.size(), random);
      float[] outF = new float[out.size()];
      double[] outD = new double[out.size()];
      java.util.Arrays.fill(outF, Float.NaN);
      java.util.Arrays.fill(outD, Double.NaN);
      kernels.dense(work, floats(w), rows, columns, bias == null ? null : floats(bias), floats(x), in.offset, in.stride,
          null, in.lo, in.hi, outF, out.offset, out.stride);
      kernels.dense(work, w, rows, columns, bias, x, in.offset, in.stride, null, in.lo, in.hi, outD, out.offset, out.stride);
      String what = kernels.name() + " dense " + rows + "x" + columns + " over " + c[2] + " samples";
      for (int b = in.lo; b < in.hi; b++) {
        for (int i = 0; i < rows; i++) {
          double sum = bias == null ? 0 : bias[i];
          double abs = Math.abs(sum);
          for (int k = 0; k < columns; k++) {
            double term = w[i * columns + k] * x[in.at(b, k)];
            sum += term;
            abs += Math.abs(term);
          }
          near(sum, abs, outF[out.at(b, i)], FLOAT_EPSILON, what + " (float) at " + b + ", " + i);
          near(sum, abs, outD[out.at(b, i)], DOUBLE_EPSILON, what + " (double) at " + b + ", " + i);
        }
      }
      untouched(outF, outD, out, what);
    }
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void weightGradientAddsTheScaledSumOverTheSamples(KernelSupport kernels) {
    SplittableRandom random = new SplittableRandom(2);
    Workspace work = new Workspace();
    for (int[] c : cases()) {
      int rows = c[0], columns = c[1];
      Layout in = Layout.of(c[2], columns, random);
      Layout delta = new Layout(in.lo, in.hi, random.nextInt(3), rows + random.nextInt(3), rows);
      double[] d = values(delta.size(), random);
      double[] x = values(in.size(), random);
      double[] g = values(rows * columns, random);
      double scale = 1.0 / c[2];
      float[] gF = floats(g);
      double[] gD = g.clone();
      kernels.weightGradient(work, gF, rows, columns, floats(d), delta.offset, delta.stride, floats(x), in.offset,
          in.stride, null, in.lo, in.hi, (float) scale);
      kernels.weightGradient(work, gD, rows, columns, d, delta.offset, delta.stride, x, in.offset, in.stride, null,
          in.lo, in.hi, scale);
      String what = kernels.name() + " weightGradient " + rows + "x" + columns + " over " + c[2] + " samples";
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < columns; j++) {
          double sum = 0;
          double abs = 0;
          for (int b = in.lo; b < in.hi; b++) {
            double term = d[delta.at(b, i)] * x[in.at(b, j)];
            sum += term;
            abs += Math.abs(term);
          }
          double expected = g[i * columns + j] + scale * sum;
          double bound = Math.abs(g[i * columns + j]) + scale * abs;
          near(expected, bound, gF[i * columns + j], FLOAT_EPSILON, what + " (float) at " + i + ", " + j);
          near(expected, bound, gD[i * columns + j], DOUBLE_EPSILON, what + " (double) at " + i + ", " + j);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void transposedDenseIsTheProductWithTheTranspose(KernelSupport kernels) {
    SplittableRandom random = new SplittableRandom(3);
    Workspace work = new Workspace();
    for (int[] c : cases()) {
      int rows = c[0], columns = c[1];
      Layout delta = Layout.of(c[2], rows, random);
      Layout out = new Layout(delta.lo, delta.hi, random.nextInt(3), columns + random.nextInt(3), columns);
      double[] w = values(rows * columns, random);
      double[] d = values(delta.size(), random);
      float[] outF = new float[out.size()];
      double[] outD = new double[out.size()];
      java.util.Arrays.fill(outF, Float.NaN);
      java.util.Arrays.fill(outD, Double.NaN);
      kernels.transposedDense(work, floats(w), rows, columns, floats(d), delta.offset, delta.stride, delta.lo, delta.hi,
          outF, out.offset, out.stride);
      kernels.transposedDense(work, w, rows, columns, d, delta.offset, delta.stride, delta.lo, delta.hi, outD,
          out.offset, out.stride);
      String what = kernels.name() + " transposedDense " + rows + "x" + columns + " over " + c[2] + " samples";
      for (int b = delta.lo; b < delta.hi; b++) {
        for (int j = 0; j < columns; j++) {
          double sum = 0;
          double abs = 0;
          for (int i = 0; i < rows; i++) {
            double term = w[i * columns + j] * d[delta.at(b, i)];
            sum += term;
            abs += Math.abs(term);
          }
          near(sum, abs, outF[out.at(b, j)], FLOAT_EPSILON, what + " (float) at " + b + ", " + j);
          near(sum, abs, outD[out.at(b, j)], DOUBLE_EPSILON, what + " (double) at " + b + ", " + j);
        }
      }
      untouched(outF, outD, out, what);
    }
  }

  /** Every element outside the layout's vectors still holds the NaN it was filled with. */
  static void untouched(float[] outF, double[] outD, Layout out, String what) {
    for (int index = 0; index < outF.length; index++) {
      if (!out.holds(index) && !(Float.isNaN(outF[index]) && Double.isNaN(outD[index]))) {
        fail(what + " wrote element " + index + ", outside the samples' vectors");
      }
    }
  }

  @Test
  void bothImplementationsAgreeOnTheLessonLayer() {
    SplittableRandom random = new SplittableRandom(4);
    float[] w = floats(values(20 * 784, random));
    float[] x = floats(values(64 * 784, random));
    float[] scalar = new float[64 * 20];
    float[] vector = new float[64 * 20];
    new ScalarKernels().dense(new Workspace(), w, 20, 784, null, x, 0, 784, null, 0, 64, scalar, 0, 20);
    Kernels.lookup("vector", Kernels.vectorModuleReadable(), message -> fail(message)).dense(new Workspace(), w, 20, 784, null, x, 0, 784, null,
        0, 64, vector, 0, 20);
    for (int i = 0; i < scalar.length; i++) {
      assertEquals(scalar[i], vector[i], 1e-4, "element " + i);
    }
  }
}
