package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.runtime.Trainable;
import java.util.Arrays;
import java.util.Locale;

/**
 * One generated class, two instances in one JVM, one on one thread and one on two, timed in turn (so that the JIT, the
 * machine's load and the data are the same for both): samples/s of a pass, and the two-lane speedup. Arguments:
 * LAYERS ACTIVATION BATCH PASS (loss, gradients or step).
 */
public final class LaneScaling {
  private LaneScaling() {}

  public static void main(String[] args) throws Exception {
    String layers = args.length > 0 ? args[0] : "784-256-128-10";
    String activation = args.length > 1 ? args[1] : "tanh";
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
    String pass = args.length > 3 ? args[3] : "loss";
    int[] widths = Networks.widths(layers);
    String name = "Scaling" + layers.replace('-', '_');
    Trainable two = Networks.compile(name, Networks.spec(name, widths, activation), CodegenOptions.Backend.VECTOR, batch);
    Trainable one = two.getClass().asSubclass(Trainable.class).getConstructor(int.class, int.class).newInstance(batch, 1);
    one.initialize(42);
    two.initialize(42);
    int samples = 16 * 1024;
    int batches = samples / batch;
    float[] all = Networks.inputs(samples, widths[0], 7);
    int[] labels = Networks.labels(samples, widths[widths.length - 1], 7);
    float[][] xs = new float[batches][];
    int[][] ys = new int[batches][];
    for (int b = 0; b < batches; b++) {
      xs[b] = Arrays.copyOfRange(all, b * batch * widths[0], (b + 1) * batch * widths[0]);
      ys[b] = Arrays.copyOfRange(labels, b * batch, (b + 1) * batch);
    }
    Trainable[] models = {one, two};
    double[][] rates = new double[2][12];
    for (int round = 0; round < 16; round++) {
      Trainable model = models[round % 2];
      long start = System.nanoTime();
      long samplesDone = 0;
      int at = 0;
      long now;
      do {
        switch (pass) {
          case "loss" -> model.loss(xs[at], ys[at], batch);
          case "gradients" -> model.computeGradients(xs[at], ys[at], batch);
          default -> model.trainStep(xs[at], ys[at], batch, 0f);
        }
        at = (at + 1) % batches;
        samplesDone += batch;
        now = System.nanoTime();
      } while (now - start < 500_000_000L);
      if (round >= 4) {
        rates[round % 2][(round - 4) / 2] = samplesDone / ((now - start) / 1e9);
      }
    }
    for (int t = 0; t < 2; t++) {
      double[] r = Arrays.copyOf(rates[t], 6);
      Arrays.sort(r);
      System.out.printf(Locale.ROOT, "%s %s batch %d, %s, %d thread%s: %.1fk samples/s (median of 6; best %.1fk)%n", layers,
          activation, batch, pass, t + 1, t == 0 ? "" : "s", r[3] / 1e3, r[5] / 1e3);
    }
  }
}
