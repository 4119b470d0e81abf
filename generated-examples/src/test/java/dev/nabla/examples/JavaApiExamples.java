package dev.nabla.examples;

// README: imports
import dev.nabla.examples.FashionMlp;
import dev.nabla.runtime.Models;
import dev.nabla.runtime.Predictor;
import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.data.DataException;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.FashionMnist;
import dev.nabla.runtime.metrics.Evaluation;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.train.DivergenceException;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.TrainingResult;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.IntStream;
// README end

/**
 * The README's examples of the runtime's Java API, kept here so that they compile and run:
 * {@code ReadmeJavaExamplesTest} checks that the README shows each marked part exactly, and the
 * module's tests call them.
 */
final class JavaApiExamples {
  private JavaApiExamples() {}

  // README: train
  /** Trains the lesson's network on Fashion-MNIST and returns how it does on the test set. */
  static Evaluation train(Path out) throws DataException, DivergenceException, CheckpointException {
    FashionMnist.Split data = FashionMnist.load(); // $NABLA_DATA, else /usr/share/datasets/fashion-mnist
    FashionMlp model = new FashionMlp();
    model.initialize(1); // PyTorch's nn.Linear initialization, from seed 1
    TrainConfig config = TrainConfig.recommended() // what `nabla train` uses; each setting can be changed:
        .withEpochs(5)
        .withBatchSize(32)
        .withOptimizer(OptimizerSpec.parse("momentum:0.9")) // or "sgd", "adam", "adam:0.9:0.999:1e-8"
        .withLearningRate(0.02)
        .withOutDir(out); // a checkpoint after every epoch: out/checkpoint.nckpt (null: none)
    TrainingResult result = Models.train(model, data.train(), data.test(), config);
    return result.lastEvaluation(); // the test set after the last epoch: accuracy(), loss(), confusion()
  }
  // README end

  // README: predict
  /** What the model makes of the first image of {@code test}: "Ankle boot (p = 0.97), labelled Ankle boot". */
  static String describeFirstImage(FashionMlp model, Dataset test) {
    float[] image = test.sample(0); // 784 pixels in [0, 1], row by row
    float[] logProbabilities = Models.predict(model, image); // the spec's out = logsoftmax(…): 10 values
    int predicted = Models.classify(model, image); // the index of the largest output
    return String.format(Locale.ROOT, "%s (p = %.2f), labelled %s", test.classNames().get(predicted),
        Math.exp(logProbabilities[predicted]), test.classNames().get(test.label(0)));
  }
  // README end

  // README: batch
  /** The share of {@code test} the model classifies right, counted by hand from a batch prediction. */
  static double accuracy(FashionMlp model, Dataset test) {
    int[] predicted = Models.classify(model, test); // every sample, in batches of up to model.maxBatch()
    int right = 0;
    for (int i = 0; i < test.size(); i++) {
      right += predicted[i] == test.label(i) ? 1 : 0;
    }
    return (double) right / test.size(); // the same as Models.evaluate(model, test).accuracy()
  }
  // README end

  // README: save-load
  /** Saves the model's parameters and reads them back into a fresh instance. */
  static FashionMlp saveAndLoad(FashionMlp model, Path file) throws CheckpointException {
    Models.save(model, file); // e.g. Path.of("fashion.nckpt"); written atomically
    return Models.load(file, new FashionMlp()); // refuses a checkpoint of another spec or shape
  }
  // README end

  // README: serve
  /** Classifies every image of {@code test} from many threads at once, with one model and a predictor per thread. */
  static int[] classifyInParallel(FashionMlp model, Dataset test) {
    ThreadLocal<Predictor> predictors = ThreadLocal.withInitial(model::predictor); // each shares model's parameters
    return IntStream.range(0, test.size()).parallel()
        .map(i -> Models.classify(predictors.get(), test.sample(i))) // a thread's own buffers, no locks
        .toArray();
  }
  // README end
}
