package dev.nabla.bench;

import dev.nabla.runtime.kernels.Losses;
import java.util.SplittableRandom;

/**
 * The cross-entropy of 1000 rows of 10 scores, in nanoseconds a row: the runtime's {@code Losses.crossEntropy} (e^x by
 * {@code Exp.ofFloat}) beside the same loop with {@code (float) Math.exp}, as the runtime had it before (kept here as
 * the baseline), each the fastest of 3000 calls, four rounds in turn.
 * {@code java -cp bench/target/benchmarks.jar dev.nabla.bench.ExpRows}
 */
public final class ExpRows {
  private ExpRows() {}

  private static final int ROWS = 1000;
  private static final int WIDTH = 10;

  public static void main(String[] args) {
    SplittableRandom random = new SplittableRandom(1);
    float[] scores = new float[ROWS * WIDTH];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = (float) (random.nextGaussian() * 3);
    }
    int[] labels = random.ints(ROWS, 0, WIDTH).toArray();
    float[] loss = new float[ROWS];
    for (int round = 0; round < 4; round++) {
      double runtime = fastest(() -> Losses.crossEntropy(scores, 0, WIDTH, WIDTH, labels, loss, 0, ROWS));
      double mathExp = fastest(() -> crossEntropyByMathExp(scores, labels, loss));
      System.out.printf("Losses.crossEntropy %.1f ns/row   with (float) Math.exp %.1f ns/row%n", runtime, mathExp);
    }
  }

  /** The runtime's loop before Exp.ofFloat: the same sums, e^x through the JDK's double exp. */
  private static void crossEntropyByMathExp(float[] z, int[] labels, float[] loss) {
    for (int b = 0; b < ROWS; b++) {
      int in = b * WIDTH;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < WIDTH; i++) {
        max = Math.max(max, z[in + i]);
      }
      float sum = 0;
      for (int i = 0; i < WIDTH; i++) {
        sum += (float) Math.exp(z[in + i] - max);
      }
      loss[b] = max + (float) Math.log(sum) - z[in + labels[b]];
    }
  }

  private static double fastest(Runnable rows) {
    long best = Long.MAX_VALUE;
    for (int k = 0; k < 3000; k++) {
      long start = System.nanoTime();
      rows.run();
      best = Math.min(best, System.nanoTime() - start);
    }
    return best / (double) ROWS;
  }
}
