package dev.nabla.print.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.interpret.Interpreter;
import dev.nabla.print.Notation;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The lesson's LogSoftmax Jacobian and its kin, derived as Jᵀ e_m. */
class JacobianPrinterTest {

  private static JacobianPrinter of(String function, long size, Notation notation) {
    Network network = Networks.ofU(function, size);
    return JacobianPrinter.of(network, network.leaf("u").orElseThrow(), notation);
  }

  @Test
  void logSoftmaxEntry() {
    JacobianPrinter printer = of("logsoftmax", 10, Notation.UNICODE);
    assertEquals("∂v_m/∂u_n = 1{m=n} − y_n", printer.entry());
    assertEquals(List.of("v = logsoftmax(u)", "y = softmax(u)"), printer.definitions());
  }

  @Test
  void logSoftmaxTenByTenWithEllipses() {
    assertEquals(String.join("\n",
        "1 − y_0   −y_1      …   −y_9",
        "−y_0      1 − y_1   …   −y_9",
        "⋮         ⋮         ⋱   ⋮",
        "−y_0      −y_1      …   1 − y_9"), of("logsoftmax", 10, Notation.UNICODE).matrix());
  }

  @Test
  void logSoftmaxThreeByThreeInFull() {
    assertEquals(String.join("\n",
        "1 − y_0   −y_1      −y_2",
        "−y_0      1 − y_1   −y_2",
        "−y_0      −y_1      1 − y_2"), of("logsoftmax", 3, Notation.UNICODE).matrix());
  }

  @Test
  void logSoftmaxInLatexAndText() {
    JacobianPrinter latex = of("logsoftmax", 10, Notation.LATEX);
    assertEquals("\\frac{\\partial v_{m}}{\\partial u_{n}} = \\mathbb{1}\\{m=n\\} - y_{n}", latex.entry());
    assertEquals(String.join("\n",
        "\\begin{pmatrix}",
        "1 - y_{0} & -y_{1} & \\cdots & -y_{9} \\\\",
        "-y_{0} & 1 - y_{1} & \\cdots & -y_{9} \\\\",
        "\\vdots & \\vdots & \\ddots & \\vdots \\\\",
        "-y_{0} & -y_{1} & \\cdots & 1 - y_{9}",
        "\\end{pmatrix}"), latex.matrix());
    JacobianPrinter text = of("logsoftmax", 10, Notation.TEXT);
    assertEquals("dv[m]/du[n] = 1{m=n} - y[n]", text.entry());
    assertEquals(String.join("\n",
        "1 - y[0]   -y[1]      ...   -y[9]",
        "-y[0]      1 - y[1]   ...   -y[9]",
        ":          :          ...   :",
        "-y[0]      -y[1]      ...   1 - y[9]"), text.matrix());
  }

  @Test
  void sigmoidIsDiagonal() {
    JacobianPrinter printer = of("sigmoid", 3, Notation.UNICODE);
    assertEquals("∂y_m/∂u_n = 1{m=n} · y_n · (1 − y_n)", printer.entry());
    assertEquals(List.of("y = sigmoid(u)"), printer.definitions());
    assertEquals(String.join("\n",
        "y_0 · (1 − y_0)   0                 0",
        "0                 y_1 · (1 − y_1)   0",
        "0                 0                 y_2 · (1 − y_2)"), printer.matrix());
    assertEquals(String.join("\n",
        "y_0 · (1 − y_0)   0                 …   0",
        "0                 y_1 · (1 − y_1)   …   0",
        "⋮                 ⋮                 ⋱   ⋮",
        "0                 0                 …   y_9 · (1 − y_9)"), of("sigmoid", 10, Notation.UNICODE).matrix());
  }

  /** y_n (1{m=n} − y_m): the lesson's y_m (1{m=n} − y_n), equal since the delta makes m = n. */
  @Test
  void softmax() {
    JacobianPrinter printer = of("softmax", 3, Notation.UNICODE);
    assertEquals("∂y_m/∂u_n = y_n · (1{m=n} − y_m)", printer.entry());
    assertEquals(String.join("\n",
        "y_0 · (1 − y_0)   −y_1 · y_0        −y_2 · y_0",
        "−y_0 · y_1        y_1 · (1 − y_1)   −y_2 · y_1",
        "−y_0 · y_2        −y_1 · y_2        y_2 · (1 − y_2)"), printer.matrix());
  }

  @Test
  void matrixTimesVectorWithRespectToTheVector() {
    Network network = wx();
    JacobianPrinter printer = JacobianPrinter.of(network, network.leaf("x").orElseThrow(), Notation.UNICODE);
    assertEquals("∂z1_m/∂x_n = w_{m,n}", printer.entry());
    assertEquals(String.join("\n",
        "w_{0,0}   w_{0,1}   w_{0,2}",
        "w_{1,0}   w_{1,1}   w_{1,2}"), printer.matrix());
  }

  @Test
  void symbolicSizesHaveAnEntryButNoMatrix() {
    Network network = Networks.lower("logsoftmax(u)", Networks.call("logsoftmax", Networks.name("u")), Map.of());
    JacobianPrinter printer = JacobianPrinter.of(network, network.leaf("u").orElseThrow(), Notation.UNICODE);
    assertEquals("∂v_m/∂u_n = 1{m=n} − y_n", printer.entry());
    assertThrows(IllegalStateException.class, printer::matrix);
  }

  @Test
  void printedEntriesAgreeWithFiniteDifferences() {
    for (String function : List.of("logsoftmax", "softmax", "sigmoid")) {
      Network network = Networks.ofU(function, 6);
      checkAgainstFiniteDifferences(network, network.leaf("u").orElseThrow(), 3);
    }
    Network network = wx();
    checkAgainstFiniteDifferences(network, network.leaf("x").orElseThrow(), 4);
  }

  private static Network wx() {
    return Networks.lower("W x", Networks.matmul(Networks.name("W"), Networks.name("x")),
        Map.of("W", List.of(2L, 3L), "x", List.of(3L)));
  }

  /** The printed J_{m,n}, evaluated with the interpreter's values, against central differences of the output. */
  private static void checkAgainstFiniteDifferences(Network network, Node input, long seed) {
    JacobianPrinter printer = JacobianPrinter.of(network, input, Notation.UNICODE);
    Node output = network.output();
    Random random = new Random(seed);
    Map<Node, Tensor> leaves = new IdentityHashMap<>();
    for (Node node : network.inputs()) {
      leaves.put(node, random(node.shape(), random));
    }
    for (Node node : network.parameters()) {
      leaves.put(node, random(node.shape(), random));
    }
    Map<String, Node> named = printer.elementNodes();
    Map<Node, Tensor> computed = Interpreter.evaluate(new ArrayList<>(named.values()), leaves);
    Map<String, Tensor> values = new HashMap<>();
    named.forEach((name, node) -> values.put(name, computed.get(node)));

    int rows = (int) output.shape().size();
    int columns = (int) input.shape().size();
    double h = 1e-6;
    for (int n = 0; n < columns; n++) {
      Map<Node, Tensor> up = new IdentityHashMap<>(leaves);
      Map<Node, Tensor> down = new IdentityHashMap<>(leaves);
      up.put(input, shifted(leaves.get(input), n, h));
      down.put(input, shifted(leaves.get(input), n, -h));
      Tensor plus = Interpreter.evaluate(output, up);
      Tensor minus = Interpreter.evaluate(output, down);
      for (int m = 0; m < rows; m++) {
        double numeric = (plus.get(m) - minus.get(m)) / (2 * h);
        double general = IndexEvaluator.evaluate(printer.entryFormula(), values, Map.of("m", (long) m, "n", (long) n));
        double cell = IndexEvaluator.evaluate(printer.element(m, n), values, Map.of());
        assertEquals(numeric, general, 1e-6, printer.entry() + " at m=" + m + ", n=" + n);
        assertEquals(general, cell, 1e-15, "cell " + m + "," + n);
      }
    }
  }

  private static Tensor random(Shape shape, Random random) {
    double[] data = new double[Math.toIntExact(shape.size())];
    for (int i = 0; i < data.length; i++) {
      data[i] = random.nextGaussian();
    }
    return new Tensor(shape, data);
  }

  private static Tensor shifted(Tensor tensor, int index, double step) {
    double[] data = tensor.data().clone();
    data[index] += step;
    return new Tensor(tensor.shape(), data);
  }
}
