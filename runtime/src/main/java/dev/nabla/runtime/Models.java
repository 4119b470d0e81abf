package dev.nabla.runtime;

import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.metrics.Evaluation;
import dev.nabla.runtime.metrics.Evaluator;
import dev.nabla.runtime.train.DivergenceException;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.Trainer;
import dev.nabla.runtime.train.TrainingResult;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a program does with a generated model, one call each: train it, evaluate it, predict with
 * it, save it and load it back. A thin layer over {@link Trainer}, {@link Evaluator} and
 * {@link CheckpointFile}, which stay available for what this does not cover (stopping a run from
 * another thread, a listener per epoch, a checkpoint's training state).
 *
 * <pre>{@code
 * FashionMnist.Split data = FashionMnist.load();
 * FashionMlp model = new FashionMlp();
 * model.initialize(1);
 * TrainingResult result = Models.train(model, data.train(), data.test(),
 *     TrainConfig.recommended().withEpochs(3).withOptimizer(OptimizerSpec.parse("adam")).withLearningRate(0.003));
 * double accuracy = result.lastEvaluation().accuracy();
 * int predicted = Models.classify(model, data.test().sample(0));
 * Models.save(model, Path.of("fashion.nckpt"));
 * FashionMlp again = Models.load(Path.of("fashion.nckpt"), new FashionMlp());
 * }</pre>
 *
 * <p>Like the models themselves, these calls are not safe to make on one model from two threads at once;
 * to predict from many threads, pass each its own {@link Predictor} (the model's {@code predictor()}).
 */
public final class Models {

  /** Samples per forward pass of {@link #evaluate}: large enough to amortize the passes, small enough for any heap. */
  private static final int EVALUATION_BATCH = 1000;

  private Models() {}

  /**
   * Trains {@code model} on {@code train} as {@code config} says (epochs, batch size, optimizer, learning
   * rate and its schedule, seed, checkpoint directory), evaluating it on {@code test} after every epoch.
   * The model is trained from where its parameters are: call {@link Model#initialize(long)} first, or
   * {@link #load} a checkpoint.
   *
   * @return how the run ended; {@code result.lastEvaluation()} holds the test loss and accuracy after the last epoch
   * @throws DivergenceException when the loss or a parameter stops being finite
   * @throws CheckpointException when {@code config} resumes from an unusable checkpoint, or one cannot be written
   * @see Trainer#train(Trainable, Dataset, Dataset)
   */
  public static TrainingResult train(Trainable model, Dataset train, Dataset test, TrainConfig config)
      throws DivergenceException, CheckpointException {
    return new Trainer(config).train(model, train, test);
  }

  /**
   * The mean loss of {@code model} on {@code data} and, for a set with class labels, its accuracy
   * overall, per class and as a confusion matrix.
   */
  public static Evaluation evaluate(Trainable model, Dataset data) {
    checkInputSize(model, data.inputSize(), data.name() + " set");
    return new Evaluator(model, data, EVALUATION_BATCH).evaluate(model, data);
  }

  /**
   * The model's output for one sample ({@link ModelInfo#inputSize()} values): what its spec names
   * {@code out}, e.g. the ten log-probabilities of the lesson's network.
   */
  public static float[] predict(Model model, float[] sample) {
    checkSample(model, sample);
    return predict(model, sample, 1);
  }

  /**
   * The outputs for {@code n} samples laid one after another in {@code x} ({@code n * inputSize}
   * values), as {@code n * outputSize} values, sample by sample. Any {@code n}: batches larger than
   * the model's {@link Model#maxBatch()} are run in pieces.
   */
  public static float[] predict(Model model, float[] x, int n) {
    ModelInfo info = model.info();
    int inputSize = info.inputSize();
    int outputSize = info.outputSize();
    if (n < 0 || (long) n * inputSize > x.length) {
      throw new IllegalArgumentException(n + " samples of " + inputSize + " values need " + (long) n * inputSize
          + " inputs, got " + x.length);
    }
    float[] out = new float[Math.multiplyExact(n, outputSize)];
    int piece = model.maxBatch();
    float[] pieceOut = new float[piece * outputSize];
    for (int from = 0; from < n; from += piece) {
      int count = Math.min(piece, n - from);
      float[] pieceX = from == 0 && count == n ? x : Arrays.copyOfRange(x, from * inputSize, (from + count) * inputSize);
      model.predict(pieceX, count, pieceOut);
      System.arraycopy(pieceOut, 0, out, from * outputSize, count * outputSize);
    }
    return out;
  }

  /** The outputs for every sample of {@code data}, {@code data.size() * outputSize} values. */
  public static float[] predict(Model model, Dataset data) {
    checkInputSize(model, data.inputSize(), data.name() + " set");
    return predict(model, data.x(), data.size());
  }

  /**
   * The class a classifier assigns to one sample: the index of its largest output (the same class
   * for logits, probabilities and log-probabilities). {@code dataset.classNames().get(k)} names it.
   */
  public static int classify(Model model, float[] sample) {
    return argmaxEach(predict(model, sample), model.info().outputSize())[0];
  }

  /** The class of each of {@code n} samples laid one after another in {@code x}. */
  public static int[] classify(Model model, float[] x, int n) {
    return argmaxEach(predict(model, x, n), model.info().outputSize());
  }

  /** The class of every sample of {@code data}. */
  public static int[] classify(Model model, Dataset data) {
    return argmaxEach(predict(model, data), model.info().outputSize());
  }

  /**
   * Writes the model's parameters to {@code file} atomically, with what identifies its spec, so
   * that {@link #load} refuses them for another network. {@code .nckpt} is the usual extension.
   */
  public static void save(Model model, Path file) throws CheckpointException {
    CheckpointFile.save(file, Checkpoint.of(model, null));
  }

  /**
   * Reads the parameters in {@code file} (saved by {@link #save}, by a {@link Trainer} or by {@code nabla train})
   * into {@code model} and returns it: {@code FashionMlp model = Models.load(path, new FashionMlp())}.
   *
   * @throws CheckpointException when the file is missing, not a checkpoint, corrupt, or made for another spec or shape
   */
  public static <M extends Model> M load(Path file, M model) throws CheckpointException {
    CheckpointFile.restore(file, model);
    return model;
  }

  private static void checkSample(Model model, float[] sample) {
    int inputSize = model.info().inputSize();
    if (sample.length != inputSize) {
      throw new IllegalArgumentException(model.info().name() + " takes samples of " + inputSize + " values, got "
          + sample.length);
    }
  }

  private static void checkInputSize(Model model, int inputSize, String what) {
    ModelInfo info = model.info();
    if (inputSize != info.inputSize()) {
      throw new IllegalArgumentException(what + " has " + inputSize + " inputs per sample, " + info.name()
          + " takes " + info.inputSize());
    }
  }

  private static int[] argmaxEach(float[] outputs, int outputSize) {
    int[] classes = new int[outputs.length / outputSize];
    for (int i = 0; i < classes.length; i++) {
      int offset = i * outputSize;
      int best = 0;
      for (int k = 1; k < outputSize; k++) {
        if (outputs[offset + k] > outputs[offset + best]) {
          best = k;
        }
      }
      classes[i] = best;
    }
    return classes;
  }
}
