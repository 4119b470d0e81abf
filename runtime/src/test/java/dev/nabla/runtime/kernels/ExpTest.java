package dev.nabla.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Exp#ofFloat}, the rows' e^x in float, against {@code (float) Math.exp}. */
class ExpTest {

  /** Ulps between two finite floats of the same sign. */
  private static int ulps(float a, float b) {
    return Math.abs(Float.floatToRawIntBits(a) - Float.floatToRawIntBits(b));
  }

  @Test
  void isWithinAnUlpOfMathExpWhereFloatsAreNormal() {
    int worst = 0;
    int checked = 0;
    // Every 61st float from −87.3 up to −0, then from 0 to 88.3: the scores minus their maximum are the first range.
    for (int bits = Float.floatToRawIntBits(-87.3f); bits < 0; bits -= 61) {
      float x = Float.intBitsToFloat(bits);
      worst = Math.max(worst, ulps(Exp.ofFloat(x), (float) Math.exp(x)));
      checked++;
    }
    for (int bits = 0; bits <= Float.floatToRawIntBits(88.3f); bits += 61) {
      float x = Float.intBitsToFloat(bits);
      worst = Math.max(worst, ulps(Exp.ofFloat(x), (float) Math.exp(x)));
      checked++;
    }
    assertTrue(checked > 36_000_000, checked + " floats checked");
    assertTrue(worst <= 1, "off by " + worst + " ulps");
  }

  @Test
  void isExactWhereTheResultIs() {
    assertEquals(1f, Exp.ofFloat(0f));
    assertEquals(1f, Exp.ofFloat(-0f));
    assertEquals((float) Math.E, Exp.ofFloat(1f));
  }

  @Test
  void underflowsToZeroOverflowsToInfinityAndCarriesNaN() {
    assertEquals(0f, Exp.ofFloat(-87.34f));
    assertEquals(0f, Exp.ofFloat(-1000f));
    assertEquals(0f, Exp.ofFloat(Float.NEGATIVE_INFINITY));
    assertEquals(Float.POSITIVE_INFINITY, Exp.ofFloat(88.38f));
    assertEquals(Float.POSITIVE_INFINITY, Exp.ofFloat(Float.POSITIVE_INFINITY));
    assertTrue(Float.isNaN(Exp.ofFloat(Float.NaN)));
    // Just inside the range: normal floats, as Math.exp gives them.
    assertTrue(ulps(Exp.ofFloat(-87.32f), (float) Math.exp(-87.32f)) <= 1);
    assertTrue(ulps(Exp.ofFloat(88.36f), (float) Math.exp(88.36f)) <= 1);
  }

  @Test
  void theDoubleKernelsKeepMathExp() {
    for (double x = -700; x < 700; x += 0.37) {
      assertEquals(Math.exp(x), Exp.ofDouble(x));
    }
  }
}
