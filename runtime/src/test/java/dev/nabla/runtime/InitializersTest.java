package dev.nabla.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InitializersTest {

  @Test
  void uniformStaysWithinTheBoundAndRepeatsForASeed() {
    float[] a = new float[1000];
    float[] b = new float[1000];
    double bound = Initializers.linearBound(784);
    Initializers.uniform(a, bound, new SplittableRandom(3));
    Initializers.uniform(b, bound, new SplittableRandom(3));

    assertArrayEquals(a, b);
    double sum = 0;
    for (float v : a) {
      assertTrue(Math.abs(v) <= bound, v + " outside ±" + bound);
      sum += v;
    }
    assertEquals(0, sum / a.length, bound / 10, "centred");
    assertEquals(1 / 28.0, bound, 1e-15);
  }
}
