package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import java.util.Arrays;
import java.util.Locale;

/**
 * The generated class's passes on pre-sliced batches, each timed on its own after a warm-up on the same shapes:
 * the forward pass ({@code loss}), forward and backward with the lanes' gradient sum ({@code computeGradients})
 * and the whole step ({@code trainStep}), as samples per second, the fastest and the median of
 * {@value #ROUNDS} rounds of {@value #ROUND_SECONDS} s. Their differences split a step: backward = gradients −
 * loss, and the step's own part (the SGD update) = trainStep − gradients. The threads are the model's default
 * ({@code -Dnabla.threads=1|2}). Arguments: {@code LAYERS} (784-256-128-10), {@code ACTIVATION} (tanh), {@code
 * BATCH} (1024), {@code WARMUP_SECONDS} (3):
 * {@code java --add-modules jdk.incubator.vector -Dnabla.threads=2 -cp bench/target/benchmarks.jar dev.nabla.bench.StepPasses 784-256-128-10 tanh 64}.
 */
public final class StepPasses {
  private StepPasses() {}

  static final int ROUNDS = 10;
  static final double ROUND_SECONDS = 0.3;
  /** Samples the batches are sliced from. */
  static final int SAMPLES = 16 * 1024;

  private interface Pass {
    void run(float[] x, int[] labels, int n);
  }

  public static void main(String[] args) {
    String layers = args.length > 0 ? args[0] : "784-256-128-10";
    String activation = args.length > 1 ? args[1] : "tanh";
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
    double warmup = args.length > 3 ? Double.parseDouble(args[3]) : 3;
    int[] widths = Networks.widths(layers);
    String name = "Step" + layers.replace('-', '_');
    Trainable model = Networks.compile(name, Networks.spec(name, widths, activation), CodegenOptions.Backend.VECTOR, batch);
    model.initialize(42);
    // -Dcopies=N: N − 1 more models of the same class, each on a thread of its own, run the same pass meanwhile (set
    // -Dnabla.threads=1): what one-lane models on both cores do at once, with no handoff and no sum between them.
    int copies = Integer.getInteger("copies", 1);
    java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger(-1);
    int inputs = widths[0];
    int batches = SAMPLES / batch;
    float[][] xs = new float[batches][];
    int[][] ys = new int[batches][];
    float[] all = Networks.inputs(SAMPLES, inputs, 7);
    int[] labels = Networks.labels(SAMPLES, widths[widths.length - 1], 7);
    for (int b = 0; b < batches; b++) {
      xs[b] = Arrays.copyOfRange(all, b * batch * inputs, (b + 1) * batch * inputs);
      ys[b] = Arrays.copyOfRange(labels, b * batch, (b + 1) * batch);
    }
    String[] names = {"loss (forward)", "computeGradients", "trainStep"};
    Pass[] passes = {
        (x, y, n) -> model.loss(x, y, n),
        (x, y, n) -> model.computeGradients(x, y, n),
        // A rate of 0 leaves the parameters where they are: every round times the same arithmetic.
        (x, y, n) -> model.trainStep(x, y, n, 0f),
    };
    System.out.printf(Locale.ROOT, "%s %s, batch %d, %s kernels, threads %s; samples/s, fastest (median) of %d rounds of %.1f s after %.0f s:%n",
        layers, activation, batch, dev.nabla.runtime.kernels.Kernels.get().name(), System.getProperty("nabla.threads", "default"),
        ROUNDS, ROUND_SECONDS, warmup);
    for (int c = 1; c < copies; c++) {
      Trainable copy;
      try {
        copy = model.getClass().asSubclass(Trainable.class).getConstructor(int.class).newInstance(batch);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      copy.initialize(42);
      Pass[] own = {
          (x, y, n) -> copy.loss(x, y, n), (x, y, n) -> copy.computeGradients(x, y, n), (x, y, n) -> copy.trainStep(x, y, n, 0f)};
      int first = c;
      Thread thread = new Thread(() -> {
        int at = first % batches;
        while (true) {
          int p = running.get();
          if (p == -2) {
            return;
          }
          if (p >= 0) {
            own[p].run(xs[at], ys[at], batch);
            at = (at + 1) % batches;
          } else {
            Thread.onSpinWait();
          }
        }
      });
      thread.setDaemon(true);
      thread.start();
    }
    double[] best = new double[passes.length];
    for (int p = 0; p < passes.length; p++) {
      running.set(p);
      long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
      int at = 0;
      while (System.nanoTime() < warmEnd) {
        passes[p].run(xs[at], ys[at], batch);
        at = (at + 1) % batches;
      }
      double[] rates = new double[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        long start = System.nanoTime();
        long end = start + (long) (ROUND_SECONDS * 1e9);
        long samples = 0;
        long now;
        do {
          passes[p].run(xs[at], ys[at], batch);
          at = (at + 1) % batches;
          samples += batch;
          now = System.nanoTime();
        } while (now < end);
        rates[r] = samples / ((now - start) / 1e9);
      }
      Arrays.sort(rates);
      best[p] = rates[ROUNDS - 1];
      System.out.printf(Locale.ROOT, "  %-18s %9.1fk (%.1fk)  %8.1f us a batch%n", names[p], rates[ROUNDS - 1] / 1e3,
          rates[ROUNDS / 2] / 1e3, batch / rates[ROUNDS - 1] * 1e6);
    }
    running.set(-2);
    if (copies > 1) {
      System.out.printf(Locale.ROOT, "  (model 0 of %d copies running at once: the samples/s of all is about %d times these)%n", copies, copies);
    }
    double forward = batch / best[0] * 1e6, gradients = batch / best[1] * 1e6, step = batch / best[2] * 1e6;
    System.out.printf(Locale.ROOT, "  a batch at best: forward %.1f us, backward and sum %.1f us, the update %.1f us%n",
        forward, gradients - forward, step - gradients);
  }
}
