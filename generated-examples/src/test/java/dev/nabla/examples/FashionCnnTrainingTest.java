package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.Models;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.FashionMnist;
import dev.nabla.runtime.metrics.Evaluation;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.TrainingResult;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The convolutional network of {@code examples/fashion_cnn.nabla}, generated at build time, trained briefly on the
 * real Fashion-MNIST (its full run, 10 epochs, is the README's command): a few thousand images already lift it far
 * above chance, and after training it predicts without dropout, the same for the same image.
 */
class FashionCnnTrainingTest {

  @Test
  void learnsFromAFewThousandImagesAndPredictsWithoutDropout() throws Exception {
    java.nio.file.Path data = FashionMnist.resolveDirectory(null);
    Assumptions.assumeTrue(FashionMnist.isInstalled(data),
        "Fashion-MNIST not installed at " + data + " (apt-get install dataset-fashion-mnist, or set NABLA_DATA)");
    FashionMnist.Split split = FashionMnist.load(data);
    Dataset train = split.train().head(3000);
    Dataset test = split.test().head(1000);
    FashionCnn model = new FashionCnn(256);
    model.initialize(1);

    TrainingResult result = Models.train(model, train, test, TrainConfig.recommended().withEpochs(1).withBatchSize(64)
        .withOptimizer(OptimizerSpec.parse("adam")).withLearningRate(0.001));

    Evaluation evaluation = result.lastEvaluation();
    System.out.printf(Locale.ROOT, "FashionCnn after 3,000 images: test accuracy %.2f%% (first 1,000 test images)%n",
        100 * evaluation.accuracy());
    assertTrue(evaluation.accuracy() > 0.6, "test accuracy " + evaluation.accuracy());
    assertFalse(model.isTraining(), "the trainer leaves the model predicting");
    float[] image = Arrays.copyOf(test.x(), FashionMnist.PIXELS);
    float[] first = new float[10];
    float[] second = new float[10];
    model.predict(image, 1, first);
    model.predict(image, 1, second);
    assertArrayEquals(first, second);
  }
}
