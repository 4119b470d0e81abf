package dev.nabla.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The per-sample row loops a generated class calls ({@link Activations#softmax}, {@link Losses#crossEntropy},
 * {@code addBatchMean} and the rest), in float and in double, on a lane's samples {@code [lo, hi)} of operands read at
 * an offset and stride as a part of the inputs is: each row against the same math in double, the rows of other
 * samples left as they were.
 */
class RowsTest {
  static final int WIDTH = 7;
  static final int OFFSET = 3;
  static final int STRIDE = 11;
  static final int SAMPLES = 6;
  static final int LO = 2;
  static final int HI = 5;
  static final float UNTOUCHED = 42f;

  /** Scores of {@link #SAMPLES} samples at {@link #OFFSET} + b·{@link #STRIDE}; one row of large ones, which exp alone overflows. */
  static double[] scores() {
    SplittableRandom random = new SplittableRandom(7);
    double[] x = new double[OFFSET + SAMPLES * STRIDE];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextGaussian() * 4);
    }
    for (int i = 0; i < WIDTH; i++) {
      x[OFFSET + 3 * STRIDE + i] = 1000 + i;
    }
    return x;
  }

  /** log Σ exp of sample {@code b}'s row, in double. */
  static double logSumExp(double[] x, int b) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < WIDTH; i++) {
      max = Math.max(max, x[OFFSET + b * STRIDE + i]);
    }
    double sum = 0;
    for (int i = 0; i < WIDTH; i++) {
      sum += Math.exp(x[OFFSET + b * STRIDE + i] - max);
    }
    return max + Math.log(sum);
  }

  static void near(double expected, double actual, double tolerance, String what) {
    assertTrue(Math.abs(expected - actual) <= tolerance * Math.max(1, Math.abs(expected)),
        what + ": expected " + expected + ", was " + actual);
  }

  @Test
  void softmaxAndLogSoftmaxOfTheLanesRowsOnly() {
    double[] x = scores();
    float[] y = new float[SAMPLES * WIDTH];
    float[] logY = new float[SAMPLES * WIDTH];
    double[] yD = new double[SAMPLES * WIDTH];
    double[] logYD = new double[SAMPLES * WIDTH];
    Arrays.fill(y, UNTOUCHED);
    Arrays.fill(logY, UNTOUCHED);
    Arrays.fill(yD, UNTOUCHED);
    Arrays.fill(logYD, UNTOUCHED);
    Activations.softmax(KernelsTest.floats(x), OFFSET, STRIDE, y, WIDTH, LO, HI);
    Activations.logSoftmax(KernelsTest.floats(x), OFFSET, STRIDE, logY, WIDTH, LO, HI);
    Activations.softmax(x, OFFSET, STRIDE, yD, WIDTH, LO, HI);
    Activations.logSoftmax(x, OFFSET, STRIDE, logYD, WIDTH, LO, HI);
    for (int b = 0; b < SAMPLES; b++) {
      double rowSum = 0;
      for (int i = 0; i < WIDTH; i++) {
        int at = b * WIDTH + i;
        if (b < LO || b >= HI) {
          assertEquals(UNTOUCHED, y[at], "softmax wrote sample " + b + ", outside the lane");
          assertEquals(UNTOUCHED, logY[at], "log-softmax wrote sample " + b + ", outside the lane");
          assertEquals(UNTOUCHED, yD[at], "softmax (double) wrote sample " + b);
          assertEquals(UNTOUCHED, logYD[at], "log-softmax (double) wrote sample " + b);
          continue;
        }
        double logP = x[OFFSET + b * STRIDE + i] - logSumExp(x, b);
        near(Math.exp(logP), y[at], 1e-6, "softmax of sample " + b + " at " + i);
        near(logP, logY[at], 1e-6, "log-softmax of sample " + b + " at " + i);
        near(Math.exp(logP), yD[at], 1e-12, "softmax (double) of sample " + b + " at " + i);
        near(logP, logYD[at], 1e-12, "log-softmax (double) of sample " + b + " at " + i);
        rowSum += y[at];
      }
      if (b >= LO && b < HI) {
        near(1, rowSum, 1e-6, "the softmax of sample " + b + " sums to");
      }
    }
  }

  @Test
  void crossEntropyIsTheLogSumExpLessTheLabelsScore() {
    double[] x = scores();
    int[] labels = {6, 0, 4, 6, 1, 2};
    float[] loss = new float[SAMPLES];
    double[] lossD = new double[SAMPLES];
    Arrays.fill(loss, UNTOUCHED);
    Arrays.fill(lossD, UNTOUCHED);
    Losses.crossEntropy(KernelsTest.floats(x), OFFSET, STRIDE, WIDTH, labels, loss, LO, HI);
    Losses.crossEntropy(x, OFFSET, STRIDE, WIDTH, labels, lossD, LO, HI);
    for (int b = 0; b < SAMPLES; b++) {
      if (b < LO || b >= HI) {
        assertEquals(UNTOUCHED, loss[b], "the loss of sample " + b + ", outside the lane");
        assertEquals(UNTOUCHED, lossD[b], "the loss (double) of sample " + b + ", outside the lane");
        continue;
      }
      double expected = logSumExp(x, b) - x[OFFSET + b * STRIDE + labels[b]];
      assertTrue(Float.isFinite(loss[b]), "sample " + b + "'s loss is finite, the large scores too: " + loss[b]);
      near(expected, loss[b], 1e-5, "the loss of sample " + b);
      near(expected, lossD[b], 1e-13, "the loss (double) of sample " + b);
    }
  }

  @Test
  void oneHotRowsOfTheLanesLabels() {
    int[] labels = {1, 2, 0, 3, 1, 2};
    float[] t = new float[SAMPLES * 4];
    double[] tD = new double[SAMPLES * 4];
    Arrays.fill(t, UNTOUCHED);
    Arrays.fill(tD, UNTOUCHED);
    Losses.oneHot(labels, LO, HI, t, 4);
    Losses.oneHot(labels, LO, HI, tD, 4);
    for (int b = 0; b < SAMPLES; b++) {
      for (int i = 0; i < 4; i++) {
        float expected = b < LO || b >= HI ? UNTOUCHED : labels[b] == i ? 1 : 0;
        assertEquals(expected, t[b * 4 + i], "sample " + b + " class " + i);
        assertEquals(expected, tD[b * 4 + i], "sample " + b + " class " + i + " (double)");
      }
    }
  }

  @Test
  void addBatchMeanAddsTheScaledRowsOfTheLane() {
    double[] d = scores();
    float[] g = {1, 2, 3, 4, 5, 6, 7};
    double[] gD = {1, 2, 3, 4, 5, 6, 7};
    RowsFloat.addBatchMean(g, WIDTH - 1, KernelsTest.floats(d), OFFSET, STRIDE, LO, HI, 0.25f);
    RowsDouble.addBatchMean(gD, WIDTH - 1, d, OFFSET, STRIDE, LO, HI, 0.25);
    for (int i = 0; i < WIDTH; i++) {
      double expected = i + 1;
      for (int b = LO; b < HI && i < WIDTH - 1; b++) {
        expected += 0.25 * d[OFFSET + b * STRIDE + i];
      }
      near(expected, g[i], 1e-6, "gradient element " + i);
      near(expected, gD[i], 1e-14, "gradient element " + i + " (double)");
    }
  }

  @Test
  void reluKeepsThePositivesAndNaN() {
    float[] x = {-1, 2, -0f, 0, Float.NaN, Float.NEGATIVE_INFINITY, 3};
    float[] y = new float[x.length + 2];
    Arrays.fill(y, UNTOUCHED);
    Activations.relu(x, 1, y, 2, 5);
    assertArrayEquals(new float[] {UNTOUCHED, UNTOUCHED, 2, 0, 0, Float.NaN, 0, UNTOUCHED, UNTOUCHED}, y);
    assertEquals(0, Float.floatToRawIntBits(y[3]), "relu(-0) is +0, as Math.max(-0f, 0f)");
    double[] yD = new double[3];
    Activations.relu(new double[] {-5, 0.5, 7}, 0, yD, 0, 3);
    assertArrayEquals(new double[] {0, 0.5, 7}, yD);
  }
}
