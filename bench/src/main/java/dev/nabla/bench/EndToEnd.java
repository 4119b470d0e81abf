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
 * <p>Steady state, and the warm-up apart. The two loops take their epochs in turn, a trainer's epoch (one
 * {@code Trainer.train} of one epoch, its evaluation included, the model trained on from one to the next) then a bare
 * one, so that both see the same JIT and the same load at each epoch; the figure of each is the median of its
 * epochs' second half ({@code -Depochs=10}: epochs 6 to 10, after 1–2 s of warm-up at least), and its first epoch
 * is a field of its own: what a user's run starts with. The evaluation and {@code predict} are timed after
 * {@value #WARM_UP_NANOS} ns of warm-up of their own, on the same batches.
 *
 * <p>Arguments: {@code CASE...} as {@code 784-20-10:relu:64}; {@code -Depochs=10}, {@code -Dbackend=scalar|vector}.
 */
public final class EndToEnd {
  static final int TRAIN = 60_000;
  static final int TEST = 10_000;
  static final float LEARNING_RATE = 0.01f;
  static final long SEED = 1;
  /** How long the evaluation and predict run before they are timed: past the JIT's compiling of their shapes. */
  static final long WARM_UP_NANOS = 2_000_000_000L;
  /** Timed rounds of the evaluation and of predict, after the warm-up. */
  static final int ROUNDS = 7;

  public static void main(String[] args) {
    int epochs = Integer.getInteger("epochs", 10);
    if (epochs < 2) {
      throw new IllegalArgumentException("-Depochs: at least 2 (the first is the warm-up), not " + epochs);
    }
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

    // Both models compiled before anything is timed (javac's own warm-up would take the JIT's threads from the first
    // epochs), with the buffers nabla train gives them: the batch and the evaluation batches.
    int capacity = Math.max(batch, Trainer.EVALUATION_BATCH);
    Trainable model = Networks.compile(name, spec, backend, capacity);
    model.initialize(42);
    Trainable bare = Networks.compile(name, spec, backend, capacity);
    bare.initialize(42);
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());

    int steps = (TRAIN + batch - 1) / batch;
    int[] order = new int[TRAIN];
    float[][] xs = new float[steps][];
    int[][] ys = new int[steps][];
    double[] trainerRates = new double[epochs];
    double[] evaluationsInTrainer = new double[epochs];
    double[] bareRates = new double[epochs];
    for (int epoch = 0; epoch < epochs; epoch++) {
      // The trainer's epoch: one epoch of a run seeded SEED + epoch, so that each epoch has its own shuffle.
      TrainConfig config = new TrainConfig(1, batch, LEARNING_RATE, Schedule.constant(), OptimizerSpec.sgd(), SEED + epoch,
          null, null, new TerminalProgress(nowhere, System::nanoTime));
      TrainingResult result;
      try {
        result = new Trainer(config).train(model, train, test);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      EpochMetrics metrics = result.history().get(0);
      trainerRates[epoch] = metrics.samplesPerSecond();
      evaluationsInTrainer[epoch] = TEST / metrics.evaluationSeconds();

      // The bare trainStep on the same batches (the trainer's shuffle of that epoch), each in its own array beforehand.
      Trainer.shuffle(order, SEED + epoch, 0);
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
    xs = null;
    ys = null;

    // The evaluation of the test set in the trainer's batches of 1000, by the trainer's Evaluator, and predict on the
    // same batches; each warmed up first.
    Evaluator evaluator = new Evaluator(model, test, Trainer.EVALUATION_BATCH);
    double evaluation = warmedUpRate(() -> evaluator.evaluate(model, test));
    float[] out = new float[Trainer.EVALUATION_BATCH * classes];
    float[] block = new float[Trainer.EVALUATION_BATCH * widths[0]];
    double predict = warmedUpRate(() -> {
      for (int from = 0; from < TEST; from += Trainer.EVALUATION_BATCH) {
        System.arraycopy(test.x(), from * widths[0], block, 0, block.length);
        model.predict(block, Trainer.EVALUATION_BATCH, out);
      }
    });

    double trainer = steady(trainerRates);
    double bareRate = steady(bareRates);
    List<String> fields = new ArrayList<>();
    fields.add(String.format(Locale.ROOT, "\"network\": \"%s %s\", \"batch\": %d, \"backend\": \"%s\", \"gather\": \"%s\"",
        layers, activation, batch, backend.name().toLowerCase(Locale.ROOT), System.getProperty("nabla.gather", "default")));
    fields.add(String.format(Locale.ROOT, "\"epochs\": %d, \"steady_from_epoch\": %d", epochs, epochs / 2 + 1));
    fields.add(String.format(Locale.ROOT, "\"trainer\": %.0f, \"bare_train_step\": %.0f, \"trainer_over_bare\": %.3f",
        trainer, bareRate, trainer / bareRate));
    fields.add(String.format(Locale.ROOT, "\"trainer_first_epoch\": %.0f, \"bare_first_epoch\": %.0f",
        trainerRates[0], bareRates[0]));
    fields.add(String.format(Locale.ROOT, "\"trainer_epochs\": %s, \"bare_epochs\": %s",
        json(trainerRates), json(bareRates)));
    fields.add(String.format(Locale.ROOT, "\"evaluation\": %.0f, \"evaluation_in_trainer\": %.0f, \"predict\": %.0f",
        evaluation, steady(evaluationsInTrainer), predict));
    return "{" + String.join(", ", fields) + "}";
  }

  /** The median of the second half of the epochs' figures: the steady state, past the JIT's warm-up. */
  static double steady(double[] perEpoch) {
    return median(Arrays.copyOfRange(perEpoch, perEpoch.length / 2, perEpoch.length));
  }

  /** Test samples per second of {@code evaluation}: run for {@value #WARM_UP_NANOS} ns, then the median of {@value #ROUNDS} timed runs. */
  private static double warmedUpRate(Runnable evaluation) {
    long warmUpEnd = System.nanoTime() + WARM_UP_NANOS;
    do {
      evaluation.run();
    } while (System.nanoTime() < warmUpEnd);
    double[] rates = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      long start = System.nanoTime();
      evaluation.run();
      rates[r] = TEST / ((System.nanoTime() - start) / 1e9);
    }
    return median(rates);
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
