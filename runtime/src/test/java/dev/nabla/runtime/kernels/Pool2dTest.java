package dev.nabla.runtime.kernels;

import static dev.nabla.runtime.kernels.Conv2dTest.floats;
import static dev.nabla.runtime.kernels.Conv2dTest.nanDoubles;
import static dev.nabla.runtime.kernels.Conv2dTest.nanFloats;
import static dev.nabla.runtime.kernels.Conv2dTest.untouched;
import static dev.nabla.runtime.kernels.Conv2dTest.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.kernels.Conv2dTest.Layout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Max and average pooling called directly: windows that tile, overlap and leave a remainder; ties; NaN. */
class Pool2dTest {
  static final List<Pool2d> GEOMETRIES = List.of(
      new Pool2d(1, 4, 4, 2, 2),
      new Pool2d(3, 6, 6, 3, 3),
      new Pool2d(2, 7, 7, 3, 2),
      new Pool2d(2, 5, 7, 2, 1),
      new Pool2d(4, 5, 5, 5, 1),
      new Pool2d(1, 3, 3, 1, 1),
      new Pool2d(3, 9, 8, 3, 3),
      new Pool2d(2, 7, 5, 2, 2),
      new Pool2d(32, 28, 28, 2, 2));

  /** The window (p, q) of channel c: its input indices, row-major. */
  static int[] window(Pool2d g, int c, int p, int q) {
    int[] at = new int[g.window() * g.window()];
    for (int i = 0; i < g.window(); i++) {
      for (int j = 0; j < g.window(); j++) {
        at[i * g.window() + j] = (c * g.height() + p * g.stride() + i) * g.width() + q * g.stride() + j;
      }
    }
    return at;
  }

  @Test
  void maxPoolingTakesEachWindowsMaxAndRoutesTheGradientToIt() {
    SplittableRandom random = new SplittableRandom(21);
    for (Pool2d g : GEOMETRIES) {
      int lo = random.nextInt(3), hi = lo + 1 + random.nextInt(3);
      Layout in = Layout.of(lo, hi, g.inputSize(), random);
      Layout out = Layout.of(lo, hi, g.outputSize(), random);
      double[] x = values(in.size(), random);
      float[] yF = nanFloats(out.size());
      double[] yD = nanDoubles(out.size());
      int[] argF = new int[hi * g.outputSize()];
      int[] argD = new int[hi * g.outputSize()];
      g.maxForward(floats(x), in.offset(), in.stride(), lo, hi, yF, out.offset(), out.stride(), argF);
      g.maxForward(x, in.offset(), in.stride(), lo, hi, yD, out.offset(), out.stride(), argD);
      double[] expectedDx = new double[hi * g.inputSize()];
      double[] dy = values(out.size(), random);
      for (int b = lo; b < hi; b++) {
        for (int c = 0; c < g.channels(); c++) {
          for (int p = 0; p < g.outHeight(); p++) {
            for (int q = 0; q < g.outWidth(); q++) {
              int best = -1;
              for (int at : window(g, c, p, q)) {
                if (best < 0 || x[in.at(b, at)] > x[in.at(b, best)]) {
                  best = at;
                }
              }
              int o = (c * g.outHeight() + p) * g.outWidth() + q;
              assertEquals(x[in.at(b, best)], yD[out.at(b, o)], g + " max at " + b + ", " + o);
              assertEquals((float) x[in.at(b, best)], yF[out.at(b, o)], g + " max (float) at " + b + ", " + o);
              assertEquals(best, argD[b * g.outputSize() + o], g + " argmax at " + b + ", " + o);
              assertEquals(best, argF[b * g.outputSize() + o], g + " argmax (float) at " + b + ", " + o);
              expectedDx[b * g.inputSize() + best] += dy[out.at(b, o)];
            }
          }
        }
      }
      untouched(yF, yD, out, g + " maxForward");
      Layout grad = Layout.of(lo, hi, g.inputSize(), random);
      float[] dxF = nanFloats(grad.size());
      double[] dxD = nanDoubles(grad.size());
      g.maxGradient(floats(dy), out.offset(), out.stride(), argF, lo, hi, dxF, grad.offset(), grad.stride());
      g.maxGradient(dy, out.offset(), out.stride(), argD, lo, hi, dxD, grad.offset(), grad.stride());
      for (int b = lo; b < hi; b++) {
        for (int i = 0; i < g.inputSize(); i++) {
          double expected = expectedDx[b * g.inputSize() + i];
          assertEquals(expected, dxD[grad.at(b, i)], 1e-15, g + " maxGradient at " + b + ", " + i);
          assertEquals(expected, dxF[grad.at(b, i)], 4e-7, g + " maxGradient (float) at " + b + ", " + i);
        }
      }
      untouched(dxF, dxD, grad, g + " maxGradient");
    }
  }

  @Test
  void aTieGoesToTheFirstMaxInRowMajorOrderAsInPyTorch() {
    Pool2d g = new Pool2d(1, 4, 4, 2, 2);
    double[] x = {
        1, 3, 2, 2,
        3, 0, 2, 2,
        0, 0, 5, 1,
        0, 0, 0, 5};
    double[] y = new double[4];
    int[] argmax = new int[4];
    g.maxForward(x, 0, 16, 0, 1, y, 0, 4, argmax);
    assertArrayEquals(new double[] {3, 2, 0, 5}, y);
    assertArrayEquals(new int[] {1, 2, 8, 10}, argmax);
    int[] argmaxF = new int[4];
    g.maxForward(floats(x), 0, 16, 0, 1, new float[4], 0, 4, argmaxF);
    assertArrayEquals(argmax, argmaxF);
  }

  @Test
  void tiesAndNansInAnyWindowAreHandledAsInTheTwoByTwoOne() {
    Pool2d g = new Pool2d(1, 3, 3, 3, 3);
    double[] y = new double[1];
    int[] argmax = new int[1];
    g.maxForward(new double[] {1, 4, 2, 4, 0, 4, 3, 3, 4}, 0, 9, 0, 1, y, 0, 1, argmax);
    assertEquals(4, y[0]);
    assertEquals(1, argmax[0]);
    float[] yF = new float[1];
    g.maxForward(new float[] {1, 4, 2, 4, Float.NaN, 4, Float.NaN, 3, 4}, 0, 9, 0, 1, yF, 0, 1, argmax);
    assertTrue(Float.isNaN(yF[0]));
    assertEquals(4, argmax[0]);
  }

  @Test
  void overlappingWindowsSharingAMaxSumTheirGradients() {
    Pool2d g = new Pool2d(1, 3, 3, 2, 1);
    double[] x = {
        0, 0, 0,
        0, 9, 0,
        0, 0, 0};
    double[] y = new double[4];
    int[] argmax = new int[4];
    g.maxForward(x, 0, 9, 0, 1, y, 0, 4, argmax);
    assertArrayEquals(new int[] {4, 4, 4, 4}, argmax);
    double[] dx = new double[9];
    g.maxGradient(new double[] {1, 2, 3, 4}, 0, 4, argmax, 0, 1, dx, 0, 9);
    assertArrayEquals(new double[] {0, 0, 0, 0, 10, 0, 0, 0, 0}, dx);
  }

  @Test
  void aNanInAWindowIsItsMaxSoThatItIsNotHidden() {
    Pool2d g = new Pool2d(1, 2, 4, 2, 2);
    double[] x = {1, Double.NaN, 5, 6, 2, 3, 7, 8};
    double[] y = new double[2];
    int[] argmax = new int[2];
    g.maxForward(x, 0, 8, 0, 1, y, 0, 2, argmax);
    assertTrue(Double.isNaN(y[0]));
    assertEquals(1, argmax[0]);
    assertEquals(8, y[1]);
    float[] yF = new float[2];
    g.maxForward(floats(x), 0, 8, 0, 1, yF, 0, 2, argmax);
    assertTrue(Float.isNaN(yF[0]));
  }

  @Test
  void averagePoolingIsEachWindowsMeanAndSpreadsTheGradientOverIt() {
    SplittableRandom random = new SplittableRandom(22);
    for (Pool2d g : GEOMETRIES) {
      int lo = random.nextInt(3), hi = lo + 1 + random.nextInt(3);
      Layout in = Layout.of(lo, hi, g.inputSize(), random);
      Layout out = Layout.of(lo, hi, g.outputSize(), random);
      double[] x = values(in.size(), random);
      double[] dy = values(out.size(), random);
      float[] yF = nanFloats(out.size());
      double[] yD = nanDoubles(out.size());
      g.averageForward(floats(x), in.offset(), in.stride(), lo, hi, yF, out.offset(), out.stride());
      g.averageForward(x, in.offset(), in.stride(), lo, hi, yD, out.offset(), out.stride());
      Layout grad = Layout.of(lo, hi, g.inputSize(), random);
      float[] dxF = nanFloats(grad.size());
      double[] dxD = nanDoubles(grad.size());
      g.averageGradient(floats(dy), out.offset(), out.stride(), lo, hi, dxF, grad.offset(), grad.stride());
      g.averageGradient(dy, out.offset(), out.stride(), lo, hi, dxD, grad.offset(), grad.stride());
      double area = g.window() * g.window();
      double[] expectedDx = new double[hi * g.inputSize()];
      for (int b = lo; b < hi; b++) {
        for (int c = 0; c < g.channels(); c++) {
          for (int p = 0; p < g.outHeight(); p++) {
            for (int q = 0; q < g.outWidth(); q++) {
              int o = (c * g.outHeight() + p) * g.outWidth() + q;
              double sum = 0;
              for (int at : window(g, c, p, q)) {
                sum += x[in.at(b, at)];
                expectedDx[b * g.inputSize() + at] += dy[out.at(b, o)] / area;
              }
              assertEquals(sum / area, yD[out.at(b, o)], 1e-15 * area, g + " mean at " + b + ", " + o);
              assertEquals(sum / area, yF[out.at(b, o)], 1e-6 * area, g + " mean (float) at " + b + ", " + o);
            }
          }
        }
        for (int i = 0; i < g.inputSize(); i++) {
          double expected = expectedDx[b * g.inputSize() + i];
          assertEquals(expected, dxD[grad.at(b, i)], 1e-15 * area, g + " averageGradient at " + b + ", " + i);
          assertEquals(expected, dxF[grad.at(b, i)], 1e-6 * area, g + " averageGradient (float) at " + b + ", " + i);
        }
      }
      untouched(yF, yD, out, g + " averageForward");
      untouched(dxF, dxD, grad, g + " averageGradient");
    }
  }

  @Test
  void theGeometryIsPyTorchsAndAWindowThatDoesNotFitIsRefused() {
    Pool2d g = new Pool2d(64, 14, 14, 2, 2);
    assertEquals(7, g.outHeight());
    assertEquals(64 * 49, g.outputSize());
    assertEquals(64 * 196, g.inputSize());
    assertEquals(3, new Pool2d(1, 7, 7, 3, 2).outWidth());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Pool2d(1, 3, 3, 4, 1)).getMessage()
        .contains("does not fit"));
    assertThrows(IllegalArgumentException.class, () -> new Pool2d(1, 3, 3, 2, 0));
  }
}
