package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.FashionMnist;
import dev.nabla.runtime.Models;
import dev.nabla.runtime.metrics.Evaluation;
import dev.nabla.runtime.metrics.Evaluator;
import dev.nabla.runtime.train.TrainConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lesson's network, generated at build time, trained on the real Fashion-MNIST. */
class FashionMlpTrainingTest {

  @TempDir
  Path out;

  @Test
  void reaches85PercentIn5EpochsWithTheRecommendedSettings() throws Exception {
    Path data = FashionMnist.resolveDirectory(null);
    Assumptions.assumeTrue(FashionMnist.isInstalled(data),
        "Fashion-MNIST not installed at " + data + " (apt-get install dataset-fashion-mnist, or set NABLA_DATA)");
    FashionMnist.Split split = FashionMnist.load(data);

    // The README's training example, as printed.
    Evaluation evaluation = JavaApiExamples.train(out);
    double accuracy = evaluation.accuracy();
    System.out.printf(Locale.ROOT, "FashionMlp after 5 epochs: test accuracy %.2f%%%n", 100 * accuracy);
    assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);

    // The checkpoint the run wrote makes a fresh model that classifies the test set the same way.
    Path checkpoint = out.resolve(CheckpointFile.DEFAULT_NAME);
    FashionMlp restored = Models.load(checkpoint, new FashionMlp(TrainConfig.RECOMMENDED_BATCH));
    Dataset test = split.test();
    assertEquals(accuracy, new Evaluator(restored, test, 1000).evaluate(restored, test).accuracy(), 1e-12);
    float[] firstImage = Arrays.copyOf(test.x(), FashionMnist.PIXELS);
    float[] logProbabilities = new float[10];
    restored.predict(firstImage, 1, logProbabilities);
    int best = 0;
    for (int k = 1; k < 10; k++) {
      best = logProbabilities[k] > logProbabilities[best] ? k : best;
    }
    assertEquals(FashionMnist.CLASS_NAMES.get(best), ClassifyWithCheckpoint.classify(checkpoint, firstImage));
  }
}
