package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.train.Schedule;
import dev.nabla.runtime.train.TerminalProgress;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.Trainer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Issue 14's regularized loss: the trainer's epochs of a 784-256-10 network with and without
 * {@code + 0.0001 * sum(W1 * W1)} in its loss, on {@value EndToEnd#TRAIN} synthetic images, the two runs taken in
 * turn so that a shared machine's load falls on both. Prints one JSON object: the median training throughput of
 * each (the epochs after the first) and their ratio. Arguments: {@code BATCH} (64), {@code -Depochs=3},
 * {@code -Drounds=2}, {@code -Dbackend=scalar|vector}.
 */
public final class RegularizedEpochs {
  public static void main(String[] args) throws Exception {
    int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int epochs = Integer.getInteger("epochs", 3);
    int rounds = Integer.getInteger("rounds", 2);
    CodegenOptions.Backend backend = CodegenOptions.Backend.valueOf(System.getProperty("backend", "scalar").toUpperCase(Locale.ROOT));
    int[] widths = {784, 256, 10};
    List<String> names = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
    Dataset train = Dataset.ofClasses("train", Networks.inputs(EndToEnd.TRAIN, 784, 1), 784, Networks.labels(EndToEnd.TRAIN, 10, 1), names);
    Dataset test = Dataset.ofClasses("test", Networks.inputs(1000, 784, 2), 784, Networks.labels(1000, 10, 2), names);
    String plainSpec = Networks.spec("PlainL2off", widths, "relu");
    String regularizedSpec = Networks.spec("PlainL2on", widths, "relu")
        .replace("loss = nll(out, y)", "loss = nll(out, y) + 0.0001 * sum(W1 * W1)");
    Trainable plain = Networks.compile("PlainL2off", plainSpec, backend, Math.max(batch, Trainer.EVALUATION_BATCH));
    Trainable regularized = Networks.compile("PlainL2on", regularizedSpec, backend, Math.max(batch, Trainer.EVALUATION_BATCH));
    double[] plainRates = new double[rounds * (epochs - 1)];
    double[] regularizedRates = new double[rounds * (epochs - 1)];
    for (int round = 0; round < rounds; round++) {
      record(train(plain, train, test, batch, epochs), plainRates, round * (epochs - 1));
      record(train(regularized, train, test, batch, epochs), regularizedRates, round * (epochs - 1));
    }
    double p = EndToEnd.median(plainRates);
    double r = EndToEnd.median(regularizedRates);
    System.out.printf(Locale.ROOT, "{\"network\": \"784-256-10 relu\", \"batch\": %d, \"backend\": \"%s\", \"plain\": %.0f,"
        + " \"regularized\": %.0f, \"regularized_over_plain\": %.3f, \"per_sample_values\": [%d, %d]}%n", batch,
        backend.name().toLowerCase(Locale.ROOT), p, r, r / p, plain.info().activationsPerSample(),
        regularized.info().activationsPerSample());
  }

  private static List<EpochMetrics> train(Trainable model, Dataset train, Dataset test, int batch, int epochs) throws Exception {
    model.initialize(42);
    TrainConfig config = new TrainConfig(epochs, batch, EndToEnd.LEARNING_RATE, Schedule.constant(), OptimizerSpec.sgd(),
        EndToEnd.SEED, null, null, new TerminalProgress(new PrintStream(OutputStream.nullOutputStream()), System::nanoTime));
    return new Trainer(config).train(model, train, test).history();
  }

  private static void record(List<EpochMetrics> history, double[] into, int at) {
    for (int e = 1; e < history.size(); e++) {
      into[at + e - 1] = history.get(e).samplesPerSecond();
    }
  }
}
