package dev.nabla.symbolic;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.interpret.FiniteDifferences;
import dev.nabla.interpret.Interpreter;
import dev.nabla.testing.RandomSpecs;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Symbolic gradients of 200 random networks against central differences. */
class RandomNetworksTest {

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  @ParameterizedTest(name = "random spec {0}")
  @MethodSource("seeds")
  void symbolicGradientsMatchFiniteDifferences(long seed) {
    String text = RandomSpecs.generate(seed);
    Network network;
    try {
      network = Networks.fromSpec(new SourceFile("random" + seed + ".nabla", text));
    } catch (DiagnosticException e) {
      throw new AssertionError("a generated spec must be valid:\n" + text + "\n" + e.formatted(), e);
    }
    Gradients gradients = Differentiator.parameters(network);
    Map<Node, Tensor> values = LessonDerivativesTest.randomValues(network, new Random(seed), (int) seed);
    for (Node parameter : network.parameters()) {
      Tensor symbolic = Interpreter.evaluate(gradients.of(parameter), values);
      Tensor numeric = FiniteDifferences.gradient(network.loss(), parameter, values, 1e-6);
      double error = FiniteDifferences.relativeError(numeric, symbolic, 1e-4);
      assertTrue(error < 1e-5, () -> "∂H/∂" + Network.leafName(parameter) + " off by " + error + " in\n" + text
          + "\nsymbolic " + symbolic + "\nnumeric  " + numeric);
    }
  }
}
