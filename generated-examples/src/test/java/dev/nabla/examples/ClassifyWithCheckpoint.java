package dev.nabla.examples;

import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.FashionMnist;
import java.nio.file.Path;

/**
 * The README's reuse example, kept here so that it compiles and runs: a project that depends on
 * nabla-generated-examples restores a trained {@link FashionMlp} from a checkpoint and classifies an image.
 */
final class ClassifyWithCheckpoint {
  private ClassifyWithCheckpoint() {}

  // README snippet starts
  /** The name of the Fashion-MNIST class of {@code image}: 784 pixels in [0, 1], row by row. */
  static String classify(Path checkpoint, float[] image) throws CheckpointException {
    FashionMlp model = new FashionMlp();
    CheckpointFile.restore(checkpoint, CheckpointFile.load(checkpoint), model); // refuses another spec's checkpoint
    float[] logProbabilities = new float[10];
    model.predict(image, 1, logProbabilities);
    int best = 0;
    for (int k = 1; k < 10; k++) {
      if (logProbabilities[k] > logProbabilities[best]) {
        best = k;
      }
    }
    return FashionMnist.CLASS_NAMES.get(best);
  }
  // README snippet ends
}
