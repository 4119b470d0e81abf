package dev.nabla.bench;

import dev.nabla.runtime.kernels.Activations;
import dev.nabla.runtime.kernels.KernelSupport;
import dev.nabla.runtime.kernels.Kernels;
import dev.nabla.runtime.kernels.Workspace;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The kernel calls of one lane's 784-256-128-10 tanh training step, in the order the generated class makes
 * them, each timed in place over {@value #CALLS} passes after a warm-up on the same shapes: the fastest and the median,
 * in microseconds and GFLOP/s, and the whole sequence's likewise as samples per second of one lane. On a shared machine
 * the two differ by 1.3 to 2 times (bench/RESULTS.md): the fastest says what the code can do, the median what a pass
 * gets. What a step costs beyond this sum is outside the kernels (the elementwise loops, the lanes' handoff, the
 * gradient sum and the SGD step). Arguments: {@code SAMPLES} (a lane's share of the batch: 32 of 64, 512 of 1024) and
 * {@code WARMUP_SECONDS} (4) and {@code LANES} (1; with 2, a second thread runs the same pass on arrays of its own
 * meanwhile, as a model's second lane does); run with {@code --add-modules jdk.incubator.vector} for the Vector API kernels:
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.nabla.bench.LaneKernels 32}.
 */
public final class LaneKernels {
  private LaneKernels() {}

  static final int CALLS = 300;

  /** One timed kernel call of the pass, on the arrays {@link #main} made. */
  private record Call(String name, long flopsPerSample, Runnable body) {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 4;
    int lanes = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    KernelSupport k = Kernels.get();
    SplittableRandom random = new SplittableRandom(1);
    // The parameters are shared, as a model's lanes share them; the per-sample values and gradients are each lane's.
    float[] w1 = values(256 * 784, random, 0.05), b1 = values(256, random, 0.05);
    float[] w2 = values(128 * 256, random, 0.06), b2 = values(128, random, 0.06);
    float[] w3 = values(10 * 128, random, 0.09), b3 = values(10, random, 0.09);
    Call[] calls = calls(k, n, new SplittableRandom(2), w1, b1, w2, b2, w3, b3);
    // The other lanes run the same pass on their own arrays for as long as lane 0 is timed: what a lane's kernels
    // do while another lane shares the memory and L3 with it.
    AtomicBoolean done = new AtomicBoolean();
    for (int t = 1; t < lanes; t++) {
      Call[] own = calls(k, n, new SplittableRandom(2 + t), w1, b1, w2, b2, w3, b3);
      Thread lane = new Thread(() -> {
        while (!done.get()) {
          for (Call call : own) {
            call.body().run();
          }
        }
      }, "lane-" + t);
      lane.setDaemon(true);
      lane.start();
    }
    long[][] times = new long[calls.length][CALLS];
    long[] passes = new long[CALLS];
    long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
    for (int pass = 0; pass < CALLS; ) {
      boolean timed = System.nanoTime() >= warmEnd;
      long passStart = System.nanoTime();
      for (int c = 0; c < calls.length; c++) {
        long start = System.nanoTime();
        calls[c].body().run();
        long took = System.nanoTime() - start;
        if (timed) {
          times[c][pass] = took;
        }
      }
      if (timed) {
        passes[pass++] = System.nanoTime() - passStart;
      }
    }
    done.set(true);
    System.out.printf(Locale.ROOT, "%s kernels, %d samples, lane 0 of %d, %d passes after %.0f s (fastest, median):%n", k.name(), n, lanes, CALLS, warmup);
    for (int c = 0; c < calls.length; c++) {
      java.util.Arrays.sort(times[c]);
      long best = times[c][0], median = times[c][CALLS / 2];
      String rate = calls[c].flopsPerSample() == 0 ? ""
          : String.format(Locale.ROOT, "%6.1f %6.1f GFLOP/s", calls[c].flopsPerSample() * (double) n / best,
              calls[c].flopsPerSample() * (double) n / median);
      System.out.printf(Locale.ROOT, "  %-24s %9.1f %9.1f us %s%n", calls[c].name(), best / 1e3, median / 1e3, rate);
    }
    java.util.Arrays.sort(passes);
    System.out.printf(Locale.ROOT, "  the whole pass           %9.1f %9.1f us: %.1fk, %.1fk samples/s on one lane%n",
        passes[0] / 1e3, passes[CALLS / 2] / 1e3, n / (passes[0] / 1e9) / 1e3, n / (passes[CALLS / 2] / 1e9) / 1e3);
  }

  /** The calls of one lane's pass over {@code n} samples of its own, with the shared parameters. */
  private static Call[] calls(KernelSupport k, int n, SplittableRandom random, float[] w1, float[] b1, float[] w2,
      float[] b2, float[] w3, float[] b3) {
    Workspace work = new Workspace();
    float[] x = values(n * 784, random, 1);
    float[] z1 = new float[n * 256], y1 = new float[n * 256], z2 = new float[n * 128], y2 = new float[n * 128];
    float[] z3 = new float[n * 10];
    float[] d3 = values(n * 10, random, 0.1), d2 = values(n * 128, random, 0.1), d1 = values(n * 256, random, 0.1);
    float[] g1 = new float[256 * 784], g2 = new float[128 * 256], g3 = new float[10 * 128];
    float[] dy2 = new float[n * 128], dy1 = new float[n * 256];
    float scale = 1f / n;
    return new Call[] {
        new Call("dense 256x784", 2L * 256 * 784, () -> k.dense(work, w1, 256, 784, b1, x, 0, 784, null, 0, n, z1, 0, 256)),
        new Call("tanh 256", 0, () -> Activations.tanh(z1, 0, y1, 0, n * 256)),
        new Call("dense 128x256", 2L * 128 * 256, () -> k.dense(work, w2, 128, 256, b2, y1, 0, 256, null, 0, n, z2, 0, 128)),
        new Call("tanh 128", 0, () -> Activations.tanh(z2, 0, y2, 0, n * 128)),
        new Call("dense 10x128", 2L * 10 * 128, () -> k.dense(work, w3, 10, 128, b3, y2, 0, 128, null, 0, n, z3, 0, 10)),
        new Call("weightGradient 10x128", 2L * 10 * 128, () -> k.weightGradient(work, g3, 10, 128, d3, 0, 10, y2, 0, 128, null, 0, n, scale)),
        new Call("transposedDense 10x128", 2L * 10 * 128, () -> k.transposedDense(work, w3, 10, 128, d3, 0, 10, 0, n, dy2, 0, 128)),
        new Call("weightGradient 128x256", 2L * 128 * 256, () -> k.weightGradient(work, g2, 128, 256, d2, 0, 128, y1, 0, 256, null, 0, n, scale)),
        new Call("transposedDense 128x256", 2L * 128 * 256, () -> k.transposedDense(work, w2, 128, 256, d2, 0, 128, 0, n, dy1, 0, 256)),
        new Call("weightGradient 256x784", 2L * 256 * 784, () -> k.weightGradient(work, g1, 256, 784, d1, 0, 256, x, 0, 784, null, 0, n, scale)),
    };
  }

  private static float[] values(int size, SplittableRandom random, double scale) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return values;
  }
}
