package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.metrics.Evaluator;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.train.Schedule;
import dev.nabla.runtime.train.TerminalProgress;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.Trainer;
import dev.nabla.runtime.train.TrainingResult;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * End to end, as {@code nabla train} runs: the runtime's {@link Trainer} (shuffle, gather, step, checks, progress
 * bar, test evaluation) on an epoch of {@value #TRAIN} synthetic images, against the bare {@code trainStep} on the
 * same shuffled batches gathered beforehand, and the evaluation of {@value #TEST} test images. One JSON object per
 * case on standard output; {@code bench/run-e2e} runs it beside PyTorch's loop ({@code bench/pytorch_e2e.py}).
 *
 * <p>Arguments: {@code CASE...} as {@code 784-20-10:relu:64}; {@code -Depochs=3} (the first is the warm-up; the
 * figure is the median of the others), {@code -Dbackend=scalar|vector}.
 */
public final class EndToEnd {
  static final int TRAIN = 60_000;
  static final int TEST = 10_000;
  static final float LEARNING_RATE = 0.01f;
  static final long SEED = 1;

  public static void main(String[] args) {
    int epochs = Integer.getInteger("epochs", 3);
    CodegenOptions.Backend backend = CodegenOptions.Backend.valueOf(System.getProperty("backend", "scalar").toUpperCase(Locale.ROOT));
    List<String> cases = args.length > 0 ? List.of(args)
        : List.of("784-20-10:relu:64", "784-20-10:relu:1024", "784-256-128-10:tanh:64", "784-256-128-10:tanh:1024");
    for (String c : cases) {
      String[] parts = c.split(":");
      System.out.println(run(parts[0], parts[1], Integer.parseInt(parts[2]), backend, epochs));
      System.out.flush();
    }
  }

  static String run(String layers, String activation, int batch, CodegenOptions.Backend backend, int epochs) {
    int[] widths = Networks.widths(layers);
    int classes = widths[widths.length - 1];
    List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    Dataset train = Dataset.ofClasses("train", Networks.inputs(TRAIN, widths[0], 1), widths[0],
        Networks.labels(TRAIN, classes, 1), names);
    Dataset test = Dataset.ofClasses("test", Networks.inputs(TEST, widths[0], 2), widths[0], Networks.labels(TEST, classes, 2), names);
    String name = "E2e" + layers.replace('-', '_') + activation + backend.name().charAt(0);
    String spec = Networks.spec(name, widths, activation);

    // The trainer, as nabla train runs it: the model's buffers sized for the batch and the evaluation batches, a
    // progress bar drawn (to nowhere).
    int capacity = Math.max(batch, Trainer.EVALUATION_BATCH);
    Trainable model = Networks.compile(name, spec, backend, capacity);
    model.initialize(42);
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    TrainConfig config = new TrainConfig(epochs, batch, LEARNING_RATE, Schedule.constant(), OptimizerSpec.sgd(), SEED, null, null,
        new TerminalProgress(nowhere, System::nanoTime));
    TrainingResult result;
    try {
      result = new Trainer(config).train(model, train, test);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    List<EpochMetrics> history = result.history();
    double trainer = median(history.stream().skip(1).mapToDouble(EpochMetrics::samplesPerSecond).toArray());
    double trainerEvaluation = median(history.stream().skip(1).mapToDouble(m -> TEST / m.evaluationSeconds()).toArray());

    // The bare trainStep on the same batches (the trainer's shuffle), each batch in its own array beforehand.
    Trainable bare = Networks.compile(name, spec, backend, capacity);
    bare.initialize(42);
    double[] bareRates = new double[epochs];
    int steps = (TRAIN + batch - 1) / batch;
    int[] order = new int[TRAIN];
    float[][] xs = new float[steps][];
    int[][] ys = new int[steps][];
    for (int epoch = 0; epoch < epochs; epoch++) {
      Trainer.shuffle(order, SEED, epoch);
      for (int s = 0; s < steps; s++) {
        int n = Math.min(batch, TRAIN - s * batch);
        if (xs[s] == null) {
          xs[s] = new float[n * widths[0]];
          ys[s] = new int[n];
        }
        for (int i = 0; i < n; i++) {
          int sample = order[s * batch + i];
          System.arraycopy(train.x(), sample * widths[0], xs[s], i * widths[0], widths[0]);
          ys[s][i] = train.labels()[sample];
        }
      }
      long start = System.nanoTime();
      double sum = 0;
      for (int s = 0; s < steps; s++) {
        sum += bare.trainStep(xs[s], ys[s], ys[s].length, LEARNING_RATE);
      }
      bareRates[epoch] = TRAIN / ((System.nanoTime() - start) / 1e9);
      if (!Double.isFinite(sum)) {
        throw new IllegalStateException("the bare loop diverged");
      }
    }
    double bareRate = median(Arrays.copyOfRange(bareRates, 1, epochs));

    // The evaluation of the test set in batches of 1000 (the trainer's, when the model's buffers hold them).
    Trainable evaluated = Networks.compile(name, spec, backend, Trainer.EVALUATION_BATCH);
    evaluated.initialize(42);
    Evaluator evaluator = new Evaluator(evaluated, test, Trainer.EVALUATION_BATCH);
    double[] evaluations = new double[6];
    for (int r = 0; r < evaluations.length; r++) {
      long start = System.nanoTime();
      evaluator.evaluate(evaluated, test);
      evaluations[r] = TEST / ((System.nanoTime() - start) / 1e9);
    }
    float[] out = new float[Trainer.EVALUATION_BATCH * classes];
    float[] block = new float[Trainer.EVALUATION_BATCH * widths[0]];
    double[] predictions = new double[6];
    for (int r = 0; r < predictions.length; r++) {
      long start = System.nanoTime();
      for (int from = 0; from < TEST; from += Trainer.EVALUATION_BATCH) {
        System.arraycopy(test.x(), from * widths[0], block, 0, block.length);
        evaluated.predict(block, Trainer.EVALUATION_BATCH, out);
      }
      predictions[r] = TEST / ((System.nanoTime() - start) / 1e9);
    }

    List<String> fields = new ArrayList<>();
    fields.add(String.format(Locale.ROOT, "\"network\": \"%s %s\", \"batch\": %d, \"backend\": \"%s\", \"gather\": \"%s\"",
        layers, activation, batch, backend.name().toLowerCase(Locale.ROOT), System.getProperty("nabla.gather", "default")));
    fields.add(String.format(Locale.ROOT, "\"trainer\": %.0f, \"bare_train_step\": %.0f, \"trainer_over_bare\": %.3f",
        trainer, bareRate, trainer / bareRate));
    fields.add(String.format(Locale.ROOT, "\"trainer_epochs\": %s, \"bare_epochs\": %s",
        json(history.stream().mapToDouble(EpochMetrics::samplesPerSecond).toArray()), json(bareRates)));
    fields.add(String.format(Locale.ROOT, "\"evaluation\": %.0f, \"evaluation_in_trainer\": %.0f, \"predict\": %.0f",
        median(Arrays.copyOfRange(evaluations, 1, evaluations.length)), trainerEvaluation,
        median(Arrays.copyOfRange(predictions, 1, predictions.length))));
    return "{" + String.join(", ", fields) + "}";
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static String json(double[] values) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      text.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", values[i]));
    }
    return text.append(']').toString();
  }
}
