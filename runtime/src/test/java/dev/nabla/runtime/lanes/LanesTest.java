package dev.nabla.runtime.lanes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.WeakReference;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The runtime's threads on their own, and through a network written on its base class. */
class LanesTest {

  @Test
  void everyLaneRunsOnceAndLaneZeroOnTheCaller() {
    Lanes lanes = new Lanes("every-lane", 5);
    for (int round = 0; round < 200; round++) {
      AtomicIntegerArray runs = new AtomicIntegerArray(5);
      String[] names = new String[5];
      lanes.run(5, t -> {
        runs.incrementAndGet(t);
        names[t] = Thread.currentThread().getName();
      });
      for (int t = 0; t < 5; t++) {
        assertEquals(1, runs.get(t), "lane " + t);
        assertTrue(names[t].equals(Thread.currentThread().getName()) || names[t].startsWith("nabla-every-lane-"), names[t]);
      }
      assertEquals(Thread.currentThread().getName(), names[0]);
    }
  }

  @Test
  void aLaneWhoseThreadIsLateIsRunByAThreadThatIsDone() {
    // A new Lanes starts its thread at the first job: the caller, done with its empty lane 0 long before the thread
    // has started, takes lane 1 as well, rather than waiting for it.
    int byCaller = 0;
    for (int attempt = 0; attempt < 20; attempt++) {
      Lanes lanes = new Lanes("late-thread", 2);
      String[] names = new String[2];
      lanes.run(2, t -> names[t] = Thread.currentThread().getName());
      if (Thread.currentThread().getName().equals(names[1])) {
        byCaller++;
      }
    }
    assertTrue(byCaller > 0, "the caller never took the lane of a thread still starting");
    // And a lane's own thread takes it when it is there: a lane 0 that waits for lane 1 to have run is not stuck.
    Lanes lanes = new Lanes("own-thread", 2);
    lanes.run(2, t -> {});
    AtomicIntegerArray ran = new AtomicIntegerArray(2);
    lanes.run(2, t -> {
      ran.set(t, 1);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (t == 0 && ran.get(1) == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    });
    assertEquals(1, ran.get(1));
  }

  @Test
  void aLaneThatThrowsGivesTheCallerItsExceptionAndTheLanesStayUsable() {
    Lanes lanes = new Lanes("failing", 4);
    IllegalStateException thrown = new IllegalStateException("lane 2 broke");
    AtomicIntegerArray done = new AtomicIntegerArray(4);
    RuntimeException caught = assertThrows(RuntimeException.class, () -> lanes.run(4, t -> {
      if (t == 2) {
        throw thrown;
      }
      done.incrementAndGet(t);
    }));
    assertSame(thrown, caught);
    assertTrue(caught.getSuppressed()[0].getMessage().contains("lane 2 of failing"));
    assertEquals(1, done.get(3), "the other lanes finish before the failure is rethrown");
    AtomicIntegerArray again = new AtomicIntegerArray(4);
    lanes.run(4, again::incrementAndGet);
    assertEquals(1, again.get(2));
  }

  @Test
  void theCallersOwnFailureComesFirstAndAnErrorStaysAnError() {
    Lanes lanes = new Lanes("errors", 3);
    assertThrows(AssertionError.class, () -> lanes.run(3, t -> {
      if (t == 1) {
        throw new AssertionError("lane 1");
      }
    }));
    IllegalArgumentException first = new IllegalArgumentException("lane 0");
    assertSame(first, assertThrows(IllegalArgumentException.class, () -> lanes.run(3, t -> {
      throw t == 0 ? first : new IllegalStateException("lane " + t);
    })));
  }

  @Test
  void splitsStartAtMultiplesOfEightAndCoverTheBatch() {
    for (int count = 1; count <= 8; count++) {
      for (int n = count * 8; n < 300; n += 7) {
        assertEquals(0, Lanes.split(n, count, 0));
        assertEquals(n, Lanes.split(n, count, count));
        for (int t = 1; t < count; t++) {
          assertEquals(0, Lanes.split(n, count, t) % 8);
          assertTrue(Lanes.split(n, count, t) >= Lanes.split(n, count, t - 1));
        }
      }
    }
  }

  @Test
  void aWaitSpinsFirstThenYieldsThenParks() {
    long now = System.nanoTime();
    for (int spins = 0; spins <= 64; spins++) {
      assertFalse(Lanes.pause(spins, now - 1_000_000_000L), "spin " + spins + ": before the clock is read");
    }
    assertTrue(goesOn(0), "a wait that has just begun spins");
    assertTrue(goesOn(Lanes.SPIN_NANOS + 1000), "a wait past its spinning yields, without parking");
    assertTrue(Lanes.pause(128, now - Lanes.SPIN_NANOS - Lanes.YIELD_NANOS - 1000), "a long wait parks");
    assertFalse(Lanes.pause(129, now - 1_000_000_000L), "the clock is read every 64 spins only");
  }

  /** Whether a wait that began {@code waited} ns ago goes on without parking (tried a few times: a busy machine may stall the test in between). */
  private static boolean goesOn(long waited) {
    for (int attempt = 0; attempt < 10; attempt++) {
      if (!Lanes.pause(128, System.nanoTime() - waited)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theCallerWaitingForALateLaneLeavesItsCoreToOthers() {
    ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean.isCurrentThreadCpuTimeSupported(), "no per-thread CPU time on this JVM");
    Lanes lanes = new Lanes("late-lane", 2);
    lanes.run(2, t -> {});
    long cpuBefore = bean.getCurrentThreadCpuTime();
    long wallBefore = System.nanoTime();
    lanes.run(2, t -> {
      if (t == 1) {
        sleep(300);
      }
    });
    long wall = System.nanoTime() - wallBefore;
    long cpu = bean.getCurrentThreadCpuTime() - cpuBefore;
    assertTrue(wall >= 300_000_000L, "the caller waited for the lane");
    // A caller that spun would have taken the whole 300 ms of a core; this one parks after well under a millisecond.
    assertTrue(cpu < 60_000_000L, "the caller took " + cpu / 1_000_000 + " ms of CPU in a wait of " + wall / 1_000_000 + " ms");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void threadsEndOnceTheirLanesAreUnreachable() throws InterruptedException {
    Lanes lanes = new Lanes("unreachable", 4);
    lanes.run(4, t -> {});
    assertEquals(3, threadsNamed("nabla-unreachable-"));
    WeakReference<Lanes> gone = new WeakReference<>(lanes);
    lanes = null;
    long deadline = System.nanoTime() + 20_000_000_000L;
    while ((gone.get() != null || threadsNamed("nabla-unreachable-") > 0) && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
    }
    assertEquals(0, threadsNamed("nabla-unreachable-"), "lane threads still alive");
  }

  @Test
  void aModelThatBecomesUnreachableLeavesNoThreads() throws InterruptedException {
    train(new SoftmaxRegression(BATCH, 4), 1);
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (threadsNamed("nabla-SoftmaxRegression-") > 0 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
    }
    assertEquals(0, threadsNamed("nabla-SoftmaxRegression-"));
  }

  private static int threadsNamed(String prefix) {
    int count = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith(prefix) && thread.isAlive()) {
        count++;
      }
    }
    return count;
  }

  static final int BATCH = 200;

  static float[] inputs(int seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[BATCH * SoftmaxRegression.INPUTS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    return x;
  }

  static int[] labels(int seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] labels = new int[BATCH];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = random.nextInt(SoftmaxRegression.CLASSES);
    }
    return labels;
  }

  /** The parameters after {@code steps} SGD steps, and the losses, concatenated. */
  static float[] train(SoftmaxRegression model, int steps) {
    model.initialize(7);
    float[] losses = new float[steps];
    for (int s = 0; s < steps; s++) {
      losses[s] = (float) model.trainStep(inputs(s), labels(s), BATCH, 0.5f);
    }
    float[][] parameters = model.parameterArrays();
    float[] all = new float[parameters[0].length + parameters[1].length + steps];
    System.arraycopy(parameters[0], 0, all, 0, parameters[0].length);
    System.arraycopy(parameters[1], 0, all, parameters[0].length, parameters[1].length);
    System.arraycopy(losses, 0, all, parameters[0].length + parameters[1].length, steps);
    return all;
  }

  @Test
  void everyThreadCountGivesBitIdenticalResultsRunToRunAndAgreesWithOneThread() {
    float[] serial = train(new SoftmaxRegression(BATCH, 1), 5);
    for (int threads = 1; threads <= 8; threads++) {
      float[] first = train(new SoftmaxRegression(BATCH, threads), 5);
      float[] second = train(new SoftmaxRegression(BATCH, threads), 5);
      assertArrayEquals(first, second, threads + " threads, run to run");
      for (int i = 0; i < serial.length; i++) {
        assertEquals(serial[i], first[i], 1e-5, threads + " threads against one, value " + i);
      }
    }
  }

  @Test
  void theLanesGradientsSumToTheWholeBatchsGradient() {
    SoftmaxRegression one = new SoftmaxRegression(BATCH, 1);
    SoftmaxRegression four = new SoftmaxRegression(BATCH, 4);
    one.initialize(3);
    four.initialize(3);
    assertEquals(one.computeGradients(inputs(1), labels(1), BATCH), four.computeGradients(inputs(1), labels(1), BATCH), 1e-6);
    for (int p = 0; p < 2; p++) {
      for (int i = 0; i < one.gradientArrays()[p].length; i++) {
        assertEquals(one.gradientArrays()[p][i], four.gradientArrays()[p][i], 1e-6, "gradient " + p + ", " + i);
      }
    }
    float[] predictedOne = new float[BATCH * SoftmaxRegression.CLASSES];
    float[] predictedFour = new float[BATCH * SoftmaxRegression.CLASSES];
    one.predict(inputs(2), BATCH, predictedOne);
    four.predict(inputs(2), BATCH, predictedFour);
    assertArrayEquals(predictedOne, predictedFour, 1e-6f);
  }

  @Test
  void aFailingLaneOfAModelReachesTheCallerWhoseModelStillWorks() {
    SoftmaxRegression model = new SoftmaxRegression(BATCH, 4);
    model.initialize(1);
    int[] labels = new int[BATCH];
    labels[BATCH - 1] = 3;
    SoftmaxRegression.failOn = 3;
    try {
      IllegalStateException failure = assertThrows(IllegalStateException.class,
          () -> model.trainStep(inputs(0), labels, BATCH, 0.1f));
      assertEquals("sample " + (BATCH - 1) + " fails", failure.getMessage());
    } finally {
      SoftmaxRegression.failOn = -1;
    }
    assertTrue(Double.isFinite(model.trainStep(inputs(0), labels, BATCH, 0.1f)));
  }

  @Test
  void badBatchesAreRefusedWithWhatIsWrong() {
    SoftmaxRegression model = new SoftmaxRegression(16, 2);
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new float[17 * 37], new int[17], 17, 0.1f));
    assertEquals("a batch of 17 samples; this model holds 0 to 16", tooMany.getMessage());
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> model.loss(new float[37], new int[] {5}, 1));
    assertEquals("the label of sample 0 is 5, not a class in [0, 5)", label.getMessage());
    IllegalArgumentException targets = assertThrows(IllegalArgumentException.class,
        () -> model.loss(new float[37], new float[5], 1));
    assertEquals("SoftmaxRegression is a classifier: pass int[] class labels", targets.getMessage());
    assertThrows(IllegalArgumentException.class, () -> model.parameter("V"));
    assertThrows(IllegalArgumentException.class, () -> new SoftmaxRegression(16, 65));
  }
}
