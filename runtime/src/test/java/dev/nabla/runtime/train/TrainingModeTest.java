package dev.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.testing.DelegatingTrainable;
import dev.nabla.runtime.testing.MlpModel;
import dev.nabla.runtime.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mode the trainer puts a model in: training, with dropout's masks of the run's seed and the step's number,
 * for each minibatch step; predicting to evaluate, and after the run.
 */
class TrainingModeTest {

  private static final int INPUTS = 12;
  private static final Dataset TRAIN = TestData.clusters("train", 100, INPUTS, 1);
  private static final Dataset TEST = TestData.clusters("test", 30, INPUTS, 2);

  @TempDir Path dir;

  /** A model that keeps its mode as a model with dropout does, and records what each call saw. */
  static class Recording extends DelegatingTrainable {
    boolean training;
    long seed;
    long step;
    final List<String> calls = new ArrayList<>();

    Recording() {
      super(newModel());
    }

    @Override public void training(long seed, long step) {
      training = true;
      this.seed = seed;
      this.step = step;
    }

    @Override public void predicting() {
      training = false;
    }

    @Override public boolean isTraining() {
      return training;
    }

    @Override public long trainingStep() {
      return step;
    }

    private String mode() {
      return training ? "train " + seed + ":" + step : "predict";
    }

    @Override public double trainStep(float[] x, int[] labels, int n, float lr) {
      calls.add("step " + mode());
      double loss = super.trainStep(x, labels, n, lr);
      if (training) {
        step++; // as BaseNetwork does: trainStep moves on to the next step's masks
      }
      return loss;
    }

    @Override public double computeGradients(float[] x, int[] labels, int n) {
      calls.add("gradients " + mode());
      return super.computeGradients(x, labels, n);
    }

    @Override public double loss(float[] x, int[] labels, int n) {
      calls.add("loss " + mode());
      return super.loss(x, labels, n);
    }

    @Override public void predict(float[] x, int n, float[] out) {
      calls.add("output " + mode());
      super.predict(x, n, out);
    }

    /** The modes of the training steps, in order. */
    List<String> steps() {
      return calls.stream().filter(c -> c.startsWith("step") || c.startsWith("gradients"))
          .map(c -> c.substring(c.indexOf(' ') + 1)).toList();
    }

    /** The modes the evaluations ran in. */
    List<String> evaluations() {
      return calls.stream().filter(c -> c.startsWith("loss") || c.startsWith("output")).map(c -> c.substring(c.indexOf(' ') + 1))
          .distinct().toList();
    }
  }

  private static MlpModel newModel() {
    MlpModel model = new MlpModel(INPUTS, 8, 3, 32);
    model.initialize(11);
    return model;
  }

  private static TrainConfig config(String optimizer) {
    return TrainConfig.defaults().withEpochs(2).withBatchSize(16).withLearningRate(0.05).withSeed(42)
        .withOptimizer(OptimizerSpec.parse(optimizer));
  }

  private static List<String> trainingSteps(long seed, long from, long to) {
    return LongStream.range(from, to).mapToObj(step -> "train " + seed + ":" + step).toList();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sgd", "adam"})
  void everyStepTrainsWithTheMasksOfItsNumberAndEvaluationPredicts(String optimizer) throws Exception {
    Recording model = new Recording();

    new Trainer(config(optimizer)).train(model, TRAIN, TEST);

    assertEquals(trainingSteps(42, 0, 14), model.steps(), "100 samples in batches of 16: 7 steps an epoch");
    assertEquals(List.of("predict"), model.evaluations());
    assertFalse(model.isTraining(), "after the run the model predicts");
  }

  @Test
  void aResumedRunDrawsTheMasksTheInterruptedOneWouldHave() throws Exception {
    Path out = dir.resolve("run");
    Trainer[] trainer = new Trainer[1];
    Recording first = new Recording() {
      @Override public double computeGradients(float[] x, int[] labels, int n) {
        if (steps().size() == 9) {
          trainer[0].requestStop(); // during step 3 of epoch 2
        }
        return super.computeGradients(x, labels, n);
      }
    };
    TrainConfig config = config("momentum").withOutDir(out);
    trainer[0] = new Trainer(config);
    trainer[0].train(first, TRAIN, TEST);
    assertEquals(trainingSteps(42, 0, 10), first.steps());

    Recording resumed = new Recording();
    new Trainer(config.withSeed(7).withResumeFrom(out.resolve(CheckpointFile.DEFAULT_NAME))).train(resumed, TRAIN, TEST);

    assertEquals(trainingSteps(42, 10, 14), resumed.steps(), "the checkpoint's seed and step count go on");
    assertFalse(resumed.isTraining());
  }

  @Test
  void aModelWithoutDropoutHasNoModeToSwitch() {
    MlpModel model = newModel();
    model.training(1, 5);
    assertFalse(model.isTraining());
    assertEquals(0, model.trainingStep());
  }
}
