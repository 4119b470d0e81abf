package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.InMemoryCompiler;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.optim.OptimizerSpec;
import dev.nabla.runtime.train.DivergenceException;
import dev.nabla.runtime.train.Schedule;
import dev.nabla.runtime.train.TrainConfig;
import dev.nabla.runtime.train.Trainer;
import dev.nabla.runtime.train.TrainingResult;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A diverging learning rate is stopped by the runtime's trainer with its message (epoch and step),
 * and the last good checkpoint is left as it was.
 */
class DivergenceTest {
  private static final String SPEC = """
      model SmallMlp
      input  X[16]
      label  y : 4
      param  W1[8, 16]
      param  b1[8]
      param  W2[4, 8]
      param  b2[4]
      Y1   = relu(W1 X + b1)
      out  = logsoftmax(W2 Y1 + b2)
      loss = nll(out, y)
      """;

  private static Dataset data(String name, int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[size * 16];
    int[] labels = new int[size];
    for (int s = 0; s < size; s++) {
      labels[s] = random.nextInt(4);
      for (int i = 0; i < 16; i++) {
        x[s * 16 + i] = (float) (random.nextDouble() + (i % 4 == labels[s] ? 1 : 0));
      }
    }
    return Dataset.ofClasses(name, x, 16, labels, List.of("a", "b", "c", "d"));
  }

  @Test
  void aHugeLearningRateIsStoppedAndTheLastGoodCheckpointKept(@TempDir Path out) throws Exception {
    Network network = Differential.network(new Differential.Case("SmallMlp.nabla", SPEC));
    ClassLoader loader = InMemoryCompiler.compile(List.of(
        JavaWriter.write(network, Differentiator.parameters(network), CodegenOptions.of("dev.nabla.diverge"))));
    Trainable model = InMemoryCompiler.instantiate(loader, "dev.nabla.diverge.SmallMlp", 16, Trainable.class);
    model.initialize(1);
    Dataset train = data("train", 256, 1);
    Dataset test = data("test", 64, 2);

    // one good epoch, which writes a checkpoint
    TrainConfig good = new TrainConfig(1, 16, 0.05, Schedule.constant(), OptimizerSpec.parse("momentum:0.9"), 1, out, null, null);
    TrainingResult result = new Trainer(good).train(model, train, test);
    assertEquals(TrainingResult.Status.COMPLETED, result.status());
    Path checkpoint = out.resolve(CheckpointFile.DEFAULT_NAME);
    byte[] before = Files.readAllBytes(checkpoint);

    // then from it at lr 1e30. (At 1e6 this network does not reach a NaN or an infinity: its relus die,
    // the loss stays finite and large, and the trainer, which watches for non-finite values only, runs on.)
    TrainConfig bad = good.withEpochs(20).withLearningRate(1e30).withResumeFrom(checkpoint);
    DivergenceException diverged = assertThrows(DivergenceException.class, () -> new Trainer(bad).train(model, train, test));
    String message = diverged.getMessage();
    assertTrue(diverged.epoch() >= 2, message);
    assertTrue(message.contains("training diverged in epoch " + diverged.epoch() + " at step " + diverged.step() + " of 16"), message);
    assertTrue(message.contains("Lower the learning rate") && message.contains("last good checkpoint stays at " + checkpoint), message);

    // the checkpoint is the good epoch's, byte for byte, and loads
    assertArrayEquals(before, Files.readAllBytes(checkpoint));
    Checkpoint loaded = CheckpointFile.load(checkpoint);
    assertEquals(1, loaded.training().epochsCompleted());
    for (double value : loaded.values("W1")) {
      assertTrue(Double.isFinite(value));
    }
  }
}
