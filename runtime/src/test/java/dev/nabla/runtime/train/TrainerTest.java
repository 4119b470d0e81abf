package dev.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.metrics.Evaluation;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.testing.DelegatingTrainable;
import dev.nabla.runtime.testing.LeastSquaresModel;
import dev.nabla.runtime.testing.MlpModel;
import dev.nabla.runtime.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainerTest {

  private static final int INPUTS = 12;
  private static final Dataset TRAIN = TestData.clusters("train", 300, INPUTS, 1);
  private static final Dataset TEST = TestData.clusters("test", 90, INPUTS, 2);

  @TempDir Path dir;

  private static MlpModel newModel() {
    MlpModel model = new MlpModel(INPUTS, 8, 3, 32);
    model.initialize(11);
    return model;
  }

  private static TrainConfig config() {
    return TrainConfig.defaults().withEpochs(3).withBatchSize(16).withLearningRate(0.1).withSeed(5);
  }

  /** The metrics without the wall time, which no two runs share. */
  private static List<List<Double>> numbers(List<EpochMetrics> history) {
    return history.stream()
        .map(m -> List.of((double) m.epoch(), m.trainLoss(), m.testLoss(), m.testAccuracy(), m.learningRate()))
        .toList();
  }

  private static void assertSameParameters(MlpModel expected, MlpModel actual) {
    for (int k = 0; k < 4; k++) {
      assertArrayEquals(expected.parameterArrays()[k], actual.parameterArrays()[k], "parameter " + k);
    }
  }

  @Test
  void learnsSeparableClustersAndReportsEveryMetric() throws Exception {
    List<Evaluation> evaluations = new ArrayList<>();
    TrainingResult result = new Trainer(config()).train(newModel(), TRAIN, TEST, (m, e) -> evaluations.add(e));

    assertEquals(TrainingResult.Status.COMPLETED, result.status());
    assertEquals(3, result.history().size());
    assertEquals(3, evaluations.size());
    Evaluation last = result.lastEvaluation();
    assertTrue(last.accuracy() > 0.9, "accuracy " + last.accuracy());
    assertTrue(result.history().get(2).trainLoss() < result.history().get(0).trainLoss());
    assertEquals(90, Arrays.stream(last.confusion()).flatMapToInt(Arrays::stream).sum());
    assertEquals(3, last.perClassAccuracy().length);
    assertEquals(19 * 3, result.steps(), "300 samples in batches of 16: 19 steps an epoch");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sgd", "momentum", "adam"})
  void theSameSeedGivesTheSameNumbers(String optimizer) throws Exception {
    TrainConfig config = config().withOptimizer(OptimizerSpec.parse(optimizer)).withSchedule(Schedule.parse("cosine"))
        .withLearningRate(optimizer.equals("adam") ? 0.01 : 0.1);
    MlpModel first = newModel();
    MlpModel second = newModel();
    MlpModel otherSeed = newModel();

    TrainingResult a = new Trainer(config).train(first, TRAIN, TEST);
    TrainingResult b = new Trainer(config).train(second, TRAIN, TEST);
    TrainingResult c = new Trainer(config.withSeed(6)).train(otherSeed, TRAIN, TEST);

    assertEquals(numbers(a.history()), numbers(b.history()));
    assertEquals(a.lastEvaluation(), b.lastEvaluation());
    assertSameParameters(first, second);
    assertNotEquals(numbers(a.history()), numbers(c.history()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sgd", "adam"})
  void aRunResumedAtAnEpochBoundaryContinuesExactly(String optimizer) throws Exception {
    TrainConfig config = config().withEpochs(4).withOptimizer(OptimizerSpec.parse(optimizer))
        .withSchedule(new Schedule.StepDecay(1, 0.5)).withLearningRate(optimizer.equals("adam") ? 0.01 : 0.1);
    MlpModel straight = newModel();
    TrainingResult expected = new Trainer(config.withOutDir(dir.resolve("straight"))).train(straight, TRAIN, TEST);

    Path out = dir.resolve("resumed");
    new Trainer(config.withEpochs(2).withOutDir(out)).train(newModel(), TRAIN, TEST);
    MlpModel resumed = new MlpModel(INPUTS, 8, 3, 32); // not even initialized: the checkpoint sets everything
    TrainingResult actual = new Trainer(config.withOutDir(out).withResumeFrom(out.resolve(CheckpointFile.DEFAULT_NAME)))
        .train(resumed, TRAIN, TEST);

    assertEquals(numbers(expected.history()), numbers(actual.history()));
    assertEquals(4 * 19, actual.steps());
    assertSameParameters(straight, resumed);
  }

  @Test
  void aStopRequestSavesACheckpointAndTheResumedRunContinuesExactly() throws Exception {
    TrainConfig config = config().withOptimizer(OptimizerSpec.momentum());
    MlpModel straight = newModel();
    TrainingResult expected = new Trainer(config).train(straight, TRAIN, TEST);

    Path out = dir.resolve("run");
    List<String> messages = new ArrayList<>();
    Trainer[] trainer = new Trainer[1];
    ProgressSink stopInEpoch2 = new ProgressSink() {
      @Override
      public void stepDone(int epoch, int epochs, int step, int steps, double loss, double perSecond, double eta) {
        if (epoch == 2 && step == 7) {
          trainer[0].requestStop(); // as a SIGINT handler would, from another thread
        }
      }

      @Override
      public void message(String text) {
        messages.add(text);
      }
    };
    trainer[0] = new Trainer(config.withOutDir(out).withProgress(stopInEpoch2));
    TrainingResult stopped = trainer[0].train(newModel(), TRAIN, TEST);

    assertEquals(TrainingResult.Status.STOPPED, stopped.status());
    assertEquals(1, stopped.history().size());
    assertEquals(19 + 7, stopped.steps());
    Path checkpoint = out.resolve(CheckpointFile.DEFAULT_NAME);
    assertEquals(List.of("stopped in epoch 2 after step 7; resume with --resume " + checkpoint), messages);

    MlpModel resumed = new MlpModel(INPUTS, 8, 3, 32);
    TrainingResult finished = new Trainer(config.withOutDir(out).withResumeFrom(checkpoint)).train(resumed, TRAIN, TEST);

    assertEquals(numbers(expected.history()), numbers(finished.history()));
    assertSameParameters(straight, resumed);
  }

  @Test
  void aNanLossStopsTrainingSayingWhereAndWhatToTryAndKeepsTheLastGoodCheckpoint() throws Exception {
    Path out = dir.resolve("run");
    Path checkpoint = out.resolve(CheckpointFile.DEFAULT_NAME);
    byte[][] afterEpoch1 = new byte[1][];
    DelegatingTrainable poisoned = new DelegatingTrainable(newModel()) {
      private int steps;

      @Override
      public double trainStep(float[] x, int[] labels, int n, float lr) {
        double loss = super.trainStep(x, labels, n, lr);
        return ++steps == 19 + 4 ? Double.NaN : loss;
      }
    };

    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new Trainer(config().withLearningRate(5.0).withOutDir(out)).train(poisoned, TRAIN, TEST, (m, ev) -> {
          try {
            afterEpoch1[0] = Files.readAllBytes(checkpoint);
          } catch (java.io.IOException io) {
            throw new java.io.UncheckedIOException(io);
          }
        }));

    assertEquals("training diverged in epoch 2 at step 4 of 19: the minibatch loss is NaN. Lower the learning rate"
        + " (now 5), e.g. --lr 0.5. The last good checkpoint stays at " + checkpoint + " (after epoch 1).", e.getMessage());
    assertEquals(2, e.epoch());
    assertEquals(4, e.step());
    assertArrayEquals(afterEpoch1[0], Files.readAllBytes(checkpoint));
  }

  @Test
  void aLossThatExplodesWhileStayingFiniteIsCaught() {
    Dataset data = TestData.linear(64, 4, 2, 1);
    LeastSquaresModel model = new LeastSquaresModel(4, 2, 16);
    model.initialize(1);
    TrainConfig config = TrainConfig.defaults().withEpochs(50).withBatchSize(16).withLearningRate(1e3)
        .withOptimizer(OptimizerSpec.momentum());

    DivergenceException e = assertThrows(DivergenceException.class, () -> new Trainer(config).train(model, data, data));

    assertEquals("training diverged in epoch 1 at step 2 of 4: the minibatch loss is 1.289e+07, over 1000 times the run's"
        + " first (9.274). Lower the learning rate (now 1000), e.g. --lr 100, or try --optimizer sgd. No checkpoint was"
        + " written before it.", e.getMessage());
  }

  @Test
  void parametersBlowingUpAreCaughtWithTheParameterNamed() {
    Dataset data = TestData.linear(64, 4, 2, 1);
    // A step that leaves an infinite weight behind while its own loss still looks fine.
    LeastSquaresModel poisoned = new LeastSquaresModel(4, 2, 16) {
      private int steps;

      @Override
      public double trainStep(float[] x, float[] targets, int n, float lr) {
        double loss = super.trainStep(x, targets, n, lr);
        if (++steps == 6) {
          parameterArrays()[0][0] = Float.POSITIVE_INFINITY;
        }
        return loss;
      }
    };
    poisoned.initialize(1);
    TrainConfig config = TrainConfig.defaults().withEpochs(5).withBatchSize(16).withLearningRate(0.01);

    DivergenceException e = assertThrows(DivergenceException.class, () -> new Trainer(config).train(poisoned, data, data));

    assertEquals("training diverged in epoch 2 at step 2 of 4: parameter W holds Infinity at index 0. Lower the"
        + " learning rate (now 0.01), e.g. --lr 0.001. No checkpoint was written before it.", e.getMessage());
  }

  @Test
  void resumingWithAnotherOptimizerIsAClearError() throws Exception {
    Path out = dir.resolve("run");
    new Trainer(config().withEpochs(1).withOutDir(out).withOptimizer(OptimizerSpec.adam())).train(newModel(), TRAIN, TEST);
    Path checkpoint = out.resolve(CheckpointFile.DEFAULT_NAME);

    CheckpointException e = assertThrows(CheckpointException.class,
        () -> new Trainer(config().withResumeFrom(checkpoint)).train(newModel(), TRAIN, TEST));

    assertEquals(checkpoint, e.file());
    assertEquals("the optimizer does not fit: the saved optimizer state is adam's, this run uses sgd; resume with"
        + " --optimizer adam", e.problem());
  }

  @Test
  void resumingACheckpointOfAnotherModelNamesBoth() throws Exception {
    Path out = dir.resolve("run");
    new Trainer(config().withEpochs(1).withOutDir(out)).train(newModel(), TRAIN, TEST);
    MlpModel wider = new MlpModel(INPUTS, 9, 3, 32);

    CheckpointException e = assertThrows(CheckpointException.class,
        () -> new Trainer(config().withResumeFrom(out.resolve(CheckpointFile.DEFAULT_NAME))).train(wider, TRAIN, TEST));

    assertTrue(e.problem().startsWith("made for another model: the checkpoint is of TestMlp (spec hash test-mlp-12-8-3),"
        + " this model is TestMlp (spec hash test-mlp-12-9-3)"), e.problem());
  }

  @Test
  void refusesWhatDoesNotFitTheModel() {
    IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(config().withBatchSize(64)).train(newModel(), TRAIN, TEST));
    assertEquals("batch size 64 is larger than TestMlp's buffers (32)", tooLarge.getMessage());

    Dataset wide = TestData.clusters("train", 10, 13, 1);
    IllegalArgumentException inputs = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(config()).train(newModel(), wide, TEST));
    assertEquals("train set has 13 inputs per sample, TestMlp takes 12", inputs.getMessage());
  }

  @Test
  void shuffleIsAPermutationThatDependsOnSeedAndEpoch() {
    int[] a = new int[100];
    int[] b = new int[100];
    Trainer.shuffle(a, 1, 0);
    Trainer.shuffle(b, 1, 0);
    assertArrayEquals(a, b);
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 100; i++) {
      assertEquals(i, sorted[i]);
    }
    Trainer.shuffle(b, 1, 1);
    assertNotEquals(Arrays.toString(a), Arrays.toString(b));
  }
}
