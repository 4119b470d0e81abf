package dev.nabla.symbolic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ill-shaped specs: each error names both operands and their shapes, where it happens, with a hint where one fits. */
class ShapeDiagnosticsTest {
  private static final String DECLARATIONS = """
      model M
      input X[784]
      label y : 10
      param W1[20, 784]
      param b1[20]
      param W2[10, 20]
      param b2[10]
      param V[30]
      param U[1, 20]
      """;

  /** The diagnostics of a spec whose 10th line is {@code line}, headlines and hints only. */
  private static String diagnose(String line) {
    String text = DECLARATIONS + line + "\nloss = sum(b1)\n";
    DiagnosticException e = assertThrows(DiagnosticException.class, () -> Networks.fromSpec(new SourceFile("m.nabla", text)));
    return e.diagnostics().stream()
        .map(d -> d.headline() + d.hints().stream().map(h -> " | hint: " + h).collect(Collectors.joining()))
        .collect(Collectors.joining("\n"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '@', textBlock = """
      Y1 = relu(W1 X + b2)      @ m.nabla:10:11: error: cannot add W1 X (20) and b2 (10): 20 ≠ 10 | hint: a bias added to a vector of 20 has 20 entries: declare b2[20]
      Y1 = relu(W2 X)           @ m.nabla:10:11: error: W2 (10×20) cannot multiply X (784): 20 ≠ 784
      Y1 = relu(W1' X)          @ m.nabla:10:11: error: W1' (784×20) cannot multiply X (784): 20 ≠ 784 | hint: without the transpose it fits: W1 is 20×784
      Y1 = relu(W1 Xᵀ)          @ m.nabla:10:11: error: W1 (20×784) cannot multiply Xᵀ (1×784): only a column vector can multiply a row | hint: declare the left operand as a vector to make an outer product
      Y1 = W2 relu(V)           @ m.nabla:10:6: error: W2 (10×20) cannot multiply relu(V) (30): 20 ≠ 30
      Y1 = W1ᵀ b1 + X + V       @ m.nabla:10:6: error: cannot add W1ᵀ b1 + X (784) and V (30): 784 ≠ 30 | hint: a bias added to a vector of 784 has 784 entries: declare V[784]
      Y1 = X * b1               @ m.nabla:10:6: error: cannot multiply elementwise X (784) and b1 (20): 784 ≠ 20
      Y1 = W1 + W2              @ m.nabla:10:6: error: cannot add W1 (20×784) and W2 (10×20): 20 ≠ 10
      Y1 = W2 - W2ᵀ             @ m.nabla:10:6: error: cannot subtract W2 (10×20) and W2ᵀ (20×10): 10 ≠ 20 | hint: the shapes are transposes of each other: did you mean W2ᵀᵀ?
      Y1 = softmax(W1)          @ m.nabla:10:6: error: softmax of W1 (20×784): expected a vector, got a matrix (20×784)
      Y1 = X W1                 @ m.nabla:10:6: error: X (784) cannot multiply W1 (20×784): a vector (784) can only multiply a row (1×n), not a matrix (20×784) | hint: for a dot product write sum(a * b) or aᵀ b
      Y1 = W1 W2                @ m.nabla:10:6: error: W1 (20×784) cannot multiply W2 (10×20): 784 ≠ 10
      Y1 = W1 X - V             @ m.nabla:10:6: error: cannot subtract W1 X (20) and V (30): 20 ≠ 30
      Y1 = X / W1               @ m.nabla:10:6: error: cannot divide elementwise X (784) and W1 (20×784): 784 and 20×784 differ in rank
      Y1 = X' W1                @ m.nabla:10:6: error: X' (1×784) cannot multiply W1 (20×784): 784 ≠ 20
      Y1 = nll(logsoftmax(W1 X + b1), y) @ m.nabla:10:6: error: nll needs a prediction and a label of one size: 20 vs 10
      Y1 = mse(W1 X, b2)        @ m.nabla:10:6: error: mse needs a prediction and a target of one size: 20 vs 10
      Y1 = U X                  @ m.nabla:10:6: error: U (1×20) cannot multiply X (784): 20 ≠ 784
      Y1 = W2 (W1 X + b1) + b1  @ m.nabla:10:6: error: cannot add W2 (W1 X + b1) (10) and b1 (20): 10 ≠ 20 | hint: a bias added to a vector of 10 has 10 entries: declare b1[10]
      Y1 = logsoftmax(X') + 1   @ m.nabla:10:6: error: logsoftmax of X' (1×784): expected a vector, got a row (1×784)
      """)
  void illShapedLine(String line, String expected) {
    assertEquals(expected, diagnose(line));
  }

  @Test
  void everyBadLineIsReportedNotOnlyTheFirst() {
    String text = DECLARATIONS + "A = W2 X\nB = X * b1\nloss = sum(b1)\n";
    DiagnosticException e = assertThrows(DiagnosticException.class, () -> Networks.fromSpec(new SourceFile("m.nabla", text)));
    assertEquals(2, e.diagnostics().size());
    assertEquals("""
        m.nabla:10:5: error: W2 (10×20) cannot multiply X (784): 20 ≠ 784
          A = W2 X
              ^~~~
        m.nabla:11:5: error: cannot multiply elementwise X (784) and b1 (20): 784 ≠ 20
          B = X * b1
              ^~~~~~
        """, e.formatted());
  }

  @Test
  void aValueWhoseDefinitionFailedIsNotReportedAgainWhereItIsUsed() {
    String text = DECLARATIONS + "out = logsoftmax(W2 X)\nloss = nll(out, y)\n";
    DiagnosticException e = assertThrows(DiagnosticException.class, () -> Networks.fromSpec(new SourceFile("m.nabla", text)));
    assertEquals(1, e.diagnostics().size(), e.formatted());
  }

  @Test
  void valuesLargerThanAJavaArrayAreRefusedBeforeAnythingIsAllocated() {
    String declared = "model Big\ninput X[100000]\nlabel y : 10\nparam W[100000, 100000]\nparam V[10, 100000]\n"
        + "out = logsoftmax(V relu(W X))\nloss = nll(out, y)\n";
    DiagnosticException e = assertThrows(DiagnosticException.class, () -> Networks.fromSpec(new SourceFile("big.nabla", declared)));
    assertEquals("big.nabla:4:1: error: W (100000×100000) has 10,000,000,000 values: more than one Java array holds (2,147,483,639)",
        e.diagnostics().get(0).headline());
    assertEquals(1, e.diagnostics().size(), "uses of W are not reported again");
    String derived = "model Big\ninput X[784]\nlabel y : 10\nparam u[100000]\nparam v[100000]\nparam W[10, 100000]\n"
        + "out = logsoftmax(W ((u vᵀ) (v * sum(X))))\nloss = nll(out, y)\n";
    DiagnosticException outer = assertThrows(DiagnosticException.class, () -> Networks.fromSpec(new SourceFile("big.nabla", derived)));
    assertEquals("big.nabla:7:22: error: u vᵀ (100000×100000) has 10,000,000,000 values: more than one Java array holds (2,147,483,639)",
        outer.diagnostics().get(0).headline());
  }

  @Test
  void theLossMustBeAScalar() {
    String text = DECLARATIONS + "loss = W1 X + b1\n";
    DiagnosticException e = assertThrows(DiagnosticException.class, () -> Networks.fromSpec(new SourceFile("m.nabla", text)));
    assertEquals("m.nabla:10:8: error: the loss must be a scalar, but it is a vector (20)", e.diagnostics().get(0).headline());
  }

  @Test
  void oneLinersNameTheirSymbolicShapes() {
    DiagnosticException e = assertThrows(DiagnosticException.class, () -> Networks.fromExpression("softmax(W x) + W"));
    assertEquals("<expr>:1:1: error: cannot add softmax(W x) (d4) and W (d4×d3): d4 and d4×d3 differ in rank",
        e.diagnostics().get(0).headline());
  }
}
