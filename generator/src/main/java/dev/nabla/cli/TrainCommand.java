package dev.nabla.cli;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.runtime.FloatTrainable;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.DataException;
import dev.nabla.runtime.data.FashionMnist;
import dev.nabla.runtime.metrics.Evaluation;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.train.DivergenceException;
import dev.nabla.runtime.train.ProgressSink;
import dev.nabla.runtime.train.Schedule;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.Trainer;
import dev.nabla.runtime.train.TrainingResult;
import dev.nabla.runtime.train.WarmUp;
import dev.nabla.runtime.lanes.Lanes;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import dev.nabla.symbolic.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla train}: generates the network's class, compiles it in memory and trains it on
 * Fashion-MNIST, writing the checkpoint, a CSV of the epochs and PNG charts.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Generate, compile and train a network on Fashion-MNIST.",
        "Prints each epoch's loss and test accuracy.",
        "With no FILE it trains the lesson's network softmax(W2 relu(W1 X + b1) + b2) (784-20-10).",
        "Writes to --out: checkpoint.nckpt and metrics.csv after each epoch; loss.png, accuracy.png and confusion.png",
        "when the run ends (and at most once a minute before).",
        "Each epoch's line gives its training throughput (samples/s of the minibatch steps) and the time of the test.",
        "Ctrl-C stops after the current minibatch and saves a checkpoint; --resume continues from it.",
        "With --resume, --epochs is the run's total, the checkpoint's epochs included: a finished run says nothing to do",
        "(exit 0); the learning-rate schedule continues where it was when the settings are the same, and is re-planned",
        "over the new total (with a note) when --epochs, --lr or --schedule change. The report keeps every epoch."},
    footer = {"", "Examples:",
        "  nabla train",
        "  nabla train --epochs 1 --optimizer sgd --lr 0.1 --schedule constant",
        "  nabla train examples/block_graph.nabla --optimizer adam --lr 0.002",
        "  nabla train --resume nabla-out/checkpoint.nckpt --epochs 10"})
final class TrainCommand implements Callable<Integer> {
  /** The lesson's spec, trained when no FILE is given. */
  static final String LESSON_SPEC = "/dev/nabla/cli/fashion_mlp.nabla";

  @Parameters(paramLabel = "FILE", arity = "0..1", description = "A .nabla spec of a 784-input, 10-class network (default: the lesson's).")
  String file;

  @Option(names = "--epochs", defaultValue = "" + TrainConfig.RECOMMENDED_EPOCHS, description = "Passes over the 60,000 training images. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--batch", defaultValue = "" + TrainConfig.RECOMMENDED_BATCH, description = "Samples per minibatch. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--lr", defaultValue = "" + TrainConfig.RECOMMENDED_LEARNING_RATE, description = "Learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  @Option(names = "--optimizer", defaultValue = TrainConfig.RECOMMENDED_OPTIMIZER, description = "sgd, momentum[:μ] or adam[:β1:β2:ε]. Default: ${DEFAULT-VALUE}.")
  String optimizer;

  @Option(names = "--schedule", defaultValue = TrainConfig.RECOMMENDED_SCHEDULE, description = "constant, step:EVERY:FACTOR or cosine[:MIN]. Default: ${DEFAULT-VALUE}.")
  String schedule;

  @Option(names = "--seed", defaultValue = "1", description = "Seeds the initialization and the shuffling. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--data", paramLabel = "DIR", description = "The Fashion-MNIST directory (default: $NABLA_DATA, else " + "/usr/share/datasets/fashion-mnist).")
  String data;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "nabla-out", description = "Where the checkpoint and the report go. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--backend", paramLabel = "scalar|vector",
      description = "Deprecated: the runtime chooses its kernels when the model runs (the Vector API ones when the JVM has"
          + " jdk.incubator.vector, as ./nabla gives it). scalar or vector forces one set for this run, as -Dnabla.kernels does.")
  String backend;

  @Option(names = "--resume", paramLabel = "CKPT", description = "Continue from a checkpoint of the same network.")
  Path resume;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    Network network = Networks.requirePrediction(Networks.fromSpec(file == null ? lessonSpec() : NetworkSource.read(file)));
    checkFitsFashionMnist(network);
    TrainConfig config = config(stdout);
    Checkpoint resumedFrom = checkResumable(network);
    if (resumedFrom != null && resumedFrom.training() != null && resumedFrom.training().epochsCompleted() >= epochs) {
      // Said before the data is read and the class compiled; the trainer would say the same.
      stdout.println(Trainer.nothingToDo(resume, resumedFrom.training().epochsCompleted(), epochs));
      stdout.flush();
      return Nabla.OK;
    }
    Path dataDir = FashionMnist.resolveDirectory(data);
    // The data loads on a thread of its own while the class is generated and compiled, and a stand-in of the model
    // trains meanwhile on synthetic data, so that the JIT has compiled the training loop when the real run starts.
    CompletableFuture<FashionMnist.Split> loading = CompletableFuture.supplyAsync(() -> loadData(dataDir, stderr),
        command -> daemon(command, "nabla-data").start());
    FloatTrainable model;
    FashionMnist.Split split;
    try (WarmUp warmUp = startWarmUp(network, config)) {
      model = compile(network);
      split = joinData(loading);
      if (warmUp != null) {
        warmUp.awaitMinimum();
      }
    }
    model.initialize(seed);
    stdout.printf(Locale.ROOT, "training %s (%,d parameters) on Fashion-MNIST from %s: %d epoch%s, batch %d, %s, lr %s (%s)%n",
        network.name(), model.info().parameterCount(), dataDir, config.epochs(), config.epochs() == 1 ? "" : "s", config.batchSize(),
        config.optimizer().describe(), learningRate, config.schedule().describe());
    stdout.flush();

    Trainer trainer = new Trainer(config);
    StopOnInterrupt onInterrupt = StopOnInterrupt.install(trainer::requestStop);
    try {
      TrainingResult result = trainer.train(model, split.train(), split.test());
      Evaluation last = result.lastEvaluation();
      if (result.status() == TrainingResult.Status.STOPPED) {
        stdout.println("stopped; checkpoint saved to " + result.checkpoint() + " (continue with --resume " + result.checkpoint() + ")");
      } else if (last != null) {
        stdout.printf(Locale.ROOT, "test accuracy %.2f%%; wrote %s and the report (metrics.csv, loss.png, accuracy.png, confusion.png) to %s%n",
            100 * last.accuracy(), result.checkpoint(), out);
      }
      stdout.flush();
      return Nabla.OK;
    } catch (DivergenceException e) {
      throw UserError.failure(e.getMessage());
    } catch (CheckpointException e) {
      // A checkpoint given to --resume that does not fit is bad input; failing to write one is a failure.
      boolean resumed = resume != null && e.file() != null && e.file().equals(resume);
      throw resumed ? UserError.badInput(e.getMessage()) : UserError.failure(e.getMessage());
    } catch (UncheckedIOException e) {
      throw UserError.failure(e.getMessage());
    } finally {
      onInterrupt.close();
    }
  }

  /**
   * The network's class, its buffers large enough for the trainer's evaluation batches (the test set is evaluated a
   * thousand samples at a time, not {@code --batch} at a time) when that fits in memory, else for {@code --batch}.
   */
  private FloatTrainable compile(Network network) {
    CodegenOptions.Backend kernels = CompiledModels.backend(backend);
    return CompiledModels.compile(network, CodegenOptions.Precision.FLOAT, kernels, Math.max(batch, Trainer.EVALUATION_BATCH), batch,
        FloatTrainable.class);
  }

  /**
   * The warm-up of the training loop on a stand-in of the network's dense layers ({@link WarmUp}), or {@code null}
   * when the spec has none, {@code -Dnabla.warmup=off}, or (unless {@code -Dnabla.warmup=on}) the JVM has one core.
   * It gives way to the real run once the class is compiled and the data loaded, and takes at most
   * {@value #WARM_UP_LIMIT_MILLIS} ms.
   */
  private WarmUp startWarmUp(Network network, TrainConfig config) {
    // The stand-in pays for itself with a core javac does not use: on one core it would only take its time from javac,
    // which the run waits for. On a busy machine it still paid: at a load average of 11-13 on 2 cores, 4 epochs at
    // 28.4k and 24.2k samples/s against 18.4k and 17.9k without it, and walls of 23.8 and 27.4 s against 26.5 and 27.9.
    String setting = System.getProperty("nabla.warmup", "auto");
    if (setting.equals("off") || !setting.equals("on") && Runtime.getRuntime().availableProcessors() < 2) {
      return null;
    }
    List<WarmUp.Layer> layers = WarmUpLayers.of(network);
    if (layers.isEmpty()) {
      return null;
    }
    // For measuring what a longer warm-up would give: -Dnabla.warmup.min=MILLIS holds the run back until then.
    long minimum = Long.getLong("nabla.warmup.min", 0L);
    return WarmUp.start(FashionMnist.PIXELS, layers, batch, config.optimizer(), Lanes.defaultThreads(),
        WARM_UP_LIMIT_MILLIS * 1_000_000L, minimum * 1_000_000L);
  }

  /** The longest the warm-up runs, however long javac and the data take: past it, the first steps finish the job. */
  static final long WARM_UP_LIMIT_MILLIS = 4000;

  private static Thread daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  /** The loaded data, or the loader's own error (bad input: a missing or corrupt file). */
  private static FashionMnist.Split joinData(CompletableFuture<FashionMnist.Split> loading) {
    try {
      return loading.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** A checkpoint of another model is refused before the data is read and the class compiled. */
  private Checkpoint checkResumable(Network network) {
    if (resume == null) {
      return null;
    }
    Checkpoint checkpoint;
    try {
      checkpoint = CheckpointFile.load(resume);
    } catch (CheckpointException e) {
      throw UserError.badInput(e.getMessage());
    }
    String hash = JavaWriter.specHash(network);
    if (!checkpoint.specHash().equals(hash) || !checkpoint.modelName().equals(network.name())) {
      throw UserError.badInput(resume + ": made for another model: the checkpoint is of " + checkpoint.modelName()
          + " (spec hash " + checkpoint.specHash() + "), the network to train is " + network.name() + " (spec hash " + hash + ")");
    }
    return checkpoint;
  }

  private TrainConfig config(PrintWriter stdout) {
    if (epochs < 1 || batch < 1 || !(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw UserError.badInput("--epochs and --batch must be at least 1 and --lr positive (got " + epochs + ", " + batch + ", " + learningRate + ")");
    }
    OptimizerSpec optimizerSpec;
    Schedule scheduleSpec;
    try {
      optimizerSpec = OptimizerSpec.parse(optimizer);
    } catch (IllegalArgumentException e) {
      throw UserError.badInput("--optimizer " + optimizer + ": " + e.getMessage());
    }
    try {
      scheduleSpec = Schedule.parse(schedule);
    } catch (IllegalArgumentException e) {
      throw UserError.badInput("--schedule " + schedule + ": " + e.getMessage());
    }
    // The same progress, epoch lines and report as the runtime's Trainer gives any caller who asks for them.
    return new TrainConfig(epochs, batch, learningRate, scheduleSpec, optimizerSpec, seed, out, resume, ProgressSink.console(stdout), true);
  }

  private static void checkFitsFashionMnist(Network network) {
    long inputs = network.inputs().stream().mapToLong(input -> input.shape().size()).sum();
    boolean classes = network.label().map(label -> label.shape().size() == 10).orElse(false);
    if (network.inputs().size() != 1 || inputs != FashionMnist.PIXELS || !classes) {
      // The loader's 784 values are the image row by row, so any shape of 784 values reads it: X[784], X[1, 28, 28].
      throw UserError.badInput("nabla train trains on Fashion-MNIST: the spec needs one input of 784 values (the 28×28 image,"
          + " as X[784] or X[1, 28, 28]) and a label of 10 classes; " + network.name() + " has "
          + network.inputs().stream().map(i -> Network.leafName(i) + "[" + i.shape() + "]"
              + (i.shape().rank() > 1 ? " (" + i.shape().size() + " values)" : "")).toList()
          + network.label().map(l -> " and a label of " + l.shape().size() + " classes").orElse(" and no label"));
    }
    // Accuracy is the share of images whose largest score is the label's: that needs one score per class.
    Node output = network.output();
    long classCount = network.label().orElseThrow().shape().size();
    if (!output.shape().isVector() || output.shape().size() != classCount) {
      String name = network.names().containsKey(output) ? network.names().get(output) : "the output";
      String shape = output.shape().isScalar() ? "a scalar" : "of shape " + output.shape();
      throw UserError.badInput("nabla train classifies by the largest of the model's scores, one per class, but what "
          + network.name() + " predicts (" + name + ") is " + shape + ", not " + classCount + " scores"
          + "; name the scores with a line such as: out = W2 Y1 + b2");
    }
  }

  /** Fashion-MNIST, installed with apt first when it is missing and we may (as root). */
  private FashionMnist.Split loadData(Path dir, PrintWriter stderr) {
    if (!FashionMnist.isInstalled(dir) && data == null && System.getenv(FashionMnist.ENVIRONMENT_VARIABLE) == null
        && isRoot() && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
      stderr.println("nabla: Fashion-MNIST is not installed; installing Debian's dataset-fashion-mnist with apt-get...");
      stderr.flush();
      try {
        Process install = new ProcessBuilder("apt-get", "install", "-y", "dataset-fashion-mnist")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (install.waitFor() != 0) {
          stderr.println("nabla: apt-get install dataset-fashion-mnist failed (exit " + install.exitValue() + ")");
        }
      } catch (IOException e) {
        stderr.println("nabla: could not run apt-get: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      return FashionMnist.load(dir);
    } catch (DataException e) {
      throw UserError.badInput(e.getMessage());
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static SourceFile lessonSpec() {
    try (InputStream in = TrainCommand.class.getResourceAsStream(LESSON_SPEC)) {
      return new SourceFile("fashion_mlp.nabla", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the lesson's spec is missing from the jar", e);
    }
  }
}
