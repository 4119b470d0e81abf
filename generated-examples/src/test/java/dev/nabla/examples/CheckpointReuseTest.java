package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.FashionMnist;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A saved FashionMlp comes back in a fresh instance and classifies as the original did (no data needed). */
class CheckpointReuseTest {

  @TempDir
  Path dir;

  @Test
  void aFreshModelRestoredFromACheckpointClassifiesAsTheSavedOne() throws CheckpointException {
    FashionMlp trained = new FashionMlp();
    trained.initialize(7);
    Path file = dir.resolve(CheckpointFile.DEFAULT_NAME);
    CheckpointFile.save(file, Checkpoint.of(trained, null));

    float[] image = new float[784];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) random.nextDouble();
    }
    float[] expected = new float[10];
    trained.predict(image, 1, expected);
    FashionMlp fresh = new FashionMlp();
    CheckpointFile.restore(file, CheckpointFile.load(file), fresh);
    float[] actual = new float[10];
    fresh.predict(image, 1, actual);
    assertArrayEquals(expected, actual);

    String name = ClassifyWithCheckpoint.classify(file, image);
    int best = 0;
    for (int k = 1; k < 10; k++) {
      best = expected[k] > expected[best] ? k : best;
    }
    assertEquals(FashionMnist.CLASS_NAMES.get(best), name);
  }

  @Test
  void anotherNetworksCheckpointIsRefused() throws CheckpointException {
    DeepMlp deep = new DeepMlp();
    deep.initialize(1);
    Path file = dir.resolve("deep.nckpt");
    CheckpointFile.save(file, Checkpoint.of(deep, null));
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> ClassifyWithCheckpoint.classify(file, new float[784]));
    assertTrue(e.getMessage().contains("DeepMlp") && e.getMessage().contains("FashionMlp"), e.getMessage());
  }
}
