package dev.nabla.symbolic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.interpret.FiniteDifferences;
import dev.nabla.interpret.Interpreter;
import dev.nabla.print.GradientReport;
import dev.nabla.print.Notation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lesson's table of derivatives (../shared/seed/lesson-summary.md), row by row: as printed
 * formulas, exactly, and as numbers against finite differences.
 */
class LessonDerivativesTest {
  static final String LESSON_SPEC = """
      # the lesson's network
      model FashionMlp
      input  X[784]                 # a flattened image in [0,1]
      label  y : 10                 # class index; t = onehot(y) in formulas
      param  W1[20, 784]            # default init like PyTorch's Linear
      param  b1[20]
      param  W2[10, 20]
      param  b2[10]
      Y1   = relu(W1 X + b1)        # named intermediate values
      out  = logsoftmax(W2 Y1 + b2)
      loss = nll(out, y)            # scalar; the thing differentiated
      """;

  static final String SEED_NETWORK = "softmax(W2 relu(W1 X + b1) + b2)";

  private static GradientReport report(Network network, Notation notation, boolean inline) {
    return GradientReport.of(Differentiator.parameters(network), notation, inline);
  }

  @Test
  void theSeedNetworkGetsSymbolicShapesInLayerOrder() {
    Network network = Networks.fromExpression(SEED_NETWORK);
    Map<String, String> shapes = new HashMap<>();
    for (Node leaf : network.graph().nodes()) {
      if (leaf.isLeaf()) {
        shapes.put(Network.leafName(leaf), leaf.shape().toString());
      }
    }
    assertEquals(Map.of("X", "n0", "W1", "n1×n0", "b1", "n1", "W2", "n2×n1", "b2", "n2", "y", "n2"), shapes);
  }

  @Test
  void exercise1EveryGradientWithSharedAdjointsNamedOnce() {
    Network network = Networks.fromExpression(SEED_NETWORK);
    assertEquals("""
        Z1 = W1 X + b1
        Y1 = relu(Z1)
        Z2 = W2 Y1 + b2
        Y2 = softmax(Z2)
        H = cross_entropy(Z2, y)

        δ2 = ∂H/∂Z2 = Y2 − t
        ∂H/∂Y1 = W2ᵀ δ2
        δ1 = ∂H/∂Z1 = W2ᵀ δ2 ⊙ 1{Z1 ≥ 0}

        ∂H/∂W1 = δ1 Xᵀ
        ∂H/∂b1 = δ1
        ∂H/∂W2 = δ2 Y1ᵀ
        ∂H/∂b2 = δ2

        rewritten for stability:
          1:1: H = −Σ t ⊙ log(softmax(z)) → cross_entropy(z, y) (softmax and the log of cross-entropy fused: stable for any logits, and ∂H/∂z = Y − t)
        """, report(network, Notation.UNICODE, false).render());
  }

  @Test
  void theTableRowsInline() {
    GradientReport report = report(Networks.fromExpression(SEED_NETWORK), Notation.UNICODE, true);
    assertEquals(List.of(
            "∂H/∂Z2 = Y2 − t",
            "∂H/∂Y1 = W2ᵀ (Y2 − t)",
            "∂H/∂Z1 = W2ᵀ (Y2 − t) ⊙ 1{Z1 ≥ 0}"),
        report.backward().stream().map(Object::toString).toList());
    assertEquals(List.of(
            "∂H/∂W1 = (W2ᵀ (Y2 − t) ⊙ 1{Z1 ≥ 0}) Xᵀ",
            "∂H/∂b1 = W2ᵀ (Y2 − t) ⊙ 1{Z1 ≥ 0}",
            "∂H/∂W2 = (Y2 − t) Y1ᵀ",
            "∂H/∂b2 = Y2 − t"),
        report.gradients().stream().map(Object::toString).toList());
  }

  @Test
  void theSpecFileDerivesTheSameFormulasAndReportsItsRewrite() {
    Network network = Networks.fromSpec(new SourceFile("lesson.nabla", LESSON_SPEC));
    GradientReport report = report(network, Notation.UNICODE, false);
    assertEquals(List.of("∂H/∂W1 = δ1 Xᵀ", "∂H/∂b1 = δ1", "∂H/∂W2 = δ2 Y1ᵀ", "∂H/∂b2 = δ2"),
        report.gradients().stream().map(Object::toString).toList());
    assertEquals("δ2 = ∂H/∂Z2 = Y2 − t", report.backward().get(0).toString());
    assertEquals("11:8: nll(logsoftmax(W2 Y1 + b2), y) → cross_entropy(W2 Y1 + b2, y) (one fused, stable pass; ∂H/∂z = softmax(z) − t)",
        report.rewrites().get(0).toString());
    assertEquals("FashionMlp", network.name());
    assertEquals("10", network.output().shape().toString());
  }

  @Test
  void asciiTextParsesBackAndLatexIsForDocuments() {
    Network network = Networks.fromExpression(SEED_NETWORK);
    assertEquals(List.of("dH/dW1 = delta1 X'", "dH/db1 = delta1", "dH/dW2 = delta2 Y1'", "dH/db2 = delta2"),
        report(network, Notation.TEXT, false).gradients().stream().map(Object::toString).toList());
    assertEquals("\\delta_{1} = \\frac{\\partial H}{\\partial Z_{1}} = W_{2}^{\\top} \\, \\delta_{2} \\odot \\mathbb{1}\\{Z_{1} \\geq 0\\}",
        report(network, Notation.LATEX, false).backward().get(2).toString());
    // The inline ASCII form of a gradient is an expression nabla reads again.
    String inline = report(network, Notation.TEXT, true).gradients().get(0).right();
    assertEquals("(W2' (Y2 - t) * step(Z1)) X'", inline);
    assertTrue(dev.nabla.grammar.SpecParser.parseExpression(SourceFile.ofExpression(inline)).value().isPresent());
  }

  /** Every row of the table as numbers: each printed formula evaluated against finite differences. */
  @Test
  void theTableRowsAsNumbers() {
    Network network = Networks.fromSpec(new SourceFile("lesson.nabla", LESSON_SPEC.replace("784", "12")));
    Gradients gradients = Differentiator.parameters(network);
    Map<Node, Tensor> values = randomValues(network, new Random(7), 3);
    for (Node parameter : network.parameters()) {
      Tensor symbolic = Interpreter.evaluate(gradients.of(parameter), values);
      Tensor numeric = FiniteDifferences.gradient(network.loss(), parameter, values, 1e-6);
      assertTrue(FiniteDifferences.relativeError(numeric, symbolic, 1e-6) < 1e-6,
          () -> "∂H/∂" + Network.leafName(parameter) + ": " + symbolic + " vs " + numeric);
    }
    // ∂H/∂z2_k = y2_k − t_k, ∂H/∂log(y2_k) = −t_k: check both adjoints directly.
    Node z2 = network.loss().input(0);
    Tensor dz2 = Interpreter.evaluate(gradients.adjoints().get(z2), values);
    Tensor y2 = Interpreter.evaluate(network.graph().structural(Structural.SOFTMAX, z2), values);
    Tensor t = values.get(network.label().orElseThrow());
    for (int k = 0; k < 10; k++) {
      assertEquals(y2.get(k) - t.get(k), dz2.get(k), 1e-12);
    }
  }

  /** Random parameters in [-1, 1], a random input in [0, 1] and the given class. */
  static Map<Node, Tensor> randomValues(Network network, Random random, int label) {
    Map<Node, Tensor> values = new HashMap<>();
    for (Node node : network.graph().nodes()) {
      if (node.op() instanceof Op.Leaf leaf) {
        int size = Math.toIntExact(node.shape().size());
        double[] data = new double[size];
        switch (leaf.kind()) {
          case LABEL -> data[label % size] = 1;
          case INPUT, TARGET -> {
            for (int i = 0; i < size; i++) {
              data[i] = random.nextDouble();
            }
          }
          case PARAM -> {
            for (int i = 0; i < size; i++) {
              data[i] = random.nextDouble() * 2 - 1;
            }
          }
        }
        values.put(node, new Tensor(node.shape(), data));
      }
    }
    return values;
  }
}
