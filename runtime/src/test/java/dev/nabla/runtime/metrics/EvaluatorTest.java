package dev.nabla.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.testing.MlpModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  @Test
  void accuracyPerClassComesFromTheConfusionMatrix() {
    int[][] confusion = {{3, 1, 0}, {0, 2, 2}, {0, 0, 0}};

    Evaluation evaluation = Evaluation.fromConfusion(0.5, confusion);

    assertEquals(5 / 8.0, evaluation.accuracy());
    assertArrayEquals(new double[] {0.75, 0.5, Double.NaN}, evaluation.perClassAccuracy());
  }

  @Test
  void evaluatesInBatchesAsInOne() {
    MlpModel model = new MlpModel(4, 5, 3, 64);
    model.initialize(3);
    float[] x = new float[50 * 4];
    int[] labels = new int[50];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i);
    }
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 3;
    }
    Dataset data = Dataset.ofClasses("test", x, 4, labels, List.of("a", "b", "c"));

    Evaluation inOne = new Evaluator(model, data, 64).evaluate(model, data);
    Evaluation inSevens = new Evaluator(model, data, 7).evaluate(model, data);

    assertArrayEquals(inOne.confusion(), inSevens.confusion());
    assertEquals(inOne.loss(), inSevens.loss(), 1e-6);
    assertEquals(model.loss(x, labels, 50), inOne.loss(), 1e-6);
  }
}
