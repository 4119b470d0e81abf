package dev.nabla.runtime.kernels;

import static dev.nabla.runtime.kernels.Conv2dTest.floats;
import static dev.nabla.runtime.kernels.Conv2dTest.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Inverted dropout: the masks' values, rate and reproducibility, and the gradient. */
class DropoutTest {
  static final int SIZE = 300;
  static final int SAMPLES = 16;

  static float[] mask(double p, long seed, long step, int lo, int hi) {
    float[] x = new float[SAMPLES * SIZE];
    Arrays.fill(x, 1f);
    float[] y = new float[x.length];
    float[] mask = new float[x.length];
    Dropout.forward(p, seed, step, x, 0, SIZE, SIZE, lo, hi, y, 0, SIZE, mask);
    return mask;
  }

  @Test
  void keptValuesAreScaledByOneOverOneMinusPAndTheRestAreZero() {
    double p = 0.25;
    SplittableRandom random = new SplittableRandom(31);
    int offset = 3, stride = SIZE + 5;
    double[] x = values(SAMPLES * stride + offset, random);
    double[] y = new double[x.length];
    double[] mask = new double[SAMPLES * SIZE];
    Dropout.forward(p, 7, 0, x, offset, stride, SIZE, 2, SAMPLES, y, offset, stride, mask);
    for (int b = 2; b < SAMPLES; b++) {
      for (int i = 0; i < SIZE; i++) {
        double m = mask[b * SIZE + i];
        assertTrue(m == 0 || m == 1 / (1 - p), "mask value " + m);
        assertEquals(x[b * stride + offset + i] * m, y[b * stride + offset + i]);
      }
    }
    for (int i = 0; i < 2 * SIZE; i++) {
      assertEquals(0, mask[i], "samples before lo are not masked");
    }
  }

  @Test
  void theKeptFractionIsOneMinusP() {
    for (double p : new double[] {0.1, 0.25, 0.5, 0.9}) {
      float[] mask = mask(p, 42, 3, 0, SAMPLES);
      long kept = 0;
      for (float m : mask) {
        kept += m != 0 ? 1 : 0;
      }
      double n = mask.length;
      double fraction = kept / n;
      double sigma = Math.sqrt(p * (1 - p) / n);
      assertEquals(1 - p, fraction, 5 * sigma, "kept fraction at p = " + p);
      double mean = 0;
      for (float m : mask) {
        mean += m / n;
      }
      assertEquals(1, mean, 5 * sigma / (1 - p), "the mask's mean at p = " + p);
    }
  }

  @Test
  void masksDependOnlyOnSeedStepAndSampleNotOnTheSplit() {
    float[] whole = mask(0.5, 9, 4, 0, SAMPLES);
    for (int split : new int[] {1, 5, 8, 15}) {
      float[] x = new float[SAMPLES * SIZE];
      Arrays.fill(x, 1f);
      float[] y = new float[x.length];
      float[] mask = new float[x.length];
      Dropout.forward(0.5, 9, 4, x, 0, SIZE, SIZE, split, SAMPLES, y, 0, SIZE, mask);
      Dropout.forward(0.5, 9, 4, x, 0, SIZE, SIZE, 0, split, y, 0, SIZE, mask);
      assertArrayEquals(whole, mask, "split at " + split);
    }
    assertArrayEquals(whole, mask(0.5, 9, 4, 0, SAMPLES), "the same arguments give the same mask");
  }

  @Test
  void anotherSeedStepOrSampleGivesAnotherMask() {
    float[] base = mask(0.5, 9, 4, 0, SAMPLES);
    assertFalse(Arrays.equals(base, mask(0.5, 10, 4, 0, SAMPLES)), "another seed");
    assertFalse(Arrays.equals(base, mask(0.5, 9, 5, 0, SAMPLES)), "another step");
    for (int b = 1; b < SAMPLES; b++) {
      assertFalse(Arrays.equals(Arrays.copyOfRange(base, 0, SIZE), Arrays.copyOfRange(base, b * SIZE, (b + 1) * SIZE)),
          "sample " + b + " has sample 0's mask");
    }
  }

  @Test
  void floatAndDoubleDrawTheSameMask() {
    float[] f = mask(0.3, 5, 2, 0, SAMPLES);
    double[] x = new double[SAMPLES * SIZE];
    Arrays.fill(x, 1);
    double[] mask = new double[x.length];
    Dropout.forward(0.3, 5, 2, x, 0, SIZE, SIZE, 0, SAMPLES, new double[x.length], 0, SIZE, mask);
    for (int i = 0; i < f.length; i++) {
      assertEquals((float) mask[i], f[i], "at " + i);
    }
  }

  @Test
  void pZeroKeepsEverything() {
    float[] mask = mask(0, 1, 1, 0, SAMPLES);
    for (float m : mask) {
      assertEquals(1f, m);
    }
  }

  @Test
  void theGradientIsDeltaTimesTheMask() {
    SplittableRandom random = new SplittableRandom(32);
    double[] x = values(SAMPLES * SIZE, random);
    double[] mask = new double[x.length];
    Dropout.forward(0.4, 3, 1, x, 0, SIZE, SIZE, 0, SAMPLES, new double[x.length], 0, SIZE, mask);
    double[] dy = values(SAMPLES * (SIZE + 2) + 1, random);
    double[] dx = new double[SAMPLES * SIZE];
    Arrays.fill(dx, Double.NaN);
    Dropout.gradient(dy, 1, SIZE + 2, SIZE, mask, 3, SAMPLES, dx, 0, SIZE);
    float[] dxF = new float[dx.length];
    Dropout.gradient(floats(dy), 1, SIZE + 2, SIZE, floats(mask), 3, SAMPLES, dxF, 0, SIZE);
    for (int b = 0; b < SAMPLES; b++) {
      for (int i = 0; i < SIZE; i++) {
        if (b < 3) {
          assertTrue(Double.isNaN(dx[b * SIZE + i]), "wrote before lo");
          continue;
        }
        double expected = dy[b * (SIZE + 2) + 1 + i] * mask[b * SIZE + i];
        assertEquals(expected, dx[b * SIZE + i]);
        assertEquals((float) expected, dxF[b * SIZE + i], 1e-6);
      }
    }
  }

  @Test
  void aProbabilityOutsideZeroToOneIsRefused() {
    for (double p : new double[] {1, -0.1, Double.NaN, 1.5}) {
      assertTrue(assertThrows(IllegalArgumentException.class, () -> mask(p, 0, 0, 0, 1)).getMessage()
          .contains("[0, 1)"));
    }
  }
}
