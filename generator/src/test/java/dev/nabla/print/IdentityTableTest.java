package dev.nabla.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.interpret.FiniteDifferences;
import dev.nabla.interpret.Interpreter;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Lowering;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The identities of a matrix-calculus table, each derived by nabla as a one-liner, printed exactly as
 * a textbook writes it (Unicode and LaTeX), and checked as numbers at random points: the printed
 * gradient evaluated by the interpreter against the textbook's closed form, and against finite
 * differences of the function. Sources: The Matrix Cookbook §2.4 (eqs. 69–86), least squares, ridge,
 * logistic and softmax regression, and the lesson's table.
 */
class IdentityTableTest {

  /**
   * @param function the one-liner
   * @param by the name differentiated by
   * @param dims the sizes of its names, as --dim takes them
   * @param unicode the gradient as printed
   * @param latex the gradient as printed with --format latex
   * @param closedForm the textbook's formula in nabla's ASCII ({@code t} is the label's one-hot)
   */
  record Identity(String function, String by, String dims, String unicode, String latex, String closedForm) {
    @Override
    public String toString() {
      return "∂/∂" + by + " " + function;
    }
  }

  static Stream<Identity> table() {
    return Stream.of(
        // The Matrix Cookbook §2.4.1, first order
        new Identity("x' a", "x", "x=3 a=3", "a", "a", "a"),
        new Identity("a' x", "x", "x=3 a=3", "a", "a", "a"),
        new Identity("a' X b", "X", "a=3 X=3x4 b=4", "a bᵀ", "a \\, b^{\\top}", "a b'"),
        new Identity("a' X b", "a", "a=3 X=3x4 b=4", "X b", "X \\, b", "X b"),
        new Identity("a' X b", "b", "a=3 X=3x4 b=4", "Xᵀ a", "X^{\\top} \\, a", "X' a"),
        new Identity("a' X' b", "X", "a=3 X=4x3 b=4", "b aᵀ", "b \\, a^{\\top}", "b a'"),
        new Identity("a' X' b", "a", "a=3 X=4x3 b=4", "Xᵀ b", "X^{\\top} \\, b", "X' b"),
        new Identity("a' X a", "X", "a=3 X=3x3", "a aᵀ", "a \\, a^{\\top}", "a a'"),
        new Identity("a' X' a", "X", "a=3 X=3x3", "a aᵀ", "a \\, a^{\\top}", "a a'"),
        new Identity("u' W v", "W", "u=2 W=2x3 v=3", "u vᵀ", "u \\, v^{\\top}", "u v'"),
        // §2.4.2, second order
        new Identity("b' X' X c", "X", "X=5x3 b=3 c=3", "X (b cᵀ + c bᵀ)", "X \\, (b \\, c^{\\top} + c \\, b^{\\top})", "X (b c' + c b')"),
        new Identity("(B x + b)' C (D x + d)", "x", "x=3 B=4x3 b=4 C=4x2 D=2x3 d=2",
            "Bᵀ C (D x + d) + Dᵀ Cᵀ (B x + b)", "B^{\\top} \\, C \\, (D \\, x + d) + D^{\\top} \\, C^{\\top} \\, (B \\, x + b)",
            "B' C (D x + d) + D' C' (B x + b)"),
        new Identity("(B x + b)' C (D x + d)", "C", "x=3 B=4x3 b=4 C=4x2 D=2x3 d=2",
            "(B x + b) (D x + d)ᵀ", "(B \\, x + b) \\, (D \\, x + d)^{\\top}", "(B x + b) (D x + d)'"),
        new Identity("x' B x", "x", "x=3 B=3x3", "(B + Bᵀ) x", "(B + B^{\\top}) \\, x", "(B + B') x"),
        new Identity("x' A x", "A", "x=3 A=3x3", "x xᵀ", "x \\, x^{\\top}", "x x'"),
        new Identity("b' X' D X c", "X", "X=4x3 b=3 c=3 D=4x4", "Dᵀ X b cᵀ + D X c bᵀ",
            "D^{\\top} \\, X \\, b \\, c^{\\top} + D \\, X \\, c \\, b^{\\top}", "D' X b c' + D X c b'"),
        new Identity("(X b + c)' D (X b + c)", "X", "X=4x3 b=3 c=4 D=4x4", "(D + Dᵀ) (X b + c) bᵀ",
            "(D + D^{\\top}) \\, (X \\, b + c) \\, b^{\\top}", "(D + D') (X b + c) b'"),
        new Identity("(x - s)' W (x - s)", "x", "x=3 s=3 W=3x3", "(W + Wᵀ) (x − s)", "(W + W^{\\top}) \\, (x - s)", "(W + W') (x - s)"),
        new Identity("(x - s)' W (x - s)", "s", "x=3 s=3 W=3x3", "−(W + Wᵀ) (x − s)", "-(W + W^{\\top}) \\, (x - s)", "-(W + W') (x - s)"),
        new Identity("x' x", "x", "x=3", "2 x", "2 \\, x", "2 x"),
        new Identity("w' w", "w", "w=3", "2 w", "2 \\, w", "2 w"),
        // least squares and ridge
        new Identity("sum((X w - y)^2)", "w", "X=5x3 w=3 y=5", "2 Xᵀ (X w − y)", "2 \\, X^{\\top} \\, (X \\, w - y)", "2 X' (X w - y)"),
        new Identity("(X w - y)' (X w - y)", "w", "X=5x3 w=3 y=5", "2 Xᵀ (X w − y)", "2 \\, X^{\\top} \\, (X \\, w - y)", "2 X' (X w - y)"),
        new Identity("mean((X w - y)^2)", "w", "X=5x3 w=3 y=5", "0.4 Xᵀ (X w − y)", "0.4 \\, X^{\\top} \\, (X \\, w - y)", "2 X' (X w - y) / 5"),
        new Identity("sum((X w - y)^2) + 0.5 * w' w", "w", "X=5x3 w=3 y=5", "2 Xᵀ (X w − y) + w",
            "2 \\, X^{\\top} \\, (X \\, w - y) + w", "2 X' (X w - y) + w"),
        new Identity("sum((X w - y)^2) + 0.1 * w' w", "w", "X=5x3 w=3 y=5", "2 Xᵀ (X w − y) + 0.2 w",
            "2 \\, X^{\\top} \\, (X \\, w - y) + 0.2 \\, w", "2 X' (X w - y) + 0.2 w"),
        new Identity("0.001 * sum(W1 * W1)", "W1", "W1=3x4", "0.002 W1", "0.002 \\, W_{1}", "0.002 W1"),
        new Identity("sum(W * W)", "W", "W=3x4", "2 W", "2 \\, W", "2 W"),
        // logistic regression
        new Identity("sum(softplus(X w)) - y' X w", "w", "X=5x3 w=3 y=5", "Xᵀ (sigmoid(X w) − y)",
            "X^{\\top} \\, (\\operatorname{sigmoid}(X \\, w) - y)", "X' (sigmoid(X w) - y)"),
        new Identity("mean(softplus(X w) - y * (X w))", "w", "X=5x3 w=3 y=5", "0.2 Xᵀ (sigmoid(X w) − y)",
            "0.2 \\, X^{\\top} \\, (\\operatorname{sigmoid}(X \\, w) - y)", "X' (sigmoid(X w) - y) / 5"),
        new Identity("bce(sigmoid(X w), y)", "w", "X=5x3 w=3 y=5", "0.2 Xᵀ (sigmoid(X w) − y)",
            "0.2 \\, X^{\\top} \\, (\\operatorname{sigmoid}(X \\, w) - y)", "X' (sigmoid(X w) - y) / 5"),
        // softmax regression and log-sum-exp
        new Identity("log(sum(exp(w)))", "w", "w=4", "softmax(w)", "\\operatorname{softmax}(w)", "exp(w) / sum(exp(w))"),
        new Identity("sum(exp(w))", "w", "w=4", "exp(w)", "\\operatorname{exp}(w)", "exp(w)"),
        new Identity("cross_entropy(W x, y)", "W", "W=4x3 x=3", "(softmax(W x) − t) xᵀ",
            "(\\operatorname{softmax}(W \\, x) - t) \\, x^{\\top}", "(softmax(W x) - t) x'"),
        new Identity("cross_entropy(W x + b, y)", "b", "W=4x3 x=3 b=4", "softmax(W x + b) − t",
            "\\operatorname{softmax}(W \\, x + b) - t", "softmax(W x + b) - t"),
        new Identity("nll(logsoftmax(W x), y)", "W", "W=4x3 x=3", "(softmax(W x) − t) xᵀ",
            "(\\operatorname{softmax}(W \\, x) - t) \\, x^{\\top}", "(softmax(W x) - t) x'"),
        // the lesson's table: ∂H/∂z2 = y2 − t, the layer gradients, and the activations' derivatives
        new Identity("nll(logsoftmax(u), y)", "u", "u=4", "softmax(u) − t", "\\operatorname{softmax}(u) - t", "softmax(u) - t"),
        new Identity("cross_entropy(W2 relu(W1 x + b1) + b2, y)", "W2", "W1=5x3 x=3 b1=5 W2=4x5 b2=4",
            "(softmax(W2 relu(W1 x + b1) + b2) − t) relu(W1 x + b1)ᵀ",
            "(\\operatorname{softmax}(W_{2} \\, \\operatorname{relu}(W_{1} \\, x + b_{1}) + b_{2}) - t) \\, \\operatorname{relu}(W_{1} \\, x + b_{1})^{\\top}",
            "(softmax(W2 relu(W1 x + b1) + b2) - t) relu(W1 x + b1)'"),
        new Identity("cross_entropy(W2 relu(W1 x + b1) + b2, y)", "b1", "W1=5x3 x=3 b1=5 W2=4x5 b2=4",
            "W2ᵀ (softmax(W2 relu(W1 x + b1) + b2) − t) ⊙ 1{W1 x + b1 ≥ 0}",
            "W_{2}^{\\top} \\, (\\operatorname{softmax}(W_{2} \\, \\operatorname{relu}(W_{1} \\, x + b_{1}) + b_{2}) - t) \\odot \\mathbb{1}\\{W_{1} \\, x + b_{1} \\geq 0\\}",
            "(W2' (softmax(W2 relu(W1 x + b1) + b2) - t)) * step(W1 x + b1)"),
        new Identity("cross_entropy(W2 relu(W1 x + b1) + b2, y)", "W1", "W1=5x3 x=3 b1=5 W2=4x5 b2=4",
            "(W2ᵀ (softmax(W2 relu(W1 x + b1) + b2) − t) ⊙ 1{W1 x + b1 ≥ 0}) xᵀ",
            "(W_{2}^{\\top} \\, (\\operatorname{softmax}(W_{2} \\, \\operatorname{relu}(W_{1} \\, x + b_{1}) + b_{2}) - t) \\odot \\mathbb{1}\\{W_{1} \\, x + b_{1} \\geq 0\\}) \\, x^{\\top}",
            "((W2' (softmax(W2 relu(W1 x + b1) + b2) - t)) * step(W1 x + b1)) x'"),
        new Identity("sum(relu(x))", "x", "x=3", "1{x ≥ 0}", "\\mathbb{1}\\{x \\geq 0\\}", "step(x)"),
        new Identity("sum(tanh(x))", "x", "x=3", "1 − tanh(x)²", "1 - \\operatorname{tanh}(x)^{2}", "1 - tanh(x)^2"),
        new Identity("sum(sigmoid(x))", "x", "x=3", "sigmoid(x) ⊙ (1 − sigmoid(x))",
            "\\operatorname{sigmoid}(x) \\odot (1 - \\operatorname{sigmoid}(x))", "sigmoid(x) * (1 - sigmoid(x))"));
  }

  /** The rows of issue 17's table, derived from spec files as it found them: each prints as a textbook writes it. */
  @ParameterizedTest(name = "{1}, ∂/∂{2}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "input X[3, 4] ; param a[3] ; param b[4]     | a' X b                                          | a  | X b",
      "input a[3] ; param X[4, 3] ; param b[4]     | a' X' b                                         | X  | b aᵀ",
      "input A[3, 3] ; param x[3]                  | x' A x                                          | x  | (A + Aᵀ) x",
      "input x[3] ; param w[3]                     | w' w                                            | w  | 2 w",
      "input x[3] ; param w[3]                     | log(sum(exp(w)))                                | w  | softmax(w)",
      "input X[5, 3] ; target y[5] ; param w[3]    | sum(softplus(X w)) - y' X w                     | w  | Xᵀ (sigmoid(X w) − y)",
      "input X[5, 3] ; target y[5] ; param w[3]    | sum((X w - y)^2) + 0.5 * w' w                   | w  | 2 Xᵀ Z1 + w",
      "input x[3] ; label y : 4 ; param W1[4, 3]   | cross_entropy(W1 x, y) + 0.001 * sum(W1 * W1)   | W1 | δ1 xᵀ + 0.002 W1"})
  void theIssuesRowsFromSpecFiles(String declarations, String loss, String by, String expected) {
    String spec = "model Row\n" + declarations.replace(" ; ", "\n") + "\nloss = " + loss + "\n";
    Network network = Networks.fromSpec(new SourceFile("row.nabla", spec));
    Gradients gradients = Differentiator.derive(network, network.loss(), List.of(network.leaf(by).orElseThrow()));
    assertEquals("∂H/∂" + by + " = " + expected, GradientReport.of(gradients, Notation.UNICODE, false).gradients().get(0).toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void printedAsATextbookWritesIt(Identity identity) {
    Gradients gradients = derive(identity);
    assertEquals(identity.unicode(), printed(gradients, Notation.UNICODE), "Unicode");
    assertEquals(identity.latex(), printed(gradients, Notation.LATEX), "LaTeX");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void equalToTheClosedFormAndToFiniteDifferences(Identity identity) {
    Gradients gradients = Naming.normalized(derive(identity), false);
    Network network = gradients.network();
    Node by = network.leaf(identity.by()).orElseThrow();
    Network closedForm = Networks.fromExpression(SourceFile.ofExpression(identity.closedForm()), Optional.of(Lowering.LossChoice.MSE), dims(identity.dims()));
    Random random = new Random(identity.function().hashCode());
    for (int point = 0; point < 3; point++) {
      Map<Node, Tensor> values = randomValues(network, random);
      Tensor printed = Interpreter.evaluate(gradients.of(by), values);
      Tensor textbook = Interpreter.evaluate(closedForm.output(), sameNames(closedForm, network, values));
      assertEquals(printed.shape(), textbook.shape(), "shape");
      assertTrue(FiniteDifferences.relativeError(textbook, printed, 1e-9) < 1e-12, () -> printed + " vs the closed form " + textbook);
      Tensor numeric = FiniteDifferences.gradient(network.loss(), by, values, 1e-6);
      assertTrue(FiniteDifferences.relativeError(numeric, printed, 1e-6) < 1e-5, () -> printed + " vs finite differences " + numeric);
    }
  }

  private static Gradients derive(Identity identity) {
    Network network = Networks.fromExpression(SourceFile.ofExpression(identity.function()), Optional.empty(), dims(identity.dims()));
    return Differentiator.derive(network, network.loss(), List.of(network.leaf(identity.by()).orElseThrow()));
  }

  private static String printed(Gradients gradients, Notation notation) {
    return GradientReport.ofFunction(gradients, notation, "f").gradients().get(0).right();
  }

  private static Map<String, List<Long>> dims(String text) {
    Map<String, List<Long>> dims = new LinkedHashMap<>();
    for (String entry : text.split(" ")) {
      String[] parts = entry.split("=");
      dims.put(parts[0], Arrays.stream(parts[1].split("x")).map(Long::parseLong).toList());
    }
    return dims;
  }

  /** The closed form's names bound to the function's values; its {@code t} is the function's one-hot label. */
  private static Map<Node, Tensor> sameNames(Network closedForm, Network function, Map<Node, Tensor> values) {
    Map<Node, Tensor> bound = new HashMap<>();
    for (Node node : closedForm.graph().nodes()) {
      if (node.op() instanceof Op.Leaf leaf && leaf.kind() != Op.Leaf.Kind.TARGET) {
        Node same = leaf.name().equals("t") ? function.label().orElseThrow() : function.leaf(leaf.name()).orElseThrow();
        bound.put(node, values.get(same));
      }
    }
    return bound;
  }

  private static Map<Node, Tensor> randomValues(Network network, Random random) {
    Map<Node, Tensor> values = new HashMap<>();
    for (Node node : network.graph().nodes()) {
      if (node.op() instanceof Op.Leaf leaf) {
        double[] data = new double[Math.toIntExact(node.shape().size())];
        if (leaf.kind() == Op.Leaf.Kind.LABEL) {
          data[random.nextInt(data.length)] = 1;
        } else {
          for (int i = 0; i < data.length; i++) {
            data[i] = random.nextDouble() * 2 - 1;
          }
        }
        values.put(node, new Tensor(node.shape(), data));
      }
    }
    return values;
  }
}
