package com.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TinyNetTest {

  @Test
  void trainingLowersTheLoss() {
    TinyNet model = new TinyNet(4);
    model.initialize(1);
    // Class 1 when the first two inputs outweigh the last two.
    float[] x = {1, 1, 0, 0, 0, 0, 1, 1, 0.9f, 0.8f, 0.1f, 0, 0.1f, 0, 0.7f, 0.9f};
    int[] labels = {1, 0, 1, 0};
    double first = model.loss(x, labels, 4);
    double last = first;
    for (int step = 0; step < 50; step++) {
      last = model.trainStep(x, labels, 4, 0.5f);
    }
    assertTrue(last < first / 2, "loss went from " + first + " to " + last);
    assertEquals("TinyNet", model.info().name());
    assertEquals(4, model.info().inputSize());
  }
}
