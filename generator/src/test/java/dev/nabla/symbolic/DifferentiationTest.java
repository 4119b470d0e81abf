package dev.nabla.symbolic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.interpret.FiniteDifferences;
import dev.nabla.interpret.Interpreter;
import dev.nabla.print.FormulaPrinter;
import dev.nabla.print.Naming;
import dev.nabla.print.Notation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reverse mode beyond a chain: value reuse, depth, and derivatives of derivatives. */
class DifferentiationTest {

  /** Exercise 3: X feeds two blocks whose outputs feed a third; the paths' contributions add up. */
  @Test
  void exercise3BothPathsAddUp() {
    Network network = Networks.fromSpec(new SourceFile("blocks.nabla", """
        model BlockGraph
        input X[3]
        target T[2]
        param A[4, 3]
        param B[4, 3]
        param C[2, 4]
        param D[2, 4]
        def B1(x) = tanh(A x)
        def B2(x) = sigmoid(B x)
        def B3(u, v) = C u + D v
        Y = B3(B2(X), B1(X))
        loss = mse(Y, T)
        """));
    Node x = network.inputs().get(0);
    Gradients gradients = Differentiator.derive(network, network.loss(), List.of(x));
    Node dx = gradients.of(x);
    assertTrue(dx.is(Binary.ADD), "∂H/∂X sums the two paths: " + dx);
    String printed = new FormulaPrinter(Notation.UNICODE, Naming.of(gradients), false).reference(dx);
    assertEquals("Aᵀ (Dᵀ (Y − T) ⊙ (1 − Y2²)) + Bᵀ (Cᵀ (Y − T) ⊙ (Y1 ⊙ (1 − Y1)))", printed);

    Map<Node, Tensor> values = LessonDerivativesTest.randomValues(network, new Random(3), 0);
    Tensor symbolic = Interpreter.evaluate(dx, values);
    Tensor numeric = FiniteDifferences.gradient(network.loss(), x, values, 1e-6);
    assertTrue(FiniteDifferences.relativeError(numeric, symbolic, 1e-6) < 1e-7, symbolic + " vs " + numeric);
  }

  /** No expression swell: the gradient graph stays within a constant factor of the forward graph. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5, 20, 50, 200})
  void gradientGraphGrowsLinearlyWithDepth(int depth) {
    Network network = Networks.fromSpec(new SourceFile("deep.nabla", denseChain(depth, 8)));
    int forward = Differentiator.reachable(List.of(network.loss(), network.output())).size();
    Gradients gradients = Differentiator.parameters(network);
    List<Node> everything = new ArrayList<>(gradients.byLeaf().values());
    everything.add(network.loss());
    everything.add(network.output());
    int withGradients = Differentiator.reachable(everything).size();
    double ratio = (double) withGradients / forward;
    assertTrue(ratio < 4, "depth " + depth + ": " + withGradients + " nodes for a forward graph of " + forward);
    // The normal form printers use stays linear too, with names kept and written out in the leaves.
    for (boolean keepNames : new boolean[] {true, false}) {
      List<Node> normalized = new ArrayList<>(dev.nabla.print.Naming.normalized(gradients, keepNames).byLeaf().values());
      normalized.add(network.loss());
      normalized.add(network.output());
      int size = Differentiator.reachable(normalized).size();
      assertTrue((double) size / forward < 4, "normal form, depth " + depth + ": " + size + " nodes for a forward graph of " + forward);
    }
  }

  static String denseChain(int depth, int width) {
    StringBuilder spec = new StringBuilder("model Deep\ninput X[" + width + "]\nlabel y : " + width + "\n");
    for (int i = 1; i <= depth; i++) {
      spec.append("param W").append(i).append("[").append(width).append(", ").append(width).append("]\n");
      spec.append("param b").append(i).append("[").append(width).append("]\n");
    }
    String previous = "X";
    for (int i = 1; i <= depth; i++) {
      spec.append("H").append(i).append(" = relu(W").append(i).append(" ").append(previous).append(" + b").append(i).append(")\n");
      previous = "H" + i;
    }
    spec.append("out = logsoftmax(").append(previous).append(")\nloss = nll(out, y)\n");
    return spec.toString();
  }

  /** Derivatives are graphs, so they differentiate again: H v = ∇(∇H · v), checked numerically. */
  @Test
  void hessianVectorProduct() {
    assertHessianVectorProductMatchesFiniteDifferences("""
        model Small
        input x[3]
        target t[2]
        param W[2, 3]
        param V[2, 3]
        out = tanh(W x)
        loss = mse(out, t)
        """, 11);
  }

  /** Through max pooling, whose gradient routes δ to each window's maximum and whose adjoint reads it back. */
  @Test
  void hessianVectorProductThroughMaxPooling() {
    assertHessianVectorProductMatchesFiniteDifferences("""
        model Pooled
        input image[1, 4, 4]
        label y : 3
        param kernels[2, 1, 3, 3]
        param V[2, 1, 3, 3]
        param weights[3, 8]
        features = tanh(conv2d(kernels, image, padding=1))
        scores = weights flatten(maxpool(features, 2))
        loss = cross_entropy(scores, y)
        """, 5);
  }

  /** The first parameter's H v, v the second parameter, against central differences of its gradient. */
  private static void assertHessianVectorProductMatchesFiniteDifferences(String spec, long seed) {
    Network network = Networks.fromSpec(new SourceFile("hvp.nabla", spec));
    Node w = network.parameters().get(0);
    Node v = network.parameters().get(1);
    Graph graph = network.graph();
    Node gradient = Differentiator.derive(network, network.loss(), List.of(w)).of(w);
    Node directional = graph.sum(graph.mul(gradient, v));
    Node hessianTimesV = Differentiator.derive(network, directional, List.of(w)).of(w);

    Map<Node, Tensor> values = LessonDerivativesTest.randomValues(network, new Random(seed), 0);
    Tensor symbolic = Interpreter.evaluate(hessianTimesV, values);
    double step = 1e-5;
    Tensor at = values.get(w);
    Tensor direction = values.get(v);
    double[] numeric = new double[at.size()];
    for (int sign : new int[] {1, -1}) {
      double[] moved = at.data().clone();
      for (int i = 0; i < moved.length; i++) {
        moved[i] += sign * step * direction.get(i);
      }
      Map<Node, Tensor> shifted = new HashMap<>(values);
      shifted.put(w, new Tensor(at.shape(), moved));
      Tensor g = Interpreter.evaluate(gradient, shifted);
      for (int i = 0; i < numeric.length; i++) {
        numeric[i] += sign * g.get(i) / (2 * step);
      }
    }
    assertTrue(FiniteDifferences.relativeError(new Tensor(at.shape(), numeric), symbolic, 1e-6) < 1e-6,
        symbolic + " vs " + java.util.Arrays.toString(numeric));
  }

  @Test
  void whatAStabilityRewriteReplacedLeavesNothingBehind() {
    Network network = Networks.fromSpec(new SourceFile("r.nabla", """
        model R
        input X[3]
        label y : 2
        param W[2, 3]
        out = log(softmax(W X))
        loss = nll(out, y)
        """));
    assertEquals(List.of("5:7: log(softmax(W X)) → logsoftmax(W X)", "6:8: nll(logsoftmax(W X), y) → cross_entropy(W X, y)"),
        dev.nabla.print.GradientReport.rewrites(network, dev.nabla.print.Notation.TEXT).stream().map(r -> r.substring(0, r.indexOf(" ("))).toList());
    assertTrue(network.graph().nodes().stream().noneMatch(node -> node.is(Structural.SOFTMAX) || node.is(Unary.LOG)),
        "the softmax and the log that were rewritten are gone: " + network.graph().nodes());
  }

  @Test
  void valueUsedTwiceAccumulatesItsAdjoint() {
    Network network = Networks.fromExpression("sum((W x) * (W x))");
    Node w = network.parameters().get(0);
    Gradients gradients = Differentiator.parameters(network);
    // W x is one node (hash-consing), so the product is of a value with itself.
    Node product = network.output().input(0);
    assertEquals(product.input(0), product.input(1));
    Map<Node, Tensor> values = new HashMap<>();
    Network sized = Networks.fromExpression(SourceFile.ofExpression("sum((W x) * (W x))"), java.util.Optional.empty(),
        Map.of("W", List.of(2L, 3L), "x", List.of(3L)));
    values.putAll(LessonDerivativesTest.randomValues(sized, new Random(5), 0));
    Node sizedW = sized.parameters().get(0);
    Tensor symbolic = Interpreter.evaluate(Differentiator.parameters(sized).of(sizedW), values);
    Tensor numeric = FiniteDifferences.gradient(sized.loss(), sizedW, values, 1e-6);
    assertTrue(FiniteDifferences.relativeError(numeric, symbolic, 1e-6) < 1e-7);
    assertTrue(gradients.of(w).shape().isMatrix());
  }
}
