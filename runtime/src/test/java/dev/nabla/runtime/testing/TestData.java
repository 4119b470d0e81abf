package dev.nabla.runtime.testing;

import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.FashionMnist;
import dev.nabla.runtime.data.Idx;
import dev.nabla.runtime.data.IdxData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** Small data sets made on the spot, so that tests need no downloads. */
public final class TestData {

  private TestData() {}

  /**
   * {@code n} samples of {@code inputs} values in three separable clusters: class {@code c} has
   * its inputs around {@code +1} in the {@code c}-th third of the coordinates.
   */
  public static Dataset clusters(String name, int n, int inputs, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n * inputs];
    int[] labels = new int[n];
    for (int s = 0; s < n; s++) {
      int c = random.nextInt(3);
      labels[s] = c;
      for (int i = 0; i < inputs; i++) {
        float center = i * 3 / inputs == c ? 1f : 0f;
        x[s * inputs + i] = center + (float) (0.3 * random.nextGaussian());
      }
    }
    return Dataset.ofClasses(name, x, inputs, labels, List.of("left", "middle", "right"));
  }

  /** The exact solution of {@link #linear}: {@code W*} (outputs × inputs), then {@code b*}. */
  public static float[][] linearSolution(int inputs, int outputs) {
    float[] w = new float[outputs * inputs];
    float[] b = new float[outputs];
    for (int k = 0; k < outputs; k++) {
      for (int i = 0; i < inputs; i++) {
        w[k * inputs + i] = (float) Math.sin(1 + k * inputs + i);
      }
      b[k] = 0.5f - k;
    }
    return new float[][] {w, b};
  }

  /** Targets that are exactly {@code W* x + b*} for random inputs: least squares has its minimum 0 there. */
  public static Dataset linear(int n, int inputs, int outputs, long seed) {
    float[][] solution = linearSolution(inputs, outputs);
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n * inputs];
    float[] t = new float[n * outputs];
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < inputs; i++) {
        x[s * inputs + i] = (float) random.nextGaussian();
      }
      for (int k = 0; k < outputs; k++) {
        float y = solution[1][k];
        for (int i = 0; i < inputs; i++) {
          y += solution[0][k * inputs + i] * x[s * inputs + i];
        }
        t[s * outputs + k] = y;
      }
    }
    return Dataset.ofTargets("linear", x, inputs, t, outputs);
  }

  /** Writes a Fashion-MNIST-shaped directory: {@code train} and {@code test} images of 28×28 with labels 0..9. */
  public static void writeFakeFashionMnist(Path dir, int train, int test, boolean gzip) throws IOException {
    String suffix = gzip ? ".gz" : "";
    Idx.write(dir.resolve("train-images-idx3-ubyte" + suffix), images(train, 1), gzip);
    Idx.write(dir.resolve("train-labels-idx1-ubyte" + suffix), labels(train), gzip);
    Idx.write(dir.resolve("t10k-images-idx3-ubyte" + suffix), images(test, 2), gzip);
    Idx.write(dir.resolve("t10k-labels-idx1-ubyte" + suffix), labels(test), gzip);
  }

  public static IdxData images(int count, long seed) {
    byte[] pixels = new byte[count * FashionMnist.PIXELS];
    new SplittableRandom(seed).nextBytes(pixels);
    return new IdxData(new int[] {count, FashionMnist.ROWS, FashionMnist.COLUMNS}, pixels);
  }

  public static IdxData labels(int count) {
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) (i % 10);
    }
    return new IdxData(new int[] {count}, labels);
  }
}
