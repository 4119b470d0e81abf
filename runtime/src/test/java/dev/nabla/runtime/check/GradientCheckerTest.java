package dev.nabla.runtime.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.Minibatch;
import dev.nabla.runtime.testing.DelegatingTrainable;
import dev.nabla.runtime.testing.LeastSquaresModel;
import dev.nabla.runtime.testing.MlpModel;
import dev.nabla.runtime.testing.TestData;
import org.junit.jupiter.api.Test;

class GradientCheckerTest {

  private static final Dataset DATA = TestData.clusters("check", 16, 12, 3);

  private static Minibatch batch() {
    Minibatch batch = Minibatch.forData(DATA, 16);
    batch.fillRange(DATA, 0, 16);
    return batch;
  }

  @Test
  void theHandWrittenMlpHasRightGradients() {
    MlpModel model = new MlpModel(12, 8, 3, 16);
    model.initialize(7);
    double[] before = model.parameter("W1");

    GradientReport report = GradientChecker.check(model, batch());

    assertTrue(report.passed(), report.format());
    assertEquals(4, report.parameters().size());
    // 20 coordinates tried; those whose steps cross a ReLU kink are skipped, not compared
    int checked = report.parameters().get(0).checked();
    assertTrue(checked >= 10 && checked <= 20, report.format());
    assertEquals(3, report.parameters().get(3).checked(), "b2 has 3 values, all checked");
    assertArrayEquals(before, model.parameter("W1"), "parameters restored");
  }

  @Test
  void leastSquaresPassesATightCheck() {
    Dataset data = TestData.linear(8, 3, 2, 1);
    LeastSquaresModel model = new LeastSquaresModel(3, 2, 8);
    model.initialize(2);
    Minibatch batch = Minibatch.of(data.x(), 3, data.targets(), 2, 8);

    GradientReport report = GradientChecker.check(model, batch, new GradientChecker.Options(10, 1e-2, 1e-2, 1e-3, 1));

    assertTrue(report.passed(), report.format());
  }

  @Test
  void aWrongGradientIsFoundAndNamed() {
    MlpModel model = new MlpModel(12, 8, 3, 16);
    model.initialize(7);
    DelegatingTrainable buggy = new DelegatingTrainable(model) {
      @Override
      public double[] gradient(String name) {
        double[] g = super.gradient(name);
        if (name.equals("b2")) {
          g[1] *= 2; // a factor-of-two slip in the backward pass
        }
        return g;
      }
    };

    GradientReport report = GradientChecker.check(buggy, batch(),
        GradientChecker.Options.forPrecision(ModelInfo.Precision.FLOAT));

    assertFalse(report.passed());
    ParameterCheck b2 = report.parameters().get(3);
    assertEquals("b2", b2.parameter().name());
    assertEquals(1, b2.worstIndex());
    assertEquals(0.5, b2.worstError(), 0.03, "|2g − g| / max(|2g|, |g|)");
    assertTrue(report.parameters().get(0).worstError() < 1e-2, report.format());
    assertTrue(report.format().contains("FAIL b2[3]"), report.format());
  }
}
