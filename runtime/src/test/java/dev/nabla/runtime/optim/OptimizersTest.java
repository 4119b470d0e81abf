package dev.nabla.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.Minibatch;
import dev.nabla.runtime.testing.DelegatingTrainable;
import dev.nabla.runtime.testing.LeastSquaresModel;
import dev.nabla.runtime.testing.TestData;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OptimizersTest {

  private static final int INPUTS = 5;
  private static final int OUTPUTS = 2;

  static Stream<Arguments> optimizers() {
    return Stream.of(
        Arguments.of("sgd", 0.1, false),
        Arguments.of("momentum", 0.05, false),
        Arguments.of("momentum", 0.05, true),
        Arguments.of("adam", 0.01, false),
        Arguments.of("adam", 0.01, true));
  }

  @ParameterizedTest(name = "{0}, lr {1}, through copies: {2}")
  @MethodSource("optimizers")
  void reachesTheLeastSquaresOptimum(String optimizer, double lr, boolean throughCopies) {
    LeastSquaresModel model = new LeastSquaresModel(INPUTS, OUTPUTS, 200);
    model.initialize(1);
    Trainable trained = throughCopies ? new DelegatingTrainable(model) : model;
    Dataset data = TestData.linear(200, INPUTS, OUTPUTS, 2);
    Minibatch batch = Minibatch.forData(data, 200);
    batch.fillRange(data, 0, 200);
    Optimizer step = OptimizerSpec.parse(optimizer).create(trained);

    double loss = Double.NaN;
    for (int i = 0; i < 3000; i++) {
      loss = step.step(trained, batch, (float) lr);
    }

    float[][] solution = TestData.linearSolution(INPUTS, OUTPUTS);
    assertTrue(loss < 1e-6, optimizer + " ended at loss " + loss);
    assertArrayEquals(solution[0], model.parameterArrays()[0], 2e-3f);
    assertArrayEquals(solution[1], model.parameterArrays()[1], 2e-3f);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"momentum", "adam"})
  void theLoopOverTheLiveArraysGivesTheNumbersOfTheRuleThroughCopies(String optimizer) {
    Dataset data = TestData.linear(40, INPUTS, OUTPUTS, 3);
    Minibatch batch = Minibatch.forData(data, 40);
    batch.fillRange(data, 0, 40);
    LeastSquaresModel live = new LeastSquaresModel(INPUTS, OUTPUTS, 40);
    LeastSquaresModel copied = new LeastSquaresModel(INPUTS, OUTPUTS, 40);
    live.initialize(4);
    copied.initialize(4);
    Trainable throughCopies = new DelegatingTrainable(copied);
    Optimizer fast = OptimizerSpec.parse(optimizer).create(live);
    Optimizer general = OptimizerSpec.parse(optimizer).create(throughCopies);

    for (int i = 0; i < 50; i++) {
      fast.step(live, batch, 0.01f);
      general.step(throughCopies, batch, 0.01f);
    }

    assertArrayEquals(copied.parameterArrays()[0], live.parameterArrays()[0]);
    assertArrayEquals(copied.parameterArrays()[1], live.parameterArrays()[1]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimizers")
  void aRestoredStateContinuesExactly(String optimizer, double lr, boolean throughCopies) {
    Dataset data = TestData.linear(40, INPUTS, OUTPUTS, 3);
    Minibatch batch = Minibatch.forData(data, 40);
    batch.fillRange(data, 0, 40);
    LeastSquaresModel straight = new LeastSquaresModel(INPUTS, OUTPUTS, 40);
    straight.initialize(4);
    Optimizer a = OptimizerSpec.parse(optimizer).create(straight);
    for (int i = 0; i < 20; i++) {
      a.step(straight, batch, (float) lr);
    }

    LeastSquaresModel resumed = new LeastSquaresModel(INPUTS, OUTPUTS, 40);
    resumed.initialize(4);
    Optimizer b = OptimizerSpec.parse(optimizer).create(resumed);
    for (int i = 0; i < 10; i++) {
      b.step(resumed, batch, (float) lr);
    }
    Optimizer c = OptimizerSpec.parse(optimizer).create(resumed);
    c.restore(b.state());
    for (int i = 0; i < 10; i++) {
      c.step(resumed, batch, (float) lr);
    }

    assertArrayEquals(straight.parameterArrays()[0], resumed.parameterArrays()[0]);
    assertEquals(a.state(), c.state());
  }

  @Test
  void aStateOfAnotherOptimizerIsRefused() {
    LeastSquaresModel model = new LeastSquaresModel(INPUTS, OUTPUTS, 4);
    Optimizer adam = OptimizerSpec.adam().create(model);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OptimizerSpec.momentum().create(model).restore(adam.state()));
    assertEquals("the saved optimizer state is adam's, this run uses momentum", e.getMessage());
  }

  @Test
  void parsesWhatACommandLineGives() {
    assertInstanceOf(OptimizerSpec.Sgd.class, OptimizerSpec.parse("SGD"));
    assertEquals(new OptimizerSpec.Momentum(0.8), OptimizerSpec.parse("momentum:0.8"));
    assertEquals(new OptimizerSpec.Adam(0.9, 0.99, 1e-7), OptimizerSpec.parse("adam:0.9:0.99:1e-7"));
    assertEquals(OptimizerSpec.adam(), OptimizerSpec.parse(OptimizerSpec.adam().describe()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptimizerSpec.parse("rmsprop"));
    assertTrue(e.getMessage().startsWith("unknown optimizer 'rmsprop': expected sgd, momentum"), e.getMessage());
  }
}
