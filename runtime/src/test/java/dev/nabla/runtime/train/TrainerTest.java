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
import org.junit.jupiter.params.provider.EnumSource;
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

  /** A sink that keeps the notes the trainer writes. */
  private static ProgressSink recorder(List<String> messages) {
    return new ProgressSink() {
      @Override
      public void message(String text) {
        messages.add(text);
      }
    };
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
    DelegatingTrainable stopInEpoch2 = new DelegatingTrainable(newModel()) {
      private int steps;

      @Override
      public double computeGradients(float[] x, int[] labels, int n) { // momentum's step
        if (++steps == 19 + 7) {
          trainer[0].requestStop(); // as a SIGINT handler would, from another thread, during step 7 of epoch 2
        }
        return super.computeGradients(x, labels, n);
      }
    };
    trainer[0] = new Trainer(config.withOutDir(out).withProgress(recorder(messages)));
    TrainingResult stopped = trainer[0].train(stopInEpoch2, TRAIN, TEST);

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
    DelegatingTrainable poisoned = nanLossAtStep(19 + 4); // step 4 of epoch 2

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

    // Step 6 (epoch 2, step 2) leaves the infinity; the loss of the next step is not finite (and its update has made
    // the infinity a NaN), and the parameters are then scanned at once.
    assertEquals("training diverged in epoch 2 at step 3 of 4: the minibatch loss is Infinity and parameter W holds NaN"
        + " at index 0. Lower the learning rate (now 0.01), e.g. --lr 0.001. No checkpoint was written before it.",
        e.getMessage());
  }

  @Test
  void aParameterGoneBadWhileTheLossLooksFineIsCaughtAtTheEndOfTheEpoch() {
    Dataset data = TestData.linear(64, 4, 2, 1);
    LeastSquaresModel poisoned = new LeastSquaresModel(4, 2, 16) {
      private int steps;

      @Override
      public double trainStep(float[] x, float[] targets, int n, float lr) {
        double loss = super.trainStep(x, targets, n, lr);
        if (++steps == 8) {
          // the last step of epoch 2 (4 steps an epoch) leaves a NaN whose loss nobody computes: only the scan of the
          // parameters, once an epoch, sees it
          parameterArrays()[1][1] = Float.NaN;
        }
        return loss;
      }
    };
    poisoned.initialize(1);
    TrainConfig config = TrainConfig.defaults().withEpochs(5).withBatchSize(16).withLearningRate(0.01);

    DivergenceException e = assertThrows(DivergenceException.class, () -> new Trainer(config).train(poisoned, data, data));

    assertEquals("training diverged in epoch 2 at step 4 of 4: parameter b holds NaN at index 1. Lower the"
        + " learning rate (now 0.01), e.g. --lr 0.001. No checkpoint was written before it.", e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(BatchGather.Mode.class)
  void everyWayOfGatheringTrainsOnTheSameBatches(BatchGather.Mode mode) throws Exception {
    TrainConfig config = config().withOptimizer(OptimizerSpec.momentum()).withBatchSize(7); // 300 = 42 × 7 + 6
    MlpModel reference = newModel();
    MlpModel model = newModel();

    TrainingResult expected = new Trainer(config, BatchGather.Mode.STEP).train(reference, TRAIN, TEST);
    TrainingResult actual = new Trainer(config, mode).train(model, TRAIN, TEST);

    assertEquals(numbers(expected.history()), numbers(actual.history()));
    assertSameParameters(reference, model);
  }

  @Test
  void eachEpochReportsItsTrainingThroughputWithTheTestTimedApart() throws Exception {
    TrainingResult result = new Trainer(config()).train(newModel(), TRAIN, TEST);

    for (EpochMetrics m : result.history()) {
      assertTrue(m.trainSeconds() > 0 && m.evaluationSeconds() > 0, m.toString());
      assertTrue(m.trainSeconds() + m.evaluationSeconds() <= m.seconds(), m.toString());
      assertEquals(300 / m.trainSeconds(), m.samplesPerSecond(), 1e-6 * m.samplesPerSecond(), m.toString());
    }
  }

  @Test
  void progressIsReportedAFewTimesASecondAndAtTheEndOfEachEpoch() throws Exception {
    List<int[]> reported = new ArrayList<>();
    ProgressSink sink = new ProgressSink() {
      @Override
      public void stepDone(int epoch, int epochs, int step, int steps, double loss, double perSecond, double eta) {
        reported.add(new int[] {epoch, step});
      }
    };
    long start = System.nanoTime();
    new Trainer(config().withBatchSize(1).withProgress(sink)).train(newModel(), TRAIN, TEST);
    double seconds = (System.nanoTime() - start) / 1e9;

    // 900 steps: the first and the last of each epoch, and one every 200 ms between.
    assertTrue(reported.size() <= 3 * 2 + seconds / 0.2 + 1, reported.size() + " reports in " + seconds + " s");
    for (int epoch = 1; epoch <= 3; epoch++) {
      int e = epoch;
      assertTrue(reported.stream().anyMatch(r -> r[0] == e && r[1] == 300), "the last step of epoch " + e);
    }
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
  void askedForTheReportTheTrainerWritesWhatTheCliWrites() throws Exception {
    Path out = dir.resolve("report");
    new Trainer(config().withOutDir(out).withReport(true)).train(newModel(), TRAIN, TEST);

    List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals("epoch,train_loss,test_loss,test_accuracy,lr,seconds,train_seconds,eval_seconds,samples_per_second", csv.get(0));
    assertEquals(1 + 3, csv.size(), String.join("\n", csv));
    for (String chart : List.of("loss.png", "accuracy.png", "confusion.png")) {
      assertTrue(Files.size(out.resolve(chart)) > 0, chart);
    }
    IllegalArgumentException nowhere = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(config().withReport(true)).train(newModel(), TRAIN, TEST));
    assertEquals("a report needs an output directory: give one with withOutDir", nowhere.getMessage());
  }

  @Test
  void theCsvComesAfterEveryEpochAndTheChartsWhenTheRunEnds() throws Exception {
    Path out = dir.resolve("run");
    List<String> afterEachEpoch = new java.util.ArrayList<>();
    new Trainer(config().withOutDir(out).withReport(true)).train(newModel(), TRAIN, TEST, (metrics, evaluation) ->
        afterEachEpoch.add(lines(out.resolve("metrics.csv")) + " lines, charts " + Files.exists(out.resolve("loss.png"))));

    // The charts wait for the end (or a minute): drawing them makes C2 compile Java2D, which slows the next epochs.
    assertEquals(List.of("2 lines, charts false", "3 lines, charts false", "4 lines, charts true"), afterEachEpoch);
  }

  @Test
  void aRunThatDivergesLeavesTheChartsOfItsGoodEpochs() throws Exception {
    Path out = dir.resolve("run");
    DelegatingTrainable poisoned = nanLossAtStep(19 + 4); // step 4 of epoch 2

    assertThrows(DivergenceException.class,
        () -> new Trainer(config().withOutDir(out).withReport(true)).train(poisoned, TRAIN, TEST));

    assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size());
    for (String chart : List.of("loss.png", "accuracy.png", "confusion.png")) {
      assertTrue(Files.size(out.resolve(chart)) > 0, chart);
    }
  }

  /** The test model, but for a NaN loss at its {@code step}-th train step (counting from 1). */
  private static DelegatingTrainable nanLossAtStep(int step) {
    return new DelegatingTrainable(newModel()) {
      private int steps;

      @Override
      public double trainStep(float[] x, int[] labels, int n, float lr) {
        double loss = super.trainStep(x, labels, n, lr);
        return ++steps == step ? Double.NaN : loss;
      }
    };
  }

  private static int lines(Path file) {
    try {
      return Files.readAllLines(file).size();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void afterAStopRequestTheReportIsTheCsvAlone() throws Exception {
    Path out = dir.resolve("run");
    Trainer[] trainer = new Trainer[1];
    DelegatingTrainable stopInTheLastStep = new DelegatingTrainable(newModel()) {
      private int steps;

      @Override
      public double trainStep(float[] x, int[] labels, int n, float lr) {
        if (++steps == 19) {
          trainer[0].requestStop(); // during the last step of epoch 1: the epoch ends, then the run stops
        }
        return super.trainStep(x, labels, n, lr);
      }
    };
    trainer[0] = new Trainer(config().withOutDir(out).withReport(true));

    TrainingResult result = trainer[0].train(stopInTheLastStep, TRAIN, TEST);

    assertEquals(TrainingResult.Status.STOPPED, result.status());
    assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size());
    assertTrue(!Files.exists(out.resolve("loss.png")), "no charts drawn by a JVM that may be shutting down");
  }

  @Test
  void aResumedRunsReportHoldsTheWholeHistory() throws Exception {
    Path out = dir.resolve("run");
    TrainConfig config = config().withEpochs(2).withOutDir(out).withReport(true);
    new Trainer(config).train(newModel(), TRAIN, TEST);
    List<String> before = Files.readAllLines(out.resolve("metrics.csv"));

    new Trainer(config.withEpochs(4).withResumeFrom(out.resolve(CheckpointFile.DEFAULT_NAME))).train(newModel(), TRAIN, TEST);

    List<String> after = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals(1 + 4, after.size(), String.join("\n", after));
    for (int row = 1; row <= 2; row++) {
      // the epochs before the resume keep their numbers; their timings come back empty (checkpoints keep no timings)
      String kept = before.get(row).substring(0, before.get(row).lastIndexOf(',', before.get(row).lastIndexOf(',',
          before.get(row).lastIndexOf(',') - 1) - 1));
      assertTrue(after.get(row).startsWith(kept), after.get(row) + " continues " + before.get(row));
    }
    assertTrue(after.get(3).startsWith("3,") && after.get(4).startsWith("4,"), String.join("\n", after));
  }

  @Test
  void resumingAFinishedRunHasNothingToDoAndTouchesNothing() throws Exception {
    Path out = dir.resolve("run");
    new Trainer(config().withOutDir(out).withReport(true)).train(newModel(), TRAIN, TEST);
    Path checkpoint = out.resolve(CheckpointFile.DEFAULT_NAME);
    byte[] saved = Files.readAllBytes(checkpoint);
    byte[] csv = Files.readAllBytes(out.resolve("metrics.csv"));
    List<String> messages = new ArrayList<>();

    TrainingResult result = new Trainer(config().withOutDir(out).withReport(true).withResumeFrom(checkpoint)
        .withProgress(recorder(messages))).train(newModel(), TRAIN, TEST);

    assertEquals(TrainingResult.Status.NOTHING_TO_DO, result.status());
    assertEquals(3, result.history().size());
    assertEquals(3 * 19, result.steps());
    assertEquals("nothing to do: " + checkpoint + " has finished 3 epochs and this run asks for 3 in all; to train on,"
        + " give more (e.g. --epochs 6)", messages.get(messages.size() - 1));
    assertArrayEquals(saved, Files.readAllBytes(checkpoint));
    assertArrayEquals(csv, Files.readAllBytes(out.resolve("metrics.csv")));
  }

  @Test
  void theScheduleContinuesWhereItWasAndAChangedEpochCountIsSaidToReplanIt() throws Exception {
    TrainConfig cosine = config().withEpochs(4).withSchedule(Schedule.parse("cosine"));
    Path out = dir.resolve("run");
    // Stopped after 2 of 4 epochs (as Ctrl-C would leave it), then resumed with the same settings: no note, and the
    // rates of epochs 3 and 4 are the uninterrupted run's.
    TrainingResult straight = new Trainer(cosine).train(newModel(), TRAIN, TEST);
    MlpModel model = newModel();
    Trainer[] first = new Trainer[1];
    first[0] = new Trainer(cosine.withOutDir(out));
    DelegatingTrainable stopAfterTwoEpochs = new DelegatingTrainable(model) {
      private int steps;

      @Override
      public double trainStep(float[] x, int[] labels, int n, float lr) {
        if (++steps == 2 * 19) {
          first[0].requestStop();
        }
        return super.trainStep(x, labels, n, lr);
      }
    };
    first[0].train(stopAfterTwoEpochs, TRAIN, TEST);
    Path checkpoint = out.resolve(CheckpointFile.DEFAULT_NAME);
    List<String> same = new ArrayList<>();
    TrainingResult resumed = new Trainer(cosine.withResumeFrom(checkpoint).withProgress(recorder(same)))
        .train(newModel(), TRAIN, TEST);
    assertEquals(numbers(straight.history()), numbers(resumed.history()));
    assertEquals(1, same.size(), same.toString()); // "resuming from ...", and nothing about the schedule

    // With --epochs 8 instead, the cosine is re-planned over 8 epochs, and the trainer says so.
    List<String> longer = new ArrayList<>();
    new Trainer(cosine.withEpochs(8).withResumeFrom(checkpoint).withProgress(recorder(longer))).train(newModel(), TRAIN, TEST);
    assertEquals(2, longer.size(), longer.toString());
    // epoch 2's last step is step 37 of 76 on a cosine over 4 epochs (0.1 · ½(1 + cos(π 37/75))), step 37 of 152 over 8
    assertEquals("the learning rate is re-planned: epoch 2 ended at lr 0.05105, where this run's settings (lr 0.1,"
        + " cosine:0.0 over 8 epochs) have 0.0859; training goes on at lr 0.08517", longer.get(1));
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
