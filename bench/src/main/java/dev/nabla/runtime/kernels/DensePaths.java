package dev.nabla.runtime.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The two paths of a wide layer's forward product, {@code PanamaFloat.densePanels} (the inputs copied into panels) and
 * {@code denseRowBlocks} (w copied into blocks of rows), in turn in one JVM, 150 ms of each at a time: on a host whose
 * neighbours move the memory bandwidth from one minute to the next, only runs interleaved this finely compare. A
 * microbenchmark, in this package because the paths are the kernels' own:
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.nabla.runtime.kernels.DensePaths ROWS COLUMNS SAMPLES THREADS</pre>
 *
 * Each thread runs the product over SAMPLES samples of its own, as a lane does; GFLOP/s of all threads together.
 */
public final class DensePaths {
  private static final int ROUNDS = 40;
  private static final int WARM_UP_ROUNDS = 10;

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: DensePaths ROWS COLUMNS SAMPLES THREADS (the lesson's wide layer: 256 784 512 2)");
      System.exit(2);
    }
    int rows = Integer.parseInt(args[0]), columns = Integer.parseInt(args[1]);
    int samples = Integer.parseInt(args[2]), threads = Integer.parseInt(args[3]);
    SplittableRandom random = new SplittableRandom(1);
    float[] w = new float[rows * columns];
    float[] bias = new float[rows];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextDouble(-0.1, 0.1);
    }
    float[][] x = new float[threads][samples * columns];
    float[][] out = new float[threads][samples * rows];
    Workspace[] work = new Workspace[threads];
    for (int t = 0; t < threads; t++) {
      work[t] = new Workspace();
      for (int i = 0; i < x[t].length; i++) {
        x[t][i] = (float) random.nextDouble();
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    double flops = 2.0 * rows * columns * samples * threads;
    double[][] rates = new double[2][ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      for (int path = 0; path < 2; path++) {
        boolean panels = path == 0;
        long start = System.nanoTime();
        int calls = 0;
        while (System.nanoTime() - start < 150_000_000L) {
          Future<?>[] running = new Future<?>[threads];
          for (int t = 0; t < threads; t++) {
            int lane = t;
            running[t] = pool.submit(() -> {
              if (panels) {
                PanamaFloat.densePanels(work[lane], w, rows, columns, bias, x[lane], 0, columns, null, 0, samples,
                    out[lane], 0, rows);
              } else {
                PanamaFloat.denseRowBlocks(work[lane], w, rows, columns, bias, x[lane], 0, columns, null, 0, samples,
                    out[lane], 0, rows);
              }
            });
          }
          for (Future<?> call : running) {
            call.get();
          }
          calls++;
        }
        rates[path][round] = flops * calls / ((System.nanoTime() - start) / 1e9) / 1e9;
      }
    }
    pool.shutdown();
    int ahead = 0;
    for (int round = WARM_UP_ROUNDS; round < ROUNDS; round++) {
      if (rates[1][round] > rates[0][round]) {
        ahead++;
      }
    }
    System.out.printf("%dx%d over %d samples on %d threads, GFLOP/s (median of %d rounds): densePanels %.1f, "
        + "denseRowBlocks %.1f; row blocks ahead in %d of %d%n", rows, columns, samples, threads, ROUNDS - WARM_UP_ROUNDS,
        median(rates[0]), median(rates[1]), ahead, ROUNDS - WARM_UP_ROUNDS);
  }

  private static double median(double[] rates) {
    double[] measured = Arrays.copyOfRange(rates, WARM_UP_ROUNDS, rates.length);
    Arrays.sort(measured);
    return measured[measured.length / 2];
  }
}
