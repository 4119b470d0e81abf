package dev.nabla.runtime.lanes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.Models;
import dev.nabla.runtime.Predictor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Serving from many threads with predictors, and a double class's API in double. */
class PredictorTest {
  private static final int THREADS = 8;

  @Test
  void threadsEachWithAPredictorGetExactlyWhatTheModelAloneGives() throws Exception {
    SoftmaxRegression model = new SoftmaxRegression(64, 2);
    model.initialize(11);
    SplittableRandom random = new SplittableRandom(5);
    List<float[]> batches = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int k = 0; k < 60; k++) {
      int n = 1 + random.nextInt(64);
      float[] x = randomFloats(random, n * SoftmaxRegression.INPUTS);
      float[] out = new float[n * SoftmaxRegression.CLASSES];
      model.predict(x, n, out); // single-threaded caller; the model splits over its own lanes
      batches.add(x);
      expected.add(out);
    }
    ThreadLocal<Predictor> predictors = ThreadLocal.withInitial(model::predictor);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> checked = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int offset = t * 7;
        checked.add(pool.submit(() -> {
          start.await();
          int count = 0;
          for (int round = 0; round < 20; round++) {
            for (int k = 0; k < batches.size(); k++) {
              int which = (k + offset + round) % batches.size(); // each thread in its own order
              float[] x = batches.get(which);
              int n = x.length / SoftmaxRegression.INPUTS;
              float[] out = new float[n * SoftmaxRegression.CLASSES];
              predictors.get().predict(x, n, out);
              assertArrayEquals(expected.get(which), out, "batch " + which);
              count++;
            }
          }
          return count;
        }));
      }
      start.countDown();
      for (Future<Integer> future : checked) {
        assertEquals(20 * batches.size(), future.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPredictorSharesTheParametersLiveAndNotTheBuffers() {
    SoftmaxRegression model = new SoftmaxRegression(16, 1);
    model.initialize(2);
    Predictor predictor = model.predictor();
    SplittableRandom random = new SplittableRandom(3);
    float[] x = randomFloats(random, 16 * SoftmaxRegression.INPUTS);
    int[] labels = new int[16];
    float[] before = Models.predict(predictor, x, 16);
    model.trainStep(x, labels, 16, 0.5f);
    float[] after = Models.predict(predictor, x, 16);
    assertNotEquals(before[0], after[0], "the step changed the parameters the predictor reads");
    assertArrayEquals(Models.predict(model, x, 16), after);
    // The model predicting other inputs between does not disturb what the predictor's buffers hold.
    float[] other = randomFloats(random, 16 * SoftmaxRegression.INPUTS);
    float[] half = new float[8 * SoftmaxRegression.CLASSES];
    predictor.predict(x, 8, half);
    model.predict(other, 16, new float[16 * SoftmaxRegression.CLASSES]);
    for (int i = 0; i < half.length; i++) {
      assertEquals(after[i], half[i]);
    }
    assertEquals(model.info(), predictor.info());
    assertArrayEquals(model.parameter("b"), predictor.parameter("b"));
  }

  @Test
  void aPredictorOnlyPredicts() {
    SoftmaxRegression model = new SoftmaxRegression(8, 1);
    Predictor predictor = model.predictor();
    assertTrue(assertThrows(IllegalStateException.class, () -> predictor.initialize(1)).getMessage()
        .contains("initialize the model"));
    assertTrue(assertThrows(IllegalStateException.class, () -> predictor.setParameter("W", new double[5]))
        .getMessage().contains("set W on the model"));
    assertTrue(assertThrows(IllegalStateException.class, () -> predictor.predict(new double[37], 1, new double[5]))
        .getMessage().contains("computes in float"));
    assertThrows(IllegalArgumentException.class, () -> predictor.predict(new float[37], 9, new float[45]));
  }

  @Test
  void aDoubleClassTakesItsInputsInDoubleWithoutRoundingThem() {
    DoubleRegression model = new DoubleRegression(32, 2);
    model.initialize(4);
    int n = 32;
    SplittableRandom random = new SplittableRandom(8);
    double[] x = new double[n * DoubleRegression.INPUTS];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1 + random.nextDouble() * 1e-9; // all but lost in float: 1 + 1e-9 rounds to 1
    }
    double[] targets = new double[n * DoubleRegression.OUTPUTS];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = random.nextInt(5) - 2; // exact in float: the passes of this version read targets in float
    }
    double[] W = model.parameter("W");
    double[] b = model.parameter("b");
    double[] reference = new double[n * DoubleRegression.OUTPUTS];
    double loss = 0;
    double[] gradientOfB = new double[DoubleRegression.OUTPUTS];
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < DoubleRegression.OUTPUTS; i++) {
        double z = b[i];
        for (int k = 0; k < DoubleRegression.INPUTS; k++) {
          z += W[i * DoubleRegression.INPUTS + k] * x[s * DoubleRegression.INPUTS + k];
        }
        reference[s * DoubleRegression.OUTPUTS + i] = z;
        double d = z - targets[s * DoubleRegression.OUTPUTS + i];
        loss += 0.5 * d * d / n;
        gradientOfB[i] += d / n;
      }
    }
    double[] predicted = new double[reference.length];
    model.predict(x, n, predicted);
    for (int i = 0; i < reference.length; i++) {
      assertEquals((float) reference[i], predicted[i], Math.ulp((float) reference[i]), "output " + i);
    }
    assertEquals(loss, model.loss(x, targets, n), 1e-13 * loss);
    assertEquals(loss, model.computeGradients(x, targets, n), 1e-13 * loss);
    assertArrayEquals(gradientOfB, model.gradient("b"), 1e-14);
    float[] rounded = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      rounded[i] = (float) x[i];
    }
    float[] floatTargets = new float[targets.length];
    for (int i = 0; i < targets.length; i++) {
      floatTargets[i] = (float) targets[i];
    }
    double lossOfRounded = model.loss(rounded, floatTargets, n);
    assertTrue(Math.abs(lossOfRounded - loss) > 1e-11 * loss, "the float API rounds the inputs: " + lossOfRounded);
    // The step at a rate in double: θ − 0.1 ∇C, with 0.1 as a double rather than 0.1f.
    double[] gradientOfW = model.gradient("W");
    model.trainStep(x, targets, n, 0.1);
    double[] stepped = model.parameter("W");
    for (int i = 0; i < W.length; i++) {
      assertEquals(W[i] - 0.1 * gradientOfW[i], stepped[i], 0.0, "W[" + i + "]");
    }
  }

  @Test
  void aDoubleClassServesFromPredictorsInDouble() throws Exception {
    DoubleRegression model = new DoubleRegression(16, 1);
    model.initialize(6);
    double[] x = new double[16 * DoubleRegression.INPUTS];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextDouble();
    }
    double[] expected = new double[16 * DoubleRegression.OUTPUTS];
    model.predict(x, 16, expected);
    ThreadLocal<Predictor> predictors = ThreadLocal.withInitial(model::predictor);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          double[] out = new double[expected.length];
          for (int round = 0; round < 200; round++) {
            predictors.get().predict(x, 16, out);
          }
          return out;
        }));
      }
      for (Future<double[]> result : results) {
        assertArrayEquals(expected, result.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static float[] randomFloats(SplittableRandom random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return values;
  }
}
