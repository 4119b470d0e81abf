package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.check.GradientChecker;
import dev.nabla.runtime.check.GradientReport;
import dev.nabla.runtime.data.Minibatch;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each generated model's backward pass against finite differences of its loss (the runtime's checker). */
class GradientCheckTest {

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of(new FashionMlp(8), 784, 10),
        Arguments.of(new Exercise4Net(8), 2, 1),
        Arguments.of(new BlockGraph(8), 784, 10),
        Arguments.of(new DeepMlp(8), 784, 10));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void gradientsMatchFiniteDifferences(Trainable model, int inputSize, int labelSize) {
    assertEquals(inputSize, model.info().inputSize());
    model.initialize(11);
    SplittableRandom random = new SplittableRandom(5);
    int n = 8;
    float[] x = new float[n * inputSize];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    Minibatch batch;
    if (model.info().labels() == ModelInfo.Labels.CLASSES) {
      int[] labels = random.ints(n, 0, labelSize).toArray();
      batch = Minibatch.of(x, inputSize, labels, n);
    } else {
      float[] targets = new float[n * labelSize];
      for (int i = 0; i < targets.length; i++) {
        targets[i] = random.nextInt(2);
      }
      batch = Minibatch.of(x, inputSize, targets, labelSize, n);
    }
    GradientReport report = GradientChecker.check(model, batch);
    assertTrue(report.passed(), report.format());
  }
}
