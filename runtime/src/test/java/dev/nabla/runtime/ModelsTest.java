package dev.nabla.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.metrics.Evaluation;
import dev.nabla.runtime.metrics.Evaluator;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.testing.MlpModel;
import dev.nabla.runtime.testing.TestData;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.Trainer;
import dev.nabla.runtime.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsTest {

  private static final Dataset TRAIN = TestData.clusters("train", 300, 12, 1);
  private static final Dataset TEST = TestData.clusters("test", 90, 12, 2);
  private static final TrainConfig CONFIG = TrainConfig.defaults().withEpochs(3).withBatchSize(16)
      .withOptimizer(OptimizerSpec.momentum()).withLearningRate(0.05);

  @TempDir Path dir;

  private static MlpModel model() {
    MlpModel model = new MlpModel(12, 8, 3, 16);
    model.initialize(5);
    return model;
  }

  @Test
  void trainIsTheTrainersRunAndItsResultHoldsTheTestAccuracy() throws Exception {
    MlpModel viaModels = model();
    TrainingResult result = Models.train(viaModels, TRAIN, TEST, CONFIG);
    MlpModel viaTrainer = model();
    TrainingResult expected = new Trainer(CONFIG).train(viaTrainer, TRAIN, TEST);

    assertEquals(expected.history().size(), result.history().size());
    assertEquals(3, result.history().size());
    for (ModelInfo.Parameter p : viaModels.info().parameters()) {
      assertArrayEquals(viaTrainer.parameter(p.name()), viaModels.parameter(p.name()), p.name());
    }
    assertTrue(result.lastEvaluation().accuracy() > 0.9, "three separable clusters: " + result.lastEvaluation());
    assertEquals(result.lastEvaluation(), Models.evaluate(viaModels, TEST));
  }

  @Test
  void evaluateIsTheEvaluatorOverTheWholeSet() {
    MlpModel model = model();
    Evaluation expected = new Evaluator(model, TEST, 7).evaluate(model, TEST);
    Evaluation actual = Models.evaluate(model, TEST);
    assertEquals(expected.accuracy(), actual.accuracy());
    assertEquals(expected.loss(), actual.loss(), 1e-6);
  }

  @Test
  void predictOneSampleIsTheModelsOutputForIt() {
    MlpModel model = model();
    float[] expected = new float[3];
    model.predict(TEST.sample(4), 1, expected);
    assertArrayEquals(expected, Models.predict(model, TEST.sample(4)));
    int best = 0;
    for (int k = 1; k < 3; k++) {
      best = expected[k] > expected[best] ? k : best;
    }
    assertEquals(best, Models.classify(model, TEST.sample(4)));
  }

  @Test
  void predictABatchLargerThanTheModelsBuffersRunsItInPieces() {
    MlpModel model = model();
    float[] all = Models.predict(model, TEST);
    assertEquals(TEST.size() * 3, all.length);
    for (int i : new int[] {0, 15, 16, 17, 89}) {
      assertArrayEquals(Models.predict(model, TEST.sample(i)), Arrays.copyOfRange(all, 3 * i, 3 * i + 3), "sample " + i);
    }
    int[] classes = Models.classify(model, TEST);
    assertEquals(TEST.size(), classes.length);
    for (int i = 0; i < TEST.size(); i++) {
      assertEquals(Models.classify(model, TEST.sample(i)), classes[i], "sample " + i);
    }
    assertArrayEquals(Arrays.copyOf(classes, 20), Models.classify(model, TEST.x(), 20));
  }

  @Test
  void aSampleOfTheWrongSizeIsRefusedWithBothSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.predict(model(), new float[11]));
    assertEquals("TestMlp takes samples of 12 values, got 11", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Models.predict(model(), new float[24], 3));
    assertEquals("3 samples of 12 values need 36 inputs, got 24", e.getMessage());
  }

  @Test
  void saveThenLoadGivesTheSameParametersInAFreshModel() throws CheckpointException {
    MlpModel trained = model();
    Path file = dir.resolve("clusters" + CheckpointFile.EXTENSION);
    Models.save(trained, file);
    MlpModel fresh = new MlpModel(12, 8, 3, 16);
    assertSame(fresh, Models.load(file, fresh));
    for (ModelInfo.Parameter p : trained.info().parameters()) {
      assertArrayEquals(trained.parameter(p.name()), fresh.parameter(p.name()), p.name());
    }
  }

  @Test
  void loadRefusesAnotherShapesCheckpointAndAFileThatIsNoCheckpoint() throws Exception {
    Path file = dir.resolve("narrow.nckpt");
    Models.save(model(), file);
    CheckpointException other = assertThrows(CheckpointException.class, () -> Models.load(file, new MlpModel(12, 9, 3, 16)));
    assertTrue(other.problem().startsWith("made for another model"), other.problem());

    Path spec = Files.writeString(dir.resolve("net.nabla"), "model Net\ninput x[2]\n");
    CheckpointException notOne = assertThrows(CheckpointException.class, () -> Models.load(spec, model()));
    assertEquals("not a nabla checkpoint: it is a nabla spec (model Net) (a checkpoint starts with \"NABLACKP\")",
        notOne.problem());
  }
}
