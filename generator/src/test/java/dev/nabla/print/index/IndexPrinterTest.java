package dev.nabla.print.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.interpret.Interpreter;
import dev.nabla.print.Notation;
import dev.nabla.print.index.IndexExpr.Index;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The lesson's table of derivatives, element by element (lesson-summary.md). */
class IndexPrinterTest {

  private static IndexPrinter lessonPrinter(Notation notation, boolean withDeltas) {
    return IndexPrinter.of(Differentiator.parameters(Networks.lesson()), notation, withDeltas);
  }

  private static Node leaf(IndexPrinter printer, Gradients gradients, String name) {
    return gradients.network().leaf(name).orElseThrow();
  }

  @Test
  void everyIndexRowOfTheLessonTableInUnicode() {
    Gradients gradients = Differentiator.parameters(Networks.lesson());
    IndexPrinter printer = IndexPrinter.of(gradients, Notation.UNICODE, false);
    List<Node> values = printer.adjointValues(); // Z2, Y1, Z1: backward from the loss
    assertEquals(3, values.size());
    assertEquals("∂H/∂z2_k = y2_k − t_k", printer.adjoint(values.get(0)));
    assertEquals("∂H/∂w2_{p,q} = (y2_p − t_p) · y1_q", printer.gradient(leaf(printer, gradients, "W2")));
    assertEquals("∂H/∂b2_p = y2_p − t_p", printer.gradient(leaf(printer, gradients, "b2")));
    assertEquals("∂H/∂y1_m = Σ_k w2_{k,m} · (y2_k − t_k)", printer.adjoint(values.get(1)));
    assertEquals("∂H/∂z1_m = (Σ_k w2_{k,m} · (y2_k − t_k)) · 1{z1_m ≥ 0}", printer.adjoint(values.get(2)));
    assertEquals("∂H/∂w1_{p,q} = (Σ_k w2_{k,p} · (y2_k − t_k)) · 1{z1_p ≥ 0} · x_q",
        printer.gradient(leaf(printer, gradients, "W1")));
    assertEquals("∂H/∂b1_p = (Σ_k w2_{k,p} · (y2_k − t_k)) · 1{z1_p ≥ 0}",
        printer.gradient(leaf(printer, gradients, "b1")));
  }

  @Test
  void allLinesComeInTheLessonsOrder() {
    assertEquals(List.of(
        "∂H/∂z2_k = y2_k − t_k",
        "∂H/∂w2_{p,q} = (y2_p − t_p) · y1_q",
        "∂H/∂b2_p = y2_p − t_p",
        "∂H/∂y1_m = Σ_k w2_{k,m} · (y2_k − t_k)",
        "∂H/∂z1_m = (Σ_k w2_{k,m} · (y2_k − t_k)) · 1{z1_m ≥ 0}",
        "∂H/∂w1_{p,q} = (Σ_k w2_{k,p} · (y2_k − t_k)) · 1{z1_p ≥ 0} · x_q",
        "∂H/∂b1_p = (Σ_k w2_{k,p} · (y2_k − t_k)) · 1{z1_p ≥ 0}"),
        lessonPrinter(Notation.UNICODE, false).all());
  }

  @Test
  void sharedAdjointsByTheirDeltaNames() {
    assertEquals(List.of(
        "δ2_k = ∂H/∂z2_k = y2_k − t_k",
        "∂H/∂w2_{p,q} = δ2_p · y1_q",
        "∂H/∂b2_p = δ2_p",
        "∂H/∂y1_m = Σ_k w2_{k,m} · δ2_k",
        "δ1_m = ∂H/∂z1_m = (Σ_k w2_{k,m} · δ2_k) · 1{z1_m ≥ 0}",
        "∂H/∂w1_{p,q} = δ1_p · x_q",
        "∂H/∂b1_p = δ1_p"),
        lessonPrinter(Notation.UNICODE, true).all());
  }

  @Test
  void knownSizesPrintTheSame() {
    IndexPrinter sized = IndexPrinter.of(Differentiator.parameters(Networks.lessonSized()), Notation.UNICODE, false);
    assertEquals(lessonPrinter(Notation.UNICODE, false).all(), sized.all());
  }

  @Test
  void latex() {
    List<String> lines = lessonPrinter(Notation.LATEX, false).all();
    assertEquals("\\frac{\\partial H}{\\partial w_{2,pq}} = (y_{2,p} - t_{p}) \\cdot y_{1,q}", lines.get(1));
    assertEquals("\\frac{\\partial H}{\\partial y_{1,m}} = \\sum_{k} w_{2,km} \\cdot (y_{2,k} - t_{k})", lines.get(3));
    assertEquals("\\frac{\\partial H}{\\partial z_{1,m}} = (\\sum_{k} w_{2,km} \\cdot (y_{2,k} - t_{k})) \\cdot \\mathbb{1}\\{z_{1,m} \\geq 0\\}",
        lines.get(4));
    assertEquals("\\delta_{2,k} = \\frac{\\partial H}{\\partial z_{2,k}} = y_{2,k} - t_{k}",
        lessonPrinter(Notation.LATEX, true).all().get(0));
  }

  @Test
  void text() {
    List<String> lines = lessonPrinter(Notation.TEXT, false).all();
    assertEquals("dH/dw2[p,q] = (y2[p] - t[p]) * y1[q]", lines.get(1));
    assertEquals("dH/dy1[m] = sum_k w2[k,m] * (y2[k] - t[k])", lines.get(3));
    assertEquals("dH/dw1[p,q] = (sum_k w2[k,p] * (y2[k] - t[k])) * step(z1[p]) * x[q]", lines.get(5));
    assertEquals(List.of(
        "delta2[k] = dH/dz2[k] = y2[k] - t[k]",
        "dH/dw2[p,q] = delta2[p] * y1[q]",
        "dH/db2[p] = delta2[p]",
        "dH/dy1[m] = sum_k w2[k,m] * delta2[k]",
        "delta1[m] = dH/dz1[m] = (sum_k w2[k,m] * delta2[k]) * step(z1[m])",
        "dH/dw1[p,q] = delta1[p] * x[q]",
        "dH/db1[p] = delta1[p]"),
        lessonPrinter(Notation.TEXT, true).all());
    for (String line : lessonPrinter(Notation.TEXT, true).all()) {
      assertTrue(line.chars().allMatch(c -> c < 128), line);
    }
  }

  @Test
  void printedFormulasAgreeWithTheInterpreterOnTheLessonsNetwork() {
    Network network = Networks.lower("lesson", Networks.lessonExpression(),
        Map.of("X", List.of(5L), "W1", List.of(4L, 5L), "b1", List.of(4L), "W2", List.of(3L, 4L), "b2", List.of(3L)));
    for (boolean withDeltas : new boolean[] {false, true}) {
      checkNumbers(network, withDeltas, 11);
    }
  }

  /** Exercise 4's network: sizes of 1 (a one-unit layer), a sigmoid output and binary cross-entropy. */
  @Test
  void printedFormulasAgreeWithTheInterpreterWithOneUnitLayers() {
    Network network = Networks.lower("exercise 4", Networks.exercise4Expression(), Map.of(
        "X", List.of(2L), "W1", List.of(1L, 2L), "b1", List.of(1L), "W2", List.of(2L, 1L), "b2", List.of(2L),
        "W3", List.of(1L, 2L), "b3", List.of(1L)));
    for (boolean withDeltas : new boolean[] {false, true}) {
      List<String> lines = checkNumbers(network, withDeltas, 5);
      assertEquals(11, lines.size(), String.join("\n", lines));
    }
  }

  /** Evaluates every printed formula at every index and compares it with the interpreter's value. */
  private static List<String> checkNumbers(Network network, boolean withDeltas, long seed) {
    Gradients gradients = Differentiator.parameters(network);
    IndexPrinter printer = IndexPrinter.of(gradients, Notation.UNICODE, withDeltas);
    List<String> lines = printer.all();
    Random random = new Random(seed);
    Map<Node, Tensor> leaves = new IdentityHashMap<>();
    for (Node node : network.graph().nodes()) {
      if (node.op() instanceof Op.Leaf leaf) {
        leaves.put(node, switch (leaf.kind()) {
          case LABEL -> Interpreter.oneHot(1, (int) node.shape().size());
          case TARGET -> constant(node.shape(), 1);
          default -> randomTensor(node.shape(), random);
        });
      }
    }
    Map<String, Node> named = printer.elementNodes();
    Map<Node, Tensor> computed = Interpreter.evaluate(new ArrayList<>(named.values()), leaves);
    Map<String, Tensor> values = new HashMap<>();
    named.forEach((name, node) -> values.put(name, computed.get(node)));

    for (Node leaf : gradients.byLeaf().keySet()) {
      Tensor expected = Interpreter.evaluate(gradients.of(leaf), leaves);
      compare(printer.gradientFormula(leaf), IndexPrinter.parameterIndices(leaf), leaf.shape(), expected, values, printer.gradient(leaf));
    }
    for (Node value : printer.adjointValues()) {
      Tensor expected = Interpreter.evaluate(gradients.adjoints().get(value), leaves);
      compare(printer.adjointFormula(value), printer.adjointIndices(value), value.shape(), expected, values, printer.adjoint(value));
    }
    return lines;
  }

  private static void compare(IndexExpr formula, List<Index> indices, Shape shape, Tensor expected,
      Map<String, Tensor> values, String line) {
    int rows = (int) shape.rows().size();
    int columns = (int) shape.columns().size();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < columns; j++) {
        Map<String, Long> at = new HashMap<>();
        if (indices.size() >= 1 && indices.get(0) instanceof Index.Var var) {
          at.put(var.name(), (long) i);
        }
        if (indices.size() == 2 && indices.get(1) instanceof Index.Var var) {
          at.put(var.name(), (long) j);
        }
        double printed = IndexEvaluator.evaluate(formula, values, at);
        double want = expected.size() == 1 ? expected.get(0) : expected.get(i * columns + j);
        assertEquals(want, printed, 1e-12 * Math.max(1, Math.abs(want)), line + " at " + at);
      }
    }
  }

  private static Tensor randomTensor(Shape shape, Random random) {
    double[] data = new double[Math.toIntExact(shape.size())];
    for (int i = 0; i < data.length; i++) {
      data[i] = random.nextGaussian();
    }
    return new Tensor(shape, data);
  }

  private static Tensor constant(Shape shape, double value) {
    double[] data = new double[Math.toIntExact(shape.size())];
    java.util.Arrays.fill(data, value);
    return new Tensor(shape, data);
  }
}
