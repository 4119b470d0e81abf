package com.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.FloatNetwork;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WideNetTest {

  @Test
  void theModuleOnTheTestJvmGivesTheVectorKernels() {
    assertEquals("vector", FloatNetwork.kernels());
  }

  @Test
  void trainingWithTheVectorKernelsLowersTheLoss() {
    int n = 64;
    WideNet model = new WideNet(n);
    model.initialize(1);
    // The class is the third of the input (first, middle or last 13 or so values) that holds the largest values.
    SplittableRandom random = new SplittableRandom(7);
    float[] x = new float[n * 40];
    int[] labels = new int[n];
    for (int b = 0; b < n; b++) {
      labels[b] = random.nextInt(3);
      for (int i = 0; i < 40; i++) {
        x[b * 40 + i] = (float) random.nextDouble() + (Math.min(i / 14, 2) == labels[b] ? 1 : 0);
      }
    }
    double first = model.loss(x, labels, n);
    double last = first;
    for (int step = 0; step < 100; step++) {
      last = model.trainStep(x, labels, n, 0.1f);
    }
    assertTrue(last < first / 4, "loss went from " + first + " to " + last);
  }
}
