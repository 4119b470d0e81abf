package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.FloatTrainable;
import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint written before the kernels and threads moved to the runtime still loads into the class
 * generated now, and the model then predicts what it predicted. {@code checkpoints/FashionMlp-b643260.nabla}
 * was written by the lesson's class as generated at commit b643260 (its golden file, compiled against the
 * runtime): {@code new FashionMlp(8, 1)}, {@code initialize(11)}, 5 SGD steps at 0.1 on the inputs
 * {@code x[i] = (i % 97) / 97} with labels {@code b % 10}; the predictions file holds what it then predicted
 * for those inputs.
 */
class CheckpointCompatibilityTest {
  private static final Path DIRECTORY = Path.of("src/test/resources/checkpoints");

  @Test
  void aCheckpointOfTheOldClassLoadsAndPredictsAsBefore() throws Exception {
    Path file = DIRECTORY.resolve("FashionMlp-b643260.nabla");
    ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(Networks.resource("FashionMlp"), Precision.FLOAT)));
    FloatTrainable model = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + ".FashionMlp", 8, FloatTrainable.class);
    Checkpoint checkpoint = CheckpointFile.load(file);
    CheckpointFile.restore(file, checkpoint, model);
    for (var parameter : model.info().parameters()) {
      assertArrayEquals(checkpoint.values(parameter.name()), model.parameter(parameter.name()), parameter.name());
    }
    float[] x = new float[8 * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 97) / 97f;
    }
    float[] predicted = new float[8 * 10];
    model.predict(x, 8, predicted);
    List<String> expected = Files.readAllLines(DIRECTORY.resolve("FashionMlp-b643260-predictions.txt"));
    assertEquals(predicted.length, expected.size());
    for (int i = 0; i < predicted.length; i++) {
      assertEquals(Double.parseDouble(expected.get(i)), predicted[i], 1e-5, "prediction " + i);
    }
  }
}
