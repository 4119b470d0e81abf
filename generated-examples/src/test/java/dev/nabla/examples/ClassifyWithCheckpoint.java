package dev.nabla.examples;

import dev.nabla.runtime.Models;
import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.data.FashionMnist;
import java.nio.file.Path;

/**
 * The README's reuse example, kept here so that it compiles and runs: a project that depends on
 * nabla-generated-examples restores a trained {@link FashionMlp} from a checkpoint and classifies an image.
 */
final class ClassifyWithCheckpoint {
  private ClassifyWithCheckpoint() {}

  // README: classify
  /** The name of the Fashion-MNIST class of {@code image}: 784 pixels in [0, 1], row by row. */
  static String classify(Path checkpoint, float[] image) throws CheckpointException {
    FashionMlp model = Models.load(checkpoint, new FashionMlp()); // from `nabla train`, Models.save or a Trainer
    return FashionMnist.CLASS_NAMES.get(Models.classify(model, image));
  }
  // README end
}
