package com.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.Models;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The generated class of our own spec, trained, evaluated, saved and loaded through the runtime's API. */
class ShirtNetTest {

  /** Three clusters: class c has its inputs near 1 in the c-th third of the 12 coordinates. */
  static Dataset clusters(String name, int n, long seed) {
    Random random = new Random(seed);
    float[] x = new float[n * 12];
    int[] labels = new int[n];
    for (int s = 0; s < n; s++) {
      labels[s] = random.nextInt(3);
      for (int i = 0; i < 12; i++) {
        x[s * 12 + i] = (i / 4 == labels[s] ? 1f : 0f) + (float) (0.3 * random.nextGaussian());
      }
    }
    return Dataset.ofClasses(name, x, 12, labels, List.of("shirt", "coat", "bag"));
  }

  @Test
  void trainsEvaluatesSavesAndLoads() throws Exception {
    Dataset train = clusters("train", 600, 1);
    Dataset test = clusters("test", 150, 2);
    ShirtNet model = new ShirtNet();
    model.initialize(1);
    TrainingResult result = Models.train(model, train, test,
        TrainConfig.recommended().withEpochs(3).withBatchSize(16).withOptimizer(OptimizerSpec.parse("adam")).withLearningRate(0.01));
    double accuracy = result.lastEvaluation().accuracy();
    assertTrue(accuracy > 0.9, "test accuracy " + accuracy);

    Path file = Files.createTempDirectory("shirts").resolve("shirts.nckpt");
    Models.save(model, file);
    ShirtNet loaded = Models.load(file, new ShirtNet());
    assertArrayEquals(Models.predict(model, test.sample(0)), Models.predict(loaded, test.sample(0)));
    assertEquals(accuracy, Models.evaluate(loaded, test).accuracy());
  }
}
