package dev.nabla.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The activation kernels called directly, both implementations, at every size of {@link KernelsTest#SIZES} (the
 * vector kernels' whole vectors and the values past them), from offsets past 0: each value within 2 ulps of the
 * function taken in double, the saturated and special values exact, nothing written outside the run.
 */
class ActivationsTest {
  /** Inputs around where each function bends and where it saturates, the signed zeros, infinities and NaN among them. */
  static double[] inputs(int size, SplittableRandom random) {
    double[] specials = {0.0, -0.0, 1e-8, -1e-8, 20, -20, 100, -100, 1000, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.NaN};
    double[] values = new double[size];
    for (int i = 0; i < size; i++) {
      values[i] = random.nextInt(8) == 0 ? specials[random.nextInt(specials.length)] : (float) (random.nextGaussian() * 3);
    }
    return values;
  }

  interface Kernel {
    void apply(KernelSupport kernels, float[] x, int xFrom, float[] y, int yFrom, int length);
  }

  interface DoubleKernel {
    void apply(KernelSupport kernels, double[] x, int xFrom, double[] y, int yFrom, int length);
  }

  static void check(KernelSupport kernels, String name, Kernel floatKernel, DoubleKernel doubleKernel,
      java.util.function.DoubleUnaryOperator function) {
    SplittableRandom random = new SplittableRandom(name.hashCode());
    for (int size : KernelsTest.SIZES) {
      int xFrom = random.nextInt(3);
      int yFrom = random.nextInt(3);
      double[] x = inputs(xFrom + size + 2, random);
      float[] xF = KernelsTest.floats(x);
      float[] yF = new float[yFrom + size + 2];
      double[] yD = new double[yFrom + size + 2];
      Arrays.fill(yF, 7f);
      Arrays.fill(yD, 7.0);
      floatKernel.apply(kernels, xF, xFrom, yF, yFrom, size);
      doubleKernel.apply(kernels, x, xFrom, yD, yFrom, size);
      String what = kernels.name() + " " + name + " of " + size + " values";
      for (int i = 0; i < yF.length; i++) {
        if (i < yFrom || i >= yFrom + size) {
          assertEquals(7f, yF[i], what + " (float) wrote element " + i + ", outside the run");
          assertEquals(7.0, yD[i], what + " (double) wrote element " + i + ", outside the run");
          continue;
        }
        double input = x[xFrom + i - yFrom];
        near(function.applyAsDouble(xF[xFrom + i - yFrom]), yF[i], Math.ulp(1f), what + " (float) at " + input);
        near(function.applyAsDouble(input), yD[i], Math.ulp(1.0), what + " (double) at " + input);
      }
    }
  }

  /**
   * Within 2 ulps of the value at the precision whose epsilon is {@code epsilon}, or, for a value below that
   * precision's normal range (sigmoid(−100) is 3.7e-44, a subnormal float whose exp(100) overflows), within that
   * range of it; NaN for NaN.
   */
  static void near(double expected, double actual, double epsilon, String what) {
    if (Double.isNaN(expected)) {
      if (!Double.isNaN(actual)) {
        fail(what + ": expected NaN, was " + actual);
      }
      return;
    }
    double tolerance = Math.max(2 * epsilon * Math.abs(expected), epsilon == Math.ulp(1f) ? Float.MIN_NORMAL : Double.MIN_NORMAL);
    if (!(Math.abs(expected - actual) <= tolerance)) {
      fail(what + ": expected " + expected + ", was " + actual + " (tolerance " + tolerance + ")");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.nabla.runtime.kernels.KernelsTest#implementations")
  void tanhIsWithinTwoUlpsOfTheDoubleFunction(KernelSupport kernels) {
    check(kernels, "tanh", KernelSupport::tanh, KernelSupport::tanh, Math::tanh);
  }

  @ParameterizedTest
  @MethodSource("dev.nabla.runtime.kernels.KernelsTest#implementations")
  void sigmoidIsWithinTwoUlpsOfTheDoubleFunction(KernelSupport kernels) {
    check(kernels, "sigmoid", KernelSupport::sigmoid, KernelSupport::sigmoid, v -> 1 / (1 + Math.exp(-v)));
  }

  /**
   * The same bits before and after the JIT compiles the kernel: a model's outputs must not depend on how warm the
   * JVM is. The Vector API's SVML tanh, which these kernels used, differed in 3 of 32,000 values once C2 had
   * compiled it, and two runs with one seed then trained different weights.
   */
  @ParameterizedTest
  @MethodSource("dev.nabla.runtime.kernels.KernelsTest#implementations")
  void theResultsDoNotChangeOnceTheJitHasCompiledTheKernels(KernelSupport kernels) {
    SplittableRandom random = new SplittableRandom(17);
    float[] x = new float[32_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextGaussian() * 3);
    }
    float[] coldTanh = new float[x.length];
    float[] coldSigmoid = new float[x.length];
    kernels.tanh(x, 0, coldTanh, 0, x.length);
    kernels.sigmoid(x, 0, coldSigmoid, 0, x.length);
    float[] warm = new float[x.length];
    for (int round = 0; round < 300; round++) {
      kernels.tanh(x, 0, warm, 0, x.length);
      kernels.sigmoid(x, 0, warm, 0, x.length);
    }
    kernels.tanh(x, 0, warm, 0, x.length);
    assertArrayEquals(coldTanh, warm, kernels.name() + " tanh");
    kernels.sigmoid(x, 0, warm, 0, x.length);
    assertArrayEquals(coldSigmoid, warm, kernels.name() + " sigmoid");
  }

  @Test
  void anActivationMayWriteOverItsInput() {
    float[] values = {-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    float[] expected = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      expected[i] = (float) Math.tanh(values[i]);
    }
    Activations.tanh(values, 0, values, 0, values.length);
    for (int i = 0; i < values.length; i++) {
      assertEquals(expected[i], values[i], 2 * Math.ulp(expected[i]), "element " + i);
    }
  }

  @Test
  void thePlainJavaFloatTanhIsMathTanhRoundedToFloat() {
    for (int bits = 0; bits <= 0x7fc00000; bits += 9973) {
      for (int sign = 0; sign < 2; sign++) {
        float v = Float.intBitsToFloat(bits | (sign << 31));
        float expected = (float) Math.tanh(v);
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(ScalarKernels.tanh(v)), "tanh(" + v + ")");
      }
    }
    for (float v : new float[] {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 0.01f, -0.01f, Math.nextDown(0.01f), 9.01f,
        Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
      assertEquals(Float.floatToIntBits((float) Math.tanh(v)), Float.floatToIntBits(ScalarKernels.tanh(v)), "tanh(" + v + ")");
    }
  }
}
