package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Network;
import dev.nabla.testing.RandomSpecs;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A large batch is split over the model's threads: the results agree with one thread, are the same
 * from run to run, forward values (predictions, losses) are bit for bit those of one thread, and
 * neither the calling thread nor the pool allocates per step.
 */
class ThreadedLanesTest {

  private static Trainable instantiate(ClassLoader loader, String name, int maxBatch, int threads) {
    return Networks.instantiate(loader, name, maxBatch, threads);
  }

  private record Batch(float[] x, int[] labels, float[] targets) {}

  private static Batch batch(Trainable model, int n, long seed) {
    int in = model.info().inputSize();
    int truth = model.info().labelSize();
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n * in];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    int[] labels = new int[n];
    for (int b = 0; b < n; b++) {
      labels[b] = truth > 0 ? random.nextInt(truth) : 0;
    }
    float[] targets = new float[n * Math.max(truth, 1)];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = (float) random.nextDouble(0.05, 0.95);
    }
    return new Batch(x, labels, targets);
  }

  private static double gradients(Trainable model, Network network, Batch batch, int n) {
    return network.label().isPresent() ? model.computeGradients(batch.x, batch.labels, n)
        : model.computeGradients(batch.x, batch.targets, n);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void threadsAgreeWithOneThreadAndRepeat(Precision precision) {
    List<Network> networks = new ArrayList<>();
    networks.add(Networks.resource("FashionMlp"));
    networks.add(Networks.resource("Blocks"));
    // Gradients that are sums of several contributions, added term by term (one of them once per batch).
    networks.add(Networks.parse("Regularized.nabla", GradientAgreementTest.EXTRA.get("Regularized")));
    networks.add(Networks.parse("Tied.nabla", GradientAgreementTest.EXTRA.get("Tied")));
    for (long seed = 21; seed <= 40; seed++) {
      networks.add(Networks.parse("lanes" + seed + ".nabla", RandomSpecs.generate(seed)));
    }
    List<com.palantir.javapoet.JavaFile> files = new ArrayList<>();
    for (Network network : networks) {
      files.add(Networks.java(network, precision));
    }
    ClassLoader loader = InMemoryCompiler.compile(files);
    for (Network network : networks) {
      for (int n : new int[] {70, 600}) {
        for (int threads : new int[] {2, 3}) {
          check(loader, network, n, threads, precision);
        }
      }
    }
  }

  private static void check(ClassLoader loader, Network network, int n, int threads, Precision precision) {
    Trainable one = instantiate(loader, network.name(), n, 1);
    Trainable many = instantiate(loader, network.name(), n, threads);
    Trainable again = instantiate(loader, network.name(), n, threads);
    for (Trainable model : List.of(one, many, again)) {
      model.initialize(9);
    }
    Batch batch = batch(one, n, n * 31L + threads);
    String what = network.name() + " at batch " + n + " on " + threads + " threads";
    double lossOne = gradients(one, network, batch, n);
    double lossMany = gradients(many, network, batch, n);
    double lossAgain = gradients(again, network, batch, n);
    assertEquals(lossOne, lossMany, 0, what + ": the loss is a forward value, the same on any thread count");
    assertEquals(lossMany, lossAgain, 0, what + ": loss run to run");
    double tolerance = precision == Precision.DOUBLE ? 1e-9 : 1e-4;
    for (var parameter : one.info().parameters()) {
      double[] expected = one.gradient(parameter.name());
      double[] actual = many.gradient(parameter.name());
      assertArrayEquals(actual, again.gradient(parameter.name()), 0, what + ": ∂C/∂" + parameter.name() + " run to run");
      double norm = 0;
      double error = 0;
      for (int i = 0; i < expected.length; i++) {
        norm += expected[i] * expected[i];
        error += (expected[i] - actual[i]) * (expected[i] - actual[i]);
      }
      assertTrue(Math.sqrt(error) <= tolerance * Math.max(1, Math.sqrt(norm)),
          what + ": ∂C/∂" + parameter.name() + " differs from one thread's by " + Math.sqrt(error));
    }
    // trainStep takes the step θ ← θ − lr ∇C from the lanes' summed gradients, each lane a share of each
    // array: exactly what a step taken from computeGradients' result gives.
    Trainable stepped = instantiate(loader, network.name(), n, threads);
    stepped.initialize(9);
    float lr = 0.01f;
    double steppedLoss = network.label().isPresent() ? stepped.trainStep(batch.x, batch.labels, n, lr)
        : stepped.trainStep(batch.x, batch.targets, n, lr);
    assertEquals(lossMany, steppedLoss, 0, what + ": trainStep returns the loss before the step");
    for (var parameter : many.info().parameters()) {
      double[] before = again.parameter(parameter.name());
      double[] gradient = many.gradient(parameter.name());
      double[] after = stepped.parameter(parameter.name());
      for (int i = 0; i < before.length; i++) {
        double expected = precision == Precision.FLOAT ? (float) before[i] - lr * (float) gradient[i] : before[i] - (double) lr * gradient[i];
        assertEquals(expected, after[i], 0, what + ": " + parameter.name() + "[" + i + "] after trainStep");
      }
    }
    float[] predictedOne = new float[n * one.info().outputSize()];
    float[] predictedMany = new float[predictedOne.length];
    one.predict(batch.x, n, predictedOne);
    many.predict(batch.x, n, predictedMany);
    assertArrayEquals(predictedOne, predictedMany, 0, what + ": predictions");

    // evaluate: the loss and the outputs from one forward pass, bit for bit what loss and predict give apart; and
    // so when each lane first copies its own samples into empty buffers (the trainer's gather).
    boolean labelled = network.label().isPresent();
    float[] evaluated = new float[predictedOne.length];
    double evaluatedLoss = labelled ? many.evaluate(batch.x, batch.labels, n, evaluated)
        : many.evaluate(batch.x, batch.targets, n, evaluated);
    assertEquals(lossMany, evaluatedLoss, 0, what + ": evaluate's loss");
    assertArrayEquals(predictedMany, evaluated, 0, what + ": evaluate's outputs");
    float[] x = new float[batch.x.length];
    int[] labels = labelled ? new int[n] : null;
    float[] targets = labelled ? null : new float[batch.targets.length];
    int in = many.info().inputSize();
    int truth = many.info().labelSize();
    dev.nabla.runtime.BatchRows rows = (lo, hi) -> {
      System.arraycopy(batch.x, lo * in, x, lo * in, (hi - lo) * in);
      if (labelled) {
        System.arraycopy(batch.labels, lo, labels, lo, hi - lo);
      } else {
        System.arraycopy(batch.targets, lo * truth, targets, lo * truth, (hi - lo) * truth);
      }
    };
    java.util.Arrays.fill(evaluated, Float.NaN);
    assertEquals(lossMany, many.evaluate(rows, x, labels, targets, n, evaluated), 0, what + ": evaluate of copied rows");
    assertArrayEquals(predictedMany, evaluated, 0, what + ": evaluate's outputs of copied rows");
    Trainable gathered = instantiate(loader, network.name(), n, threads);
    gathered.initialize(9);
    java.util.Arrays.fill(x, 0);
    assertEquals(lossMany, gathered.trainStep(rows, x, labels, targets, n, lr), 0, what + ": trainStep of copied rows");
    for (var parameter : many.info().parameters()) {
      assertArrayEquals(stepped.parameter(parameter.name()), gathered.parameter(parameter.name()), 0,
          what + ": " + parameter.name() + " after trainStep of copied rows");
    }
  }

  /** An output the loss does not need ({@code probs}, while the loss reads the logits): evaluate computes it after the forward pass. */
  @Test
  void evaluateComputesAnOutputTheLossDoesNotNeed() {
    Network network = Networks.parse("Probs.nabla", """
        model Probs
        input X[12]
        label y : 4
        param W1[9, 12]
        param b1[9]
        param W2[4, 9]
        param b2[4]
        h = tanh(W1 X + b1)
        logits = W2 h + b2
        probs = softmax(logits)
        out = probs
        loss = cross_entropy(logits, y)
        """);
    String source = Networks.java(network, Precision.FLOAT).toString();
    assertTrue(source.contains("protected void outputSamples("), source);
    ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(network, Precision.FLOAT)));
    for (int threads : new int[] {1, 2}) {
      Trainable model = instantiate(loader, "Probs", 100, threads);
      model.initialize(4);
      Batch batch = batch(model, 100, 8);
      float[] predicted = new float[100 * 4];
      float[] evaluated = new float[100 * 4];
      model.predict(batch.x, 100, predicted);
      double loss = model.loss(batch.x, batch.labels, 100);
      assertEquals(loss, model.evaluate(batch.x, batch.labels, 100, evaluated), 0);
      assertArrayEquals(predicted, evaluated, 0, "the probabilities on " + threads + " threads");
      double sum = 0;
      for (int i = 0; i < 4; i++) {
        sum += evaluated[i];
      }
      assertEquals(1, sum, 1e-5, "the first sample's probabilities sum to 1");
    }
  }

  /**
   * Momentum and Adam as the trainer runs them: each lane copies its own samples of the shuffled batch and updates
   * its share of every parameter after summing the gradients there. The numbers are those of the optimizer's one
   * loop over the whole arrays after a plain {@code computeGradients} (the model seen through a wrapper, as a
   * double model is), bit for bit.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"momentum", "adam"})
  void optimizerStepsSharedByTheLanesGiveTheNumbersOfOneLoop(String optimizer) {
    ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(Networks.resource("FashionMlp"), Precision.FLOAT)));
    Trainable split = instantiate(loader, "FashionMlp", 64, 2);
    Trainable whole = instantiate(loader, "FashionMlp", 64, 2);
    split.initialize(6);
    whole.initialize(6);
    Trainable wrapped = new Trainable() {
      @Override public dev.nabla.runtime.ModelInfo info() { return whole.info(); }
      @Override public int maxBatch() { return whole.maxBatch(); }
      @Override public void predict(float[] x, int n, float[] out) { whole.predict(x, n, out); }
      @Override public void initialize(long seed) { whole.initialize(seed); }
      @Override public double[] parameter(String name) { return whole.parameter(name); }
      @Override public void setParameter(String name, double[] values) { whole.setParameter(name, values); }
      @Override public double trainStep(float[] x, int[] labels, int n, float lr) { return whole.trainStep(x, labels, n, lr); }
      @Override public double trainStep(float[] x, float[] targets, int n, float lr) { return whole.trainStep(x, targets, n, lr); }
      @Override public double computeGradients(float[] x, int[] labels, int n) { return whole.computeGradients(x, labels, n); }
      @Override public double computeGradients(float[] x, float[] targets, int n) { return whole.computeGradients(x, targets, n); }
      @Override public double loss(float[] x, int[] labels, int n) { return whole.loss(x, labels, n); }
      @Override public double loss(float[] x, float[] targets, int n) { return whole.loss(x, targets, n); }
      @Override public double[] gradient(String name) { return whole.gradient(name); }
    };
    Batch samples = batch(split, 300, 12);
    dev.nabla.runtime.data.Dataset data = dev.nabla.runtime.data.Dataset.ofClasses("train", samples.x, 784, samples.labels,
        List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    var splitOptimizer = dev.nabla.runtime.optim.OptimizerSpec.parse(optimizer).create(split);
    var wholeOptimizer = dev.nabla.runtime.optim.OptimizerSpec.parse(optimizer).create(wrapped);
    dev.nabla.runtime.data.Minibatch selected = dev.nabla.runtime.data.Minibatch.forData(data, 64);
    dev.nabla.runtime.data.Minibatch filled = dev.nabla.runtime.data.Minibatch.forData(data, 64);
    int[] order = new int[300];
    for (int i = 0; i < order.length; i++) {
      order[i] = (i * 7919) % 300;
    }
    for (int step = 0; step < 4; step++) {
      selected.select(data, order, step * 64, 64);
      filled.fill(data, order, step * 64, 64);
      double splitLoss = splitOptimizer.step(split, selected, 0.01f);
      double wholeLoss = wholeOptimizer.step(wrapped, filled, 0.01f);
      assertEquals(wholeLoss, splitLoss, 0, optimizer + ": the loss of step " + step);
    }
    for (var parameter : split.info().parameters()) {
      assertArrayEquals(whole.parameter(parameter.name()), split.parameter(parameter.name()), 0,
          optimizer + ": " + parameter.name() + " after 4 steps");
    }
  }

  @Test
  void threadsAreNamedAndAllocateNothingPerStep() throws InterruptedException {
    ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(Networks.resource("FashionMlp"), Precision.FLOAT)));
    Trainable model = instantiate(loader, "FashionMlp", 64, 2);
    model.initialize(5);
    Batch batch = batch(model, 64, 3);
    for (int b = 0; b < 64; b++) {
      batch.labels[b] = b % 10;
    }
    float[] result = new float[64 * 10];
    for (int step = 0; step < 3000; step++) {
      model.trainStep(batch.x, batch.labels, 64, 0.01f);
      model.predict(batch.x, 64, result);
      model.loss(batch.x, batch.labels, 64);
      model.evaluate(batch.x, batch.labels, 64, result);
    }
    List<Long> ids = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("nabla-FashionMlp-")) {
        assertTrue(thread.isDaemon(), thread.getName() + " is a daemon thread");
        assertTrue(thread.getName().matches("nabla-FashionMlp-[1-9][0-9]*"), thread.getName());
        ids.add(thread.getId());
      }
    }
    assertFalse(ids.isEmpty(), "a pool thread");
    long[] pool = ids.stream().mapToLong(Long::longValue).toArray();
    long caller = Thread.currentThread().getId();
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // The array form allocates its result on the calling thread: it is read outside the calling thread's window.
    // A window with no allocation at all: a step that allocated would show in every window, while the JIT may
    // still finish compiling a kernel (boxing a few vectors once) in the first ones.
    List<String> windows = new ArrayList<>();
    long allocated = -1;
    for (int window = 0; window < 5 && allocated != 0; window++) {
      long[] poolBefore = threads.getThreadAllocatedBytes(pool);
      long callerBefore = threads.getThreadAllocatedBytes(caller);
      for (int step = 0; step < 1000; step++) {
        model.trainStep(batch.x, batch.labels, 64, 0.01f);
        model.predict(batch.x, 64, result);
        model.loss(batch.x, batch.labels, 64);
        model.evaluate(batch.x, batch.labels, 64, result);
      }
      long callerAllocated = threads.getThreadAllocatedBytes(caller) - callerBefore;
      long[] poolAfter = threads.getThreadAllocatedBytes(pool);
      allocated = callerAllocated;
      StringBuilder detail = new StringBuilder("calling thread " + callerAllocated + ", pool");
      for (int t = 0; t < pool.length; t++) {
        if (poolBefore[t] >= 0 && poolAfter[t] >= 0) {
          allocated += poolAfter[t] - poolBefore[t];
          detail.append(' ').append(poolAfter[t] - poolBefore[t]);
        }
      }
      windows.add(detail.toString());
    }
    assertEquals(0, allocated, "bytes allocated by 1000 training steps, predictions, losses and evaluations, per window: " + windows);
    assertFalse(Double.isNaN(model.loss(batch.x, batch.labels, 64)));
  }
}
