package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.metrics.Evaluator;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The test set's evaluation alone, as the trainer runs it after each epoch: its {@link Evaluator} on 10,000 synthetic
 * images in batches of 1000, beside {@code evaluate} on the same batches sliced beforehand (no copy at all), in
 * samples per second, six rounds of each in turn, each the median of a second's evaluations. What the A/B of a change
 * to the evaluation runs, one jar and then the other:
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.nabla.bench.EvaluationRate 784-20-10 relu}.
 */
public final class EvaluationRate {
  private EvaluationRate() {}

  private static final int TEST = 10_000;
  private static final int BATCH = 1000;
  private static final int ROUNDS = 6;

  public static void main(String[] args) {
    int[] widths = Networks.widths(args.length > 0 ? args[0] : "784-20-10");
    String activation = args.length > 1 ? args[1] : "relu";
    int classes = widths[widths.length - 1];
    List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    Dataset test = Dataset.ofClasses("test", Networks.inputs(TEST, widths[0], 2), widths[0],
        Networks.labels(TEST, classes, 2), names);
    Trainable model = Networks.compile("Evaluated", Networks.spec("Evaluated", widths, activation),
        CodegenOptions.Backend.VECTOR, BATCH);
    model.initialize(1);
    Evaluator evaluator = new Evaluator(model, test, BATCH);
    float[][] inputs = new float[TEST / BATCH][];
    int[][] labels = new int[TEST / BATCH][];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = Arrays.copyOfRange(test.x(), i * BATCH * widths[0], (i + 1) * BATCH * widths[0]);
      labels[i] = Arrays.copyOfRange(test.labels(), i * BATCH, (i + 1) * BATCH);
    }
    float[] out = new float[BATCH * classes];
    for (int round = 0; round < ROUNDS; round++) {
      double byEvaluator = rate(() -> evaluator.evaluate(model, test));
      double sliced = rate(() -> {
        for (int i = 0; i < inputs.length; i++) {
          model.evaluate(inputs[i], labels[i], BATCH, out);
        }
      });
      System.out.printf("evaluator %.0f   sliced beforehand %.0f samples/s%n", byEvaluator, sliced);
    }
  }

  /** The median of the rates of {@code evaluation} over a second (at least 5 runs). */
  private static double rate(Runnable evaluation) {
    long end = System.nanoTime() + 1_000_000_000L;
    double[] rates = new double[64];
    int runs = 0;
    while (runs < rates.length && (System.nanoTime() < end || runs < 5)) {
      long start = System.nanoTime();
      evaluation.run();
      rates[runs++] = TEST / ((System.nanoTime() - start) / 1e9);
    }
    return EndToEnd.median(Arrays.copyOf(rates, runs));
  }
}
