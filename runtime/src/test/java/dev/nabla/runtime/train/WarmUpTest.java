package dev.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.check.GradientChecker;
import dev.nabla.runtime.check.GradientReport;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.Minibatch;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.testing.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WarmUpTest {
  private static final int INPUTS = 12;
  private static final List<WarmUp.Layer> LAYERS = List.of(new WarmUp.Layer(9, INPUTS, WarmUp.Activation.RELU),
      new WarmUp.Layer(3, 9, WarmUp.Activation.NONE));

  /** The stand-in computes the gradients of what it computes: the kernels it runs are the real ones, on real math. */
  @ParameterizedTest
  @EnumSource(value = WarmUp.Activation.class, names = {"TANH", "SIGMOID", "NONE"})
  void theStandInsGradientsMatchFiniteDifferences(WarmUp.Activation activation) {
    DenseLayers model = new DenseLayers(INPUTS, List.of(new WarmUp.Layer(40, INPUTS, activation),
        new WarmUp.Layer(7, 40, activation), new WarmUp.Layer(3, 7, WarmUp.Activation.NONE)), 32, 1, 8);
    model.initialize(3);
    Dataset data = TestData.clusters("train", 32, INPUTS, 4);
    Minibatch batch = Minibatch.forData(data, 32);
    batch.fill(data, java.util.stream.IntStream.range(0, 32).toArray(), 0, 32);
    GradientReport report = GradientChecker.check(model, batch);
    assertTrue(report.passed(), report::format);
  }

  /** A layer that does not read the previous layer's outputs reads inputs of its own; the stand-in still trains. */
  @Test
  void layersThatAreNotAChainStillTrain() throws Exception {
    List<WarmUp.Layer> layers = List.of(new WarmUp.Layer(6, 5, WarmUp.Activation.RELU), new WarmUp.Layer(3, 6, WarmUp.Activation.NONE));
    DenseLayers model = new DenseLayers(INPUTS, layers, 16, 2, 8);
    model.initialize(1);
    Dataset train = TestData.clusters("train", 64, INPUTS, 1);
    TrainingResult result = new Trainer(TrainConfig.defaults().withEpochs(2).withBatchSize(16).withLearningRate(0.1)
        .withProgress(ProgressSink.none())).train(model, train, train.head(16));
    assertEquals(2, result.history().size());
    assertTrue(Double.isFinite(result.history().get(1).trainLoss()));
  }

  /**
   * The point of it all: a run trained while a warm-up runs beside it ends with the same parameters, bit for bit, as
   * one trained alone.
   */
  @Test
  void aWarmUpBesideARunChangesNothingOfIt() throws Exception {
    float[][] alone = trainedParameters(false);
    float[][] beside = trainedParameters(true);
    assertEquals(alone.length, beside.length);
    for (int p = 0; p < alone.length; p++) {
      assertArrayEquals(alone[p], beside[p], "parameter " + p);
    }
  }

  private static float[][] trainedParameters(boolean warmUp) throws Exception {
    WarmUp running = warmUp ? WarmUp.start(INPUTS, LAYERS, 16, OptimizerSpec.sgd(), 2, 60_000_000_000L, 0) : null;
    try {
      DenseLayers model = new DenseLayers(INPUTS, LAYERS, 1000, 2, 8);
      model.initialize(7);
      Dataset train = TestData.clusters("train", 300, INPUTS, 1);
      new Trainer(TrainConfig.defaults().withEpochs(2).withBatchSize(16).withLearningRate(0.1).withSeed(3)
          .withProgress(ProgressSink.none())).train(model, train, TestData.clusters("test", 90, INPUTS, 2));
      float[][] parameters = model.parameterArrays();
      float[][] copy = new float[parameters.length][];
      for (int p = 0; p < parameters.length; p++) {
        copy[p] = parameters[p].clone();
      }
      return copy;
    } finally {
      if (running != null) {
        running.close();
      }
    }
  }

  @Test
  void closeStopsItAtOnceAndItStopsByItselfAtItsLimit() throws Exception {
    WarmUp endless = WarmUp.start(INPUTS, LAYERS, 64, OptimizerSpec.adam(), 2, 600_000_000_000L, 0);
    Thread.sleep(100);
    long start = System.nanoTime();
    endless.close();
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "close took over 5 s");
    assertFalse(endless.isRunning());

    WarmUp brief = WarmUp.start(INPUTS, LAYERS, 64, OptimizerSpec.sgd(), 2, 50_000_000L, 0);
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (brief.isRunning() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertFalse(brief.isRunning(), "still running 20 s after a limit of 50 ms");
    brief.close();
  }

  @Test
  void awaitMinimumWaitsForTheMinimum() {
    WarmUp warmUp = WarmUp.start(INPUTS, LAYERS, 64, OptimizerSpec.sgd(), 1, 60_000_000_000L, 300_000_000L);
    long start = System.nanoTime();
    warmUp.awaitMinimum();
    long waited = System.nanoTime() - start;
    warmUp.close();
    assertTrue(waited >= 250_000_000L, "waited " + waited / 1_000_000 + " ms for a minimum of 300 ms");
  }

  @Test
  void aLayerHasAShape() {
    assertThrows(IllegalArgumentException.class, () -> new WarmUp.Layer(0, 3, WarmUp.Activation.RELU));
    assertThrows(IllegalArgumentException.class, () -> WarmUp.start(INPUTS, List.of(), 64, OptimizerSpec.sgd(), 2, 1, 0));
  }

  @Test
  void lanesTakeWhatTheGeneratorGivesThemForTheLessonsNetwork() {
    // The generated FashionMlp splits at 8 samples a lane: so does its stand-in.
    assertEquals(8, WarmUp.minLaneBatch(List.of(new WarmUp.Layer(20, 784, WarmUp.Activation.RELU),
        new WarmUp.Layer(10, 20, WarmUp.Activation.NONE))));
    assertEquals(256, WarmUp.minLaneBatch(List.of(new WarmUp.Layer(2, 3, WarmUp.Activation.NONE))));
  }
}
