package dev.nabla.runtime.kernels;

import static dev.nabla.runtime.kernels.Conv2dTest.floats;
import static dev.nabla.runtime.kernels.Conv2dTest.near;
import static dev.nabla.runtime.kernels.Conv2dTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolutions' matrix product called directly, both implementations: sizes that hit every tile
 * (4 rows × 3 vectors, 4 × 1, one row) and remainder (the masked last vector, a product narrower than
 * a vector), depths across the blocks of 128, offsets and row strides wider than the rows, overwriting
 * and accumulating; every value outside the product checked untouched.
 */
class ConvProductsTest {
  static final int[] ROWS = {1, 3, 4, 5, 9, 64};
  static final int[] COLUMNS = {1, 3, 7, 8, 9, 16, 23, 24, 25, 47, 49, 64, 196};
  static final int[] DEPTHS = {1, 5, 128, 129, 300};

  static Stream<ConvProducts> implementations() {
    return Stream.of(new ScalarConvProducts(), ConvProducts.Chosen.lookup("vector"));
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void theProductAgreesWithTheSumInEveryShape(ConvProducts products) {
    SplittableRandom random = new SplittableRandom(41);
    int next = 0;
    for (int m : ROWS) {
      for (int n : COLUMNS) {
        int k = DEPTHS[next++ % DEPTHS.length];
        boolean add = next % 2 == 0;
        int aOffset = random.nextInt(3), aStride = k + random.nextInt(3);
        int bOffset = random.nextInt(3), bStride = n + random.nextInt(9);
        int cOffset = random.nextInt(3), cStride = n + random.nextInt(3);
        double[] a = values(aOffset + m * aStride, random);
        double[] b = values(bOffset + k * bStride, random);
        double[] c = values(cOffset + m * cStride + 2, random);
        float[] cF = floats(c);
        double[] cD = c.clone();
        products.multiply(m, n, k, floats(a), aOffset, aStride, floats(b), bOffset, bStride, cF, cOffset, cStride, add);
        products.multiply(m, n, k, a, aOffset, aStride, b, bOffset, bStride, cD, cOffset, cStride, add);
        String what = products.getClass().getSimpleName() + " " + m + "×" + k + " by " + k + "×" + n + (add ? " added" : "");
        for (int at = 0; at < c.length; at++) {
          int i = (at - cOffset) / cStride, j = (at - cOffset) % cStride;
          if (at < cOffset || i >= m || j >= n) {
            assertEquals((float) c[at], cF[at], what + " wrote outside c at " + at);
            assertEquals(c[at], cD[at], what + " wrote outside c at " + at);
            continue;
          }
          double sum = add ? c[at] : 0, abs = Math.abs(sum);
          for (int l = 0; l < k; l++) {
            double term = a[aOffset + i * aStride + l] * b[bOffset + l * bStride + j];
            sum += term;
            abs += Math.abs(term);
          }
          near(sum, abs, k + 1, cF[at], Conv2dTest.FLOAT_EPSILON, what + " (float) at " + i + ", " + j);
          near(sum, abs, k + 1, cD[at], Conv2dTest.DOUBLE_EPSILON, what + " (double) at " + i + ", " + j);
        }
      }
    }
  }
}
