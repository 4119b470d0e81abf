package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Unary;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The shrinker, on artificial failures whose smallest form is known. */
class ShrinkerTest {

  private static boolean computesTanh(String text) {
    Network network = Differential.network(new Differential.Case("candidate.nabla", text));
    return Differentiator.reachable(network.loss()).stream().anyMatch(node -> node.is(Unary.TANH));
  }

  @Test
  void aSpecThatUsesTanhShrinksToOneTanhOfOneValue() {
    // a spec that uses tanh, with the default run's seeds
    String big = null;
    for (long seed = 1; big == null; seed++) {
      String text = FuzzSpecs.generate(seed);
      if (text.lines().count() > 14 && computesTanh(text)) {
        big = text;
      }
    }
    Shrinker.Result result = Shrinker.shrink(big, ShrinkerTest::computesTanh, 5000);
    String small = result.spec();
    assertTrue(computesTanh(small), small);
    assertTrue(Differential.valid(small), small);
    long lines = small.lines().count();
    assertTrue(lines < big.lines().count(), small);
    // model, input, label or target, the tanh's operand's parameter(s), out, loss: at most 7 lines
    assertTrue(lines <= 7, "not minimal:\n" + small + "\nfrom\n" + big);
    Network network = Differential.network(new Differential.Case("small.nabla", small));
    for (Node node : network.graph().nodes()) {
      if (node.shape().isKnown()) {
        assertTrue(node.shape().size() <= 2, "a dimension was not shrunk in\n" + small);
      }
    }
    assertEquals(1, small.split("tanh", -1).length - 1, small);
  }

  @Test
  void dimensionsShrinkToTheSmallestThatStillFails() {
    String spec = """
        model Wide
        input X[5]
        target t[4]
        param W[4, 5]
        param b[4]
        h = sigmoid(W X + b)
        out = h * h
        loss = mse(out, t)
        """;
    // fails while the target has at least 3 elements
    Predicate<String> fails = text -> Differential.network(new Differential.Case("c.nabla", text)).target()
        .map(t -> t.shape().size() >= 3).orElse(false);
    String small = Shrinker.shrink(spec, fails, 2000).spec();
    Network network = Differential.network(new Differential.Case("small.nabla", small));
    assertEquals(3, network.target().orElseThrow().shape().size(), small);
    assertEquals(1, network.inputs().get(0).shape().size(), small);
  }

  @Test
  void aPassingSpecIsLeftAlone() {
    String spec = FuzzSpecs.generate(3);
    Shrinker.Result result = Shrinker.shrink(spec, text -> false, 100);
    assertEquals(0, result.steps());
  }
}
