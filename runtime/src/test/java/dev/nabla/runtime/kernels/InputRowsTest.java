package dev.nabla.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The products that read a shuffled batch where it lies in its data set, through {@code xRows}, give the bits they
 * give on the same samples copied into a batch of their own: the trainer's step then copies nothing and trains the
 * same model. Every path of each kernel is hit: the dot-product tiles, the narrow layer's tiles of 4 and 8 samples
 * and of 3 vectors, the packed panels, and the weight gradient's tiles and leftover columns.
 */
class InputRowsTest {
  /** Weight shapes (rows × columns) that take each path of dense and weightGradient on 8- and 16-float vectors. */
  static final int[][] SHAPES = {
      {20, 784}, {10, 20}, {24, 100}, {12, 50}, {40, 100}, {6, 200}, {256, 784}, {2, 100}, {10, 128}, {7, 33}};
  /** Samples in the data set, of which each batch takes some in a shuffled order. */
  static final int DATA = 97;

  static java.util.stream.Stream<KernelSupport> implementations() {
    return KernelsTest.implementations();
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void denseReadsTheRowsAsItReadsTheirCopy(KernelSupport kernels) {
    SplittableRandom random = new SplittableRandom(5);
    for (int[] shape : SHAPES) {
      int rows = shape[0], columns = shape[1];
      for (int samples : new int[] {1, 3, 9, 37, 64}) {
        double[] data = KernelsTest.values(DATA * columns, random);
        int[] order = order(samples, random);
        double[] batch = copy(data, order, columns);
        double[] w = KernelsTest.values(rows * columns, random);
        double[] bias = KernelsTest.values(rows, random);
        int lo = samples > 8 ? 2 : 0;
        float[] copiedF = new float[samples * rows], inPlaceF = new float[samples * rows];
        double[] copiedD = new double[samples * rows], inPlaceD = new double[samples * rows];
        float[] wF = KernelsTest.floats(w), biasF = KernelsTest.floats(bias);
        kernels.dense(new Workspace(), wF, rows, columns, biasF, KernelsTest.floats(batch), 0, columns, null, lo,
            samples, copiedF, 0, rows);
        kernels.dense(new Workspace(), wF, rows, columns, biasF, KernelsTest.floats(data), 0, columns, order, lo,
            samples, inPlaceF, 0, rows);
        kernels.dense(new Workspace(), w, rows, columns, bias, batch, 0, columns, null, lo, samples, copiedD, 0, rows);
        kernels.dense(new Workspace(), w, rows, columns, bias, data, 0, columns, order, lo, samples, inPlaceD, 0, rows);
        String what = kernels.name() + " dense " + rows + "x" + columns + " over samples " + lo + " to " + samples;
        assertArrayEquals(copiedF, inPlaceF, what + " (float)");
        assertArrayEquals(copiedD, inPlaceD, what + " (double)");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void weightGradientReadsTheRowsAsItReadsTheirCopy(KernelSupport kernels) {
    SplittableRandom random = new SplittableRandom(6);
    for (int[] shape : SHAPES) {
      int rows = shape[0], columns = shape[1];
      for (int samples : new int[] {1, 5, 37, 150}) {
        double[] data = KernelsTest.values(DATA * 2 * columns, random);
        int[] order = order(samples, random);
        // The inputs at an offset in each row, as a spec's second input lies past its first.
        int offset = columns;
        double[] batch = copy(data, order, 2 * columns);
        double[] d = KernelsTest.values(samples * rows, random);
        double[] g = KernelsTest.values(rows * columns, random);
        float[] copiedF = KernelsTest.floats(g), inPlaceF = KernelsTest.floats(g);
        double[] copiedD = g.clone(), inPlaceD = g.clone();
        float[] dF = KernelsTest.floats(d);
        float scale = 1f / samples;
        kernels.weightGradient(new Workspace(), copiedF, rows, columns, dF, 0, rows, KernelsTest.floats(batch), offset,
            2 * columns, null, 0, samples, scale);
        kernels.weightGradient(new Workspace(), inPlaceF, rows, columns, dF, 0, rows, KernelsTest.floats(data), offset,
            2 * columns, order, 0, samples, scale);
        kernels.weightGradient(new Workspace(), copiedD, rows, columns, d, 0, rows, batch, offset, 2 * columns, null, 0,
            samples, scale);
        kernels.weightGradient(new Workspace(), inPlaceD, rows, columns, d, 0, rows, data, offset, 2 * columns, order, 0,
            samples, scale);
        String what = kernels.name() + " weightGradient " + rows + "x" + columns + " over " + samples + " samples";
        assertArrayEquals(copiedF, inPlaceF, what + " (float)");
        assertArrayEquals(copiedD, inPlaceD, what + " (double)");
      }
    }
  }

  /** {@code samples} distinct rows of the data set in a random order, as a step of a shuffled epoch takes them. */
  private static int[] order(int samples, SplittableRandom random) {
    int[] all = new int[DATA];
    for (int i = 0; i < DATA; i++) {
      all[i] = i;
    }
    for (int i = DATA - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return java.util.Arrays.copyOf(all, samples);
  }

  /** The rows {@code order} of {@code data} (each {@code size} values), copied one after another. */
  private static double[] copy(double[] data, int[] order, int size) {
    double[] batch = new double[order.length * size];
    for (int b = 0; b < order.length; b++) {
      System.arraycopy(data, order[b] * size, batch, b * size, size);
    }
    return batch;
  }
}
