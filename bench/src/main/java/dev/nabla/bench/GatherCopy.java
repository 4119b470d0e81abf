package dev.nabla.bench;

import java.util.SplittableRandom;

/**
 * The copy of each step's shuffled rows alone, as a lane of the trainer makes it ({@code Minibatch.copy}), on one
 * thread: 60,000 rows of 784 floats in a random order, a batch of {@code ROWS} at a time into one buffer, in
 * nanoseconds a row; beside two ways tried to make it cheaper, a read of the row {@code 4} ahead before each copy (a
 * prefetch by hand) and the pixels kept as bytes and decoded through a table of 256 floats.
 * {@code java -XX:+UseTransparentHugePages -Xmx2g -cp bench/target/benchmarks.jar dev.nabla.bench.GatherCopy 32}
 * (a lane's share of a batch of 64; 512 for 1024).
 */
public final class GatherCopy {
  private GatherCopy() {}

  private static final int SAMPLES = 60_000;
  private static final int SIZE = 784;
  private static final int AHEAD = 4;
  /** Keeps the reads ahead from being optimized away. */
  static float sink;

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    SplittableRandom random = new SplittableRandom(3);
    byte[] pixels = new byte[SAMPLES * SIZE];
    float[] inputs = new float[SAMPLES * SIZE];
    float[] table = new float[256];
    for (int code = 0; code < 256; code++) {
      table[code] = code / 255f;
    }
    for (int i = 0; i < inputs.length; i++) {
      pixels[i] = (byte) random.nextInt(256);
      inputs[i] = table[pixels[i] & 0xff];
    }
    int[] order = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      order[i] = i;
    }
    for (int i = SAMPLES - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    float[] batch = new float[rows * SIZE];
    String[] ways = {"copy", "read ahead", "bytes by table"};
    for (int round = 0; round < 6; round++) {
      StringBuilder line = new StringBuilder();
      for (int way = 0; way < ways.length; way++) {
        long start = System.nanoTime();
        for (int from = 0; from + rows <= SAMPLES; from += rows) {
          switch (way) {
            case 0 -> copy(inputs, order, from, batch, rows);
            case 1 -> readAhead(inputs, order, from, batch, rows);
            default -> decode(pixels, table, order, from, batch, rows);
          }
        }
        line.append(String.format("%s %.0f ns/row   ", ways[way], (System.nanoTime() - start) / (double) SAMPLES));
      }
      System.out.println(line);
    }
  }

  private static void copy(float[] inputs, int[] order, int from, float[] batch, int rows) {
    for (int i = 0; i < rows; i++) {
      System.arraycopy(inputs, order[from + i] * SIZE, batch, i * SIZE, SIZE);
    }
  }

  private static void readAhead(float[] inputs, int[] order, int from, float[] batch, int rows) {
    float touched = 0;
    for (int i = 0; i < rows; i++) {
      if (i + AHEAD < rows) {
        touched += inputs[order[from + i + AHEAD] * SIZE];
      }
      System.arraycopy(inputs, order[from + i] * SIZE, batch, i * SIZE, SIZE);
    }
    sink += touched;
  }

  private static void decode(byte[] pixels, float[] table, int[] order, int from, float[] batch, int rows) {
    for (int i = 0; i < rows; i++) {
      int in = order[from + i] * SIZE;
      int out = i * SIZE;
      for (int k = 0; k < SIZE; k++) {
        batch[out + k] = table[pixels[in + k] & 0xff];
      }
    }
  }
}
