package dev.nabla.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolution's kernels called directly, against references written here from the definitions:
 * the forward pass as the direct 7-nested loop over a zero-padded copy of the input, the input gradient
 * as the gather of the transposed convolution (each input position collects the outputs that read it),
 * the kernel gradient as the correlation of the input with δ. Geometries hit the edges (1×1 kernels, a
 * kernel as large as its input, strides 1 to 3, padding 0 to 2, one and several channels, odd sizes),
 * batches start past 0 with offsets and strides, and nothing outside the samples is written.
 */
class Conv2dTest {
  static final List<Conv2d> GEOMETRIES = List.of(
      new Conv2d(1, 5, 5, 1, 1, 1, 1, 0),
      new Conv2d(5, 1, 1, 3, 1, 1, 1, 0),
      new Conv2d(3, 4, 4, 2, 4, 4, 1, 0),
      new Conv2d(1, 3, 3, 1, 3, 3, 3, 0),
      new Conv2d(2, 7, 7, 3, 3, 3, 2, 1),
      new Conv2d(1, 9, 8, 2, 3, 2, 3, 2),
      new Conv2d(4, 6, 5, 5, 3, 3, 1, 1),
      new Conv2d(3, 5, 7, 2, 5, 5, 1, 2),
      new Conv2d(2, 4, 4, 2, 5, 5, 1, 1),
      new Conv2d(2, 6, 6, 1, 3, 3, 2, 2),
      new Conv2d(2, 8, 8, 3, 2, 2, 2, 0),
      new Conv2d(3, 11, 13, 7, 3, 3, 1, 1),
      new Conv2d(1, 28, 28, 8, 3, 3, 1, 1),
      new Conv2d(8, 14, 14, 16, 3, 3, 1, 1),
      new Conv2d(17, 7, 9, 33, 3, 3, 2, 1),
      new Conv2d(2, 10, 10, 3, 1, 1, 3, 2),
      new Conv2d(32, 9, 9, 24, 3, 3, 1, 1),
      new Conv2d(1, 12, 11, 16, 3, 3, 1, 1),
      new Conv2d(2, 5, 5, 9, 1, 1, 1, 0));

  /** The ways the kernels can run: each is tested against the references. */
  enum Way {
    PUBLIC_API, SCALAR_COLUMNS, VECTOR_COLUMNS, SCALAR_SHIFTED, VECTOR_SHIFTED;

    boolean handles(Conv2d g) {
      return !(this == SCALAR_SHIFTED || this == VECTOR_SHIFTED) || ConvShifted.applies(g);
    }
  }

  static Stream<Way> ways() {
    return Stream.of(Way.values());
  }

  static ConvProducts products(Way way) {
    return way == Way.VECTOR_COLUMNS || way == Way.VECTOR_SHIFTED ? ConvProducts.Chosen.lookup("vector") : new ScalarConvProducts();
  }

  @Test
  void theVectorProductsAreUnderTest() {
    assertEquals("PanamaConvProducts", ConvProducts.Chosen.lookup("vector").getClass().getSimpleName());
    assertEquals("PanamaConvProducts", ConvProducts.get().getClass().getSimpleName());
  }

  static void forward(Way way, Conv2d g, Workspace work, float[] k, float[] bias, float[] x, int xOffset,
      int xStride, int lo, int hi, float[] y, int yOffset, int yStride) {
    switch (way) {
      case PUBLIC_API -> g.forward(work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
      case SCALAR_COLUMNS, VECTOR_COLUMNS -> ConvColumnsFloat.forward(g, products(way), work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
      default -> ConvShiftedFloat.forward(g, products(way), work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
    }
  }

  static void forward(Way way, Conv2d g, Workspace work, double[] k, double[] bias, double[] x, int xOffset,
      int xStride, int lo, int hi, double[] y, int yOffset, int yStride) {
    switch (way) {
      case PUBLIC_API -> g.forward(work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
      case SCALAR_COLUMNS, VECTOR_COLUMNS -> ConvColumnsDouble.forward(g, products(way), work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
      default -> ConvShiftedDouble.forward(g, products(way), work, k, bias, x, xOffset, xStride, lo, hi, y, yOffset, yStride);
    }
  }

  static void inputGradient(Way way, Conv2d g, Workspace work, float[] k, float[] dy, int dyOffset, int dyStride,
      int lo, int hi, float[] dx, int dxOffset, int dxStride) {
    switch (way) {
      case PUBLIC_API -> g.inputGradient(work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset, dxStride);
      case SCALAR_COLUMNS, VECTOR_COLUMNS -> ConvColumnsFloat.inputGradient(g, products(way), work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset,
          dxStride);
      default -> ConvShiftedFloat.inputGradient(g, products(way), work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset,
          dxStride);
    }
  }

  static void inputGradient(Way way, Conv2d g, Workspace work, double[] k, double[] dy, int dyOffset, int dyStride,
      int lo, int hi, double[] dx, int dxOffset, int dxStride) {
    switch (way) {
      case PUBLIC_API -> g.inputGradient(work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset, dxStride);
      case SCALAR_COLUMNS, VECTOR_COLUMNS -> ConvColumnsDouble.inputGradient(g, products(way), work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset,
          dxStride);
      default -> ConvShiftedDouble.inputGradient(g, products(way), work, k, dy, dyOffset, dyStride, lo, hi, dx, dxOffset,
          dxStride);
    }
  }

  static void kernelGradient(Way way, Conv2d g, Workspace work, float[] dk, float[] dbias, float[] x, int xOffset,
      int xStride, float[] dy, int dyOffset, int dyStride, int lo, int hi, float scale) {
    switch (way) {
      case PUBLIC_API -> g.kernelGradient(work, dk, dbias, x, xOffset, xStride, dy, dyOffset, dyStride, lo, hi, scale);
      case SCALAR_COLUMNS, VECTOR_COLUMNS -> ConvColumnsFloat.kernelGradient(g, products(way), work, dk, dbias, x, xOffset, xStride, dy, dyOffset,
          dyStride, lo, hi, scale);
      default -> ConvShiftedFloat.kernelGradient(g, products(way), work, dk, dbias, x, xOffset, xStride, dy, dyOffset,
          dyStride, lo, hi, scale);
    }
  }

  static void kernelGradient(Way way, Conv2d g, Workspace work, double[] dk, double[] dbias, double[] x, int xOffset,
      int xStride, double[] dy, int dyOffset, int dyStride, int lo, int hi, double scale) {
    switch (way) {
      case PUBLIC_API -> g.kernelGradient(work, dk, dbias, x, xOffset, xStride, dy, dyOffset, dyStride, lo, hi, scale);
      case SCALAR_COLUMNS, VECTOR_COLUMNS -> ConvColumnsDouble.kernelGradient(g, products(way), work, dk, dbias, x, xOffset, xStride, dy, dyOffset,
          dyStride, lo, hi, scale);
      default -> ConvShiftedDouble.kernelGradient(g, products(way), work, dk, dbias, x, xOffset, xStride, dy, dyOffset,
          dyStride, lo, hi, scale);
    }
  }

  static final double FLOAT_EPSILON = Math.ulp(1f);
  static final double DOUBLE_EPSILON = Math.ulp(1.0);

  /** Samples [lo, hi) of values of {@code length}, sample b at {@code b stride + offset}. */
  record Layout(int lo, int hi, int offset, int stride, int length) {
    static Layout of(int lo, int hi, int length, SplittableRandom random) {
      int offset = random.nextInt(4);
      return new Layout(lo, hi, offset, length + offset + random.nextInt(3), length);
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

  static double[] abs(double[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Math.abs(values[i]);
    }
    return out;
  }

  /**
   * Checks a sum of {@code terms} products against its exact value: any order of summation in a
   * precision with unit roundoff {@code epsilon / 2} is within {@code terms · epsilon/2 · Σ|products|}.
   */
  static void near(double expected, double absoluteSum, int terms, double actual, double epsilon, String what) {
    double tolerance = (terms + 2) * epsilon / 2 * absoluteSum + 1e-300;
    if (!(Math.abs(expected - actual) <= tolerance)) {
      fail(what + ": expected " + expected + ", was " + actual + " (tolerance " + tolerance + ")");
    }
  }

  /** x of one sample padded with zeros: xp[c][h + pad][w + pad]. */
  static double[][][] padded(Conv2d g, double[] x, int start) {
    int pad = g.padding();
    double[][][] xp = new double[g.channels()][g.height() + 2 * pad][g.width() + 2 * pad];
    for (int c = 0; c < g.channels(); c++) {
      for (int h = 0; h < g.height(); h++) {
        for (int w = 0; w < g.width(); w++) {
          xp[c][h + pad][w + pad] = x[start + (c * g.height() + h) * g.width() + w];
        }
      }
    }
    return xp;
  }

  static int kernelAt(Conv2d g, int o, int c, int i, int j) {
    return ((o * g.channels() + c) * g.kernelHeight() + i) * g.kernelWidth() + j;
  }

  /** y[b, o, p, q] = bias[o] + Σ_{c,i,j} k[o, c, i, j] xp[b, c, s p + i, s q + j]: the direct 7-nested loop. */
  static double[] referenceForward(Conv2d g, double[] k, double[] bias, double[] x, Layout in) {
    int oh = g.outHeight(), ow = g.outWidth(), s = g.stride();
    double[] y = new double[in.hi * g.outputSize()];
    for (int b = in.lo; b < in.hi; b++) {
      double[][][] xp = padded(g, x, in.at(b, 0));
      for (int o = 0; o < g.outChannels(); o++) {
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            double sum = bias == null ? 0 : bias[o];
            for (int c = 0; c < g.channels(); c++) {
              for (int i = 0; i < g.kernelHeight(); i++) {
                for (int j = 0; j < g.kernelWidth(); j++) {
                  sum += k[kernelAt(g, o, c, i, j)] * xp[c][s * p + i][s * q + j];
                }
              }
            }
            y[b * g.outputSize() + (o * oh + p) * ow + q] = sum;
          }
        }
      }
    }
    return y;
  }

  /**
   * dx[b, c, h, w] = Σ_{o,i,j} k[o, c, i, j] dy[b, o, p, q] over the (p, q) with s p + i = h + pad and
   * s q + j = w + pad: the transposed convolution, gathered at each input position.
   */
  static double[] referenceInputGradient(Conv2d g, double[] k, double[] dy, Layout delta) {
    int oh = g.outHeight(), ow = g.outWidth(), s = g.stride(), pad = g.padding();
    double[] dx = new double[delta.hi * g.inputSize()];
    for (int b = delta.lo; b < delta.hi; b++) {
      for (int c = 0; c < g.channels(); c++) {
        for (int h = 0; h < g.height(); h++) {
          for (int w = 0; w < g.width(); w++) {
            double sum = 0;
            for (int o = 0; o < g.outChannels(); o++) {
              for (int i = 0; i < g.kernelHeight(); i++) {
                for (int j = 0; j < g.kernelWidth(); j++) {
                  int ph = h + pad - i, qw = w + pad - j;
                  if (ph >= 0 && qw >= 0 && ph % s == 0 && qw % s == 0 && ph / s < oh && qw / s < ow) {
                    sum += k[kernelAt(g, o, c, i, j)] * dy[delta.at(b, (o * oh + ph / s) * ow + qw / s)];
                  }
                }
              }
            }
            dx[b * g.inputSize() + (c * g.height() + h) * g.width() + w] = sum;
          }
        }
      }
    }
    return dx;
  }

  /** dk[o, c, i, j] = Σ_b Σ_{p,q} dy[b, o, p, q] xp[b, c, s p + i, s q + j] (unscaled, not accumulated). */
  static double[] referenceKernelGradient(Conv2d g, double[] x, Layout in, double[] dy, Layout delta) {
    int oh = g.outHeight(), ow = g.outWidth(), s = g.stride();
    double[] dk = new double[g.kernelSize()];
    for (int b = in.lo; b < in.hi; b++) {
      double[][][] xp = padded(g, x, in.at(b, 0));
      for (int o = 0; o < g.outChannels(); o++) {
        for (int c = 0; c < g.channels(); c++) {
          for (int i = 0; i < g.kernelHeight(); i++) {
            for (int j = 0; j < g.kernelWidth(); j++) {
              for (int p = 0; p < oh; p++) {
                for (int q = 0; q < ow; q++) {
                  dk[kernelAt(g, o, c, i, j)] += dy[delta.at(b, (o * oh + p) * ow + q)] * xp[c][s * p + i][s * q + j];
                }
              }
            }
          }
        }
      }
    }
    return dk;
  }

  static void untouched(float[] f, double[] d, Layout layout, String what) {
    for (int i = 0; i < f.length; i++) {
      if (!layout.holds(i)) {
        assertTrue(Float.isNaN(f[i]) && Double.isNaN(d[i]), what + " wrote outside its samples at " + i);
      }
    }
  }

  static float[] nanFloats(int size) {
    float[] out = new float[size];
    Arrays.fill(out, Float.NaN);
    return out;
  }

  static double[] nanDoubles(int size) {
    double[] out = new double[size];
    Arrays.fill(out, Double.NaN);
    return out;
  }

  @ParameterizedTest
  @MethodSource("ways")
  void forwardIsTheDirectConvolutionInFloatAndDouble(Way way) {
    SplittableRandom random = new SplittableRandom(11);
    Workspace work = new Workspace();
    for (Conv2d g : GEOMETRIES) {
      if (!way.handles(g)) {
        continue;
      }
      for (int lo : new int[] {0, 2}) {
        int hi = lo + 1 + random.nextInt(4);
        Layout in = Layout.of(lo, hi, g.inputSize(), random);
        Layout out = Layout.of(lo, hi, g.outputSize(), random);
        double[] k = values(g.kernelSize(), random);
        double[] bias = lo == 0 ? values(g.outChannels(), random) : null;
        double[] x = values(in.size(), random);
        float[] yF = nanFloats(out.size());
        double[] yD = nanDoubles(out.size());
        for (int b = lo; b < hi; b++) {
          Arrays.fill(yF, out.at(b, 0), out.at(b, g.outputSize()), 7f);
          Arrays.fill(yD, out.at(b, 0), out.at(b, g.outputSize()), 7);
        }
        forward(way, g, work, floats(k), bias == null ? null : floats(bias), floats(x), in.offset, in.stride, lo, hi, yF,
            out.offset, out.stride);
        forward(way, g, work, k, bias, x, in.offset, in.stride, lo, hi, yD, out.offset, out.stride);
        double[] expected = referenceForward(g, k, bias, x, in);
        double[] bound = referenceForward(g, abs(k), bias == null ? null : abs(bias), abs(x), in);
        int terms = g.channels() * g.kernelHeight() * g.kernelWidth() + 1;
        String what = way + " " + g + " forward over [" + lo + ", " + hi + ")";
        for (int b = lo; b < hi; b++) {
          for (int i = 0; i < g.outputSize(); i++) {
            int at = b * g.outputSize() + i;
            near(expected[at], bound[at], terms, yF[out.at(b, i)], FLOAT_EPSILON, what + " (float) at " + b + ", " + i);
            near(expected[at], bound[at], terms, yD[out.at(b, i)], DOUBLE_EPSILON, what + " (double) at " + b + ", " + i);
          }
        }
        untouched(yF, yD, out, what);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("ways")
  void inputGradientIsTheTransposedConvolution(Way way) {
    SplittableRandom random = new SplittableRandom(12);
    Workspace work = new Workspace();
    for (Conv2d g : GEOMETRIES) {
      if (!way.handles(g)) {
        continue;
      }
      for (int lo : new int[] {0, 3}) {
        int hi = lo + 1 + random.nextInt(4);
        Layout delta = Layout.of(lo, hi, g.outputSize(), random);
        Layout grad = Layout.of(lo, hi, g.inputSize(), random);
        double[] k = values(g.kernelSize(), random);
        double[] dy = values(delta.size(), random);
        float[] dxF = nanFloats(grad.size());
        double[] dxD = nanDoubles(grad.size());
        for (int b = lo; b < hi; b++) {
          Arrays.fill(dxF, grad.at(b, 0), grad.at(b, g.inputSize()), 7f);
          Arrays.fill(dxD, grad.at(b, 0), grad.at(b, g.inputSize()), 7);
        }
        inputGradient(way, g, work, floats(k), floats(dy), delta.offset, delta.stride, lo, hi, dxF, grad.offset, grad.stride);
        inputGradient(way, g, work, k, dy, delta.offset, delta.stride, lo, hi, dxD, grad.offset, grad.stride);
        double[] expected = referenceInputGradient(g, k, dy, delta);
        double[] bound = referenceInputGradient(g, abs(k), abs(dy), delta);
        int terms = g.outChannels() * g.kernelHeight() * g.kernelWidth();
        String what = way + " " + g + " inputGradient over [" + lo + ", " + hi + ")";
        for (int b = lo; b < hi; b++) {
          for (int i = 0; i < g.inputSize(); i++) {
            int at = b * g.inputSize() + i;
            near(expected[at], bound[at], terms, dxF[grad.at(b, i)], FLOAT_EPSILON, what + " (float) at " + b + ", " + i);
            near(expected[at], bound[at], terms, dxD[grad.at(b, i)], DOUBLE_EPSILON, what + " (double) at " + b + ", " + i);
          }
        }
        untouched(dxF, dxD, grad, what);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("ways")
  void kernelGradientAddsTheScaledCorrelationAndTheBiasSums(Way way) {
    SplittableRandom random = new SplittableRandom(13);
    Workspace work = new Workspace();
    for (Conv2d g : GEOMETRIES) {
      if (!way.handles(g)) {
        continue;
      }
      for (int lo : new int[] {0, 1}) {
        int hi = lo + 1 + random.nextInt(5);
        Layout in = Layout.of(lo, hi, g.inputSize(), random);
        Layout delta = Layout.of(lo, hi, g.outputSize(), random);
        double[] x = values(in.size(), random);
        double[] dy = values(delta.size(), random);
        double[] dk = values(g.kernelSize(), random);
        double[] dbias = lo == 0 ? values(g.outChannels(), random) : null;
        double scale = 1.0 / (hi - lo);
        float[] dkF = floats(dk);
        double[] dkD = dk.clone();
        float[] dbiasF = dbias == null ? null : floats(dbias);
        double[] dbiasD = dbias == null ? null : dbias.clone();
        kernelGradient(way, g, work, dkF, dbiasF, floats(x), in.offset, in.stride, floats(dy), delta.offset, delta.stride,
            lo, hi, (float) scale);
        kernelGradient(way, g, work, dkD, dbiasD, x, in.offset, in.stride, dy, delta.offset, delta.stride, lo, hi, scale);
        double[] sums = referenceKernelGradient(g, x, in, dy, delta);
        double[] bound = referenceKernelGradient(g, abs(x), in, abs(dy), delta);
        int terms = (hi - lo) * g.outHeight() * g.outWidth() + 2;
        String what = way + " " + g + " kernelGradient over [" + lo + ", " + hi + ")";
        for (int i = 0; i < g.kernelSize(); i++) {
          double expected = dk[i] + scale * sums[i];
          double abs = Math.abs(dk[i]) + scale * bound[i];
          near(expected, abs, terms, dkF[i], FLOAT_EPSILON, what + " (float) at " + i);
          near(expected, abs, terms, dkD[i], DOUBLE_EPSILON, what + " (double) at " + i);
        }
        if (dbias != null) {
          int perChannel = g.outHeight() * g.outWidth();
          for (int o = 0; o < g.outChannels(); o++) {
            double sum = 0, abs = 0;
            for (int b = lo; b < hi; b++) {
              for (int pq = 0; pq < perChannel; pq++) {
                double v = dy[delta.at(b, o * perChannel + pq)];
                sum += v;
                abs += Math.abs(v);
              }
            }
            int biasTerms = (hi - lo) * perChannel + 2;
            near(dbias[o] + scale * sum, Math.abs(dbias[o]) + scale * abs, biasTerms, dbiasF[o], FLOAT_EPSILON,
                what + " bias (float) at " + o);
            near(dbias[o] + scale * sum, Math.abs(dbias[o]) + scale * abs, biasTerms, dbiasD[o], DOUBLE_EPSILON,
                what + " bias (double) at " + o);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("ways")
  void kernelGradientAccumulatesOverCalls(Way way) {
    Conv2d g = new Conv2d(2, 6, 6, 3, 3, 3, 1, 1);
    SplittableRandom random = new SplittableRandom(14);
    Workspace work = new Workspace();
    Layout in = new Layout(0, 4, 0, g.inputSize(), g.inputSize());
    Layout delta = new Layout(0, 4, 0, g.outputSize(), g.outputSize());
    double[] x = values(in.size(), random);
    double[] dy = values(delta.size(), random);
    double[] whole = new double[g.kernelSize()];
    double[] wholeBias = new double[g.outChannels()];
    kernelGradient(way, g, work, whole, wholeBias, x, 0, in.stride, dy, 0, delta.stride, 0, 4, 0.5);
    double[] halves = new double[g.kernelSize()];
    double[] halvesBias = new double[g.outChannels()];
    kernelGradient(way, g, work, halves, halvesBias, x, 0, in.stride, dy, 0, delta.stride, 0, 1, 0.5);
    kernelGradient(way, g, work, halves, halvesBias, x, 0, in.stride, dy, 0, delta.stride, 1, 4, 0.5);
    for (int i = 0; i < whole.length; i++) {
      assertEquals(whole[i], halves[i], 1e-12, "kernel value " + i);
    }
    for (int o = 0; o < wholeBias.length; o++) {
      assertEquals(wholeBias[o], halvesBias[o], 1e-12, "bias " + o);
    }
    assertTrue(Arrays.stream(whole).anyMatch(v -> v != 0), "the gradient is not all zeros");
  }

  /** L = Σ r ⊙ conv(k, x): ∂L/∂x = inputGradient(r) and ∂L/∂k = kernelGradient(x, r), checked by central differences. */
  @ParameterizedTest
  @MethodSource("ways")
  void gradientsAgreeWithFiniteDifferencesOfTheForwardPass(Way way) {
    SplittableRandom random = new SplittableRandom(15);
    Workspace work = new Workspace();
    for (Conv2d g : List.of(new Conv2d(2, 5, 6, 3, 3, 3, 2, 1), new Conv2d(3, 4, 4, 2, 2, 3, 1, 2),
        new Conv2d(1, 7, 7, 2, 3, 3, 3, 0), new Conv2d(2, 6, 5, 3, 3, 3, 1, 1),
        new Conv2d(1, 6, 6, 12, 3, 3, 1, 1))) {
      if (!way.handles(g)) {
        continue;
      }
      int n = 2;
      double[] k = values(g.kernelSize(), random);
      double[] bias = values(g.outChannels(), random);
      double[] x = values(n * g.inputSize(), random);
      double[] r = values(n * g.outputSize(), random);
      double[] dx = new double[x.length];
      inputGradient(way, g, work, k, r, 0, g.outputSize(), 0, n, dx, 0, g.inputSize());
      double[] dk = new double[k.length];
      double[] dbias = new double[bias.length];
      kernelGradient(way, g, work, dk, dbias, x, 0, g.inputSize(), r, 0, g.outputSize(), 0, n, 1.0);
      double h = 1e-6;
      for (int i = 0; i < x.length; i++) {
        double numeric = centralDifference(way, g, work, k, bias, x, x, i, h, r, n);
        assertEquals(numeric, dx[i], 1e-7, g + " ∂L/∂x at " + i);
      }
      for (int i = 0; i < k.length; i++) {
        double numeric = centralDifference(way, g, work, k, bias, x, k, i, h, r, n);
        assertEquals(numeric, dk[i], 1e-7, g + " ∂L/∂k at " + i);
      }
      for (int o = 0; o < bias.length; o++) {
        double numeric = centralDifference(way, g, work, k, bias, x, bias, o, h, r, n);
        assertEquals(numeric, dbias[o], 1e-7, g + " ∂L/∂bias at " + o);
      }
    }
  }

  private static double centralDifference(Way way, Conv2d g, Workspace work, double[] k, double[] bias, double[] x,
      double[] moved, int index, double h, double[] r, int n) {
    double saved = moved[index];
    moved[index] = saved + h;
    double up = weightedOutput(way, g, work, k, bias, x, r, n);
    moved[index] = saved - h;
    double down = weightedOutput(way, g, work, k, bias, x, r, n);
    moved[index] = saved;
    return (up - down) / (2 * h);
  }

  private static double weightedOutput(Way way, Conv2d g, Workspace work, double[] k, double[] bias, double[] x, double[] r,
      int n) {
    double[] y = new double[n * g.outputSize()];
    forward(way, g, work, k, bias, x, 0, g.inputSize(), 0, n, y, 0, g.outputSize());
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum += r[i] * y[i];
    }
    return sum;
  }

  @Test
  void theGeometryIsPyTorchs() {
    Conv2d g = new Conv2d(1, 28, 28, 32, 3, 3, 1, 1);
    assertEquals(28, g.outHeight());
    assertEquals(28, g.outWidth());
    assertEquals(784, g.inputSize());
    assertEquals(32 * 784, g.outputSize());
    assertEquals(288, g.kernelSize());
    Conv2d strided = new Conv2d(3, 10, 9, 4, 3, 2, 3, 1);
    assertEquals(4, strided.outHeight());
    assertEquals(4, strided.outWidth());
  }

  @Test
  void aGeometryThatCannotBeIsRefusedSayingWhy() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 4, 4, 1, 5, 3, 1, 0)).getMessage()
        .contains("does not fit"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 4, 4, 1, 3, 3, 0, 0)).getMessage()
        .contains("stride"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 4, 4, 1, 3, 3, 1, -1)).getMessage()
        .contains("padding"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 4, 4, 1, 3, 3, 1, 0)).getMessage()
        .contains("channels"));
  }
}
