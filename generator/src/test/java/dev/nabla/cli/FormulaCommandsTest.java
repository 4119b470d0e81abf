package dev.nabla.cli;

import static dev.nabla.cli.CliTest.assertCleanFailure;
import static dev.nabla.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.CliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** derive, explain, jacobian and parse as a matrix-calculus tool: one-liners, notes, names, the language's edges. */
class FormulaCommandsTest {
  @TempDir
  Path directory;

  @Test
  void aScalarOneLinerIsDifferentiatedAsItStands() {
    Run run = run("derive", "x' A x");
    assertEquals(0, run.exit(), run.err());
    assertEquals("f = xᵀ A x\n\n∂f/∂x = (A + Aᵀ) x\n∂f/∂A = x xᵀ\n", run.out());
    Run ridge = run("derive", "sum((X w - y)^2) + 0.5 * w' w", "--wrt", "w");
    assertEquals("f = sum((X w − y)²) + 0.5 wᵀ w\n\n∂f/∂w = 2 Xᵀ (X w − y) + w\n", ridge.out());
    assertEquals("f = xᵀ x\n\n∂f/∂x = 2 x\n", run("derive", "x' x").out());
    assertTrue(run("derive", "x' A x", "--format", "markdown").out().contains("\\frac{\\partial f}{\\partial x} &= (A + A^{\\top}) \\, x \\\\\n"));
    Run latex = run("derive", "a' X b", "--wrt", "X", "--format", "latex");
    assertEquals("f = a^{\\top} \\, X \\, b\n\n\\frac{\\partial f}{\\partial X} = a \\, b^{\\top}\n", latex.out());
  }

  @Test
  void aLossIsAttachedOnlyWhenAskedOrWhenTheValueIsNotAScalar() {
    assertTrue(run("derive", "x' A x", "--loss", "mse").out().startsWith("H = mse(xᵀ A x, t)"));
    assertTrue(run("derive", "sigmoid(W x + b)").out().contains("H = mean(softplus(Z1) − t ⊙ Z1)"));
  }

  @Test
  void aZeroGradientOrNothingToDifferentiateSaysSo() {
    assertEquals("f = sum(1{x ≥ 0})\n\n∂f/∂x = 0   (f does not change with x)\n", run("derive", "sum(step(x))").out());
    Run constant = run("derive", "3");
    assertCleanFailure(constant, 2);
    assertEquals("nabla: nothing to differentiate: 3 has no names\n", constant.err());
    Run label = run("derive", "cross_entropy(W x, y)", "--wrt", "y");
    assertCleanFailure(label, 2);
    assertTrue(label.err().contains("y is the label"), label.err());
  }

  @Test
  void dimForANameTheExpressionLacksIsAnError() {
    Run run = run("derive", "sum(W x)", "--dim", "q=3");
    assertCleanFailure(run, 2);
    assertEquals("nabla: --dim q: sum(W x) has no name q; its names are [W, x]\n", run.err());
  }

  @Test
  void stabilityNotesAreParenthesizedWithTheRealArgumentsInTheFormatAsked() {
    Run unicode = run("derive", "sigmoid(w x + b)");
    assertTrue(unicode.out().contains("1:1: bce(sigmoid(w x + b), t) → mean(softplus(w x + b) − t ⊙ (w x + b))"), unicode.out());
    Run latex = run("derive", "sigmoid(w x + b)", "--format", "latex");
    assertTrue(latex.out().contains("\\operatorname{bce}(\\operatorname{sigmoid}(w \\, x + b), t) → "
        + "\\operatorname{mean}(\\operatorname{softplus}(w \\, x + b) - t \\odot (w \\, x + b))"), latex.out());
    Run blocks = run("derive", "../examples/block_graph.nabla");
    assertTrue(blocks.out().contains("17:8: nll(logsoftmax(C tanh(B X + b) + D relu(A X + a) + c), y) → cross_entropy(C tanh(B X + b) + D relu(A X + a) + c, y)"),
        blocks.out());
  }

  @Test
  void logSumExpIsRewrittenAndReportedAndItsGradientIsSoftmax() {
    Run run = run("derive", "log(sum(exp(w)))");
    assertTrue(run.out().contains("∂f/∂w = softmax(w)\n"), run.out());
    assertTrue(run.out().contains("log(sum(exp(w))) → mean(w − logsoftmax(w)) (the stable log-sum-exp"), run.out());
  }

  @Test
  void numbersArePrintedAsAPersonWritesThem() {
    Run run = run("derive", "1e-5 * sum(W * W)");
    assertEquals("f = 1e-5 sum(W ⊙ W)\n\n∂f/∂W = 2e-5 W\n", run.out());
    Run latex = run("derive", "1e-5 * sum(W * W)", "--format", "latex");
    assertTrue(latex.out().contains("= 2 \\cdot 10^{-5} \\, W"), latex.out());
  }

  @Test
  void theBlockGraphsInputGradientUsesTheSharedAdjoints() {
    Run run = run("derive", "../examples/block_graph.nabla", "--wrt", "X");
    assertTrue(run.out().contains("δ2 = ∂H/∂Z2 = Dᵀ δ3 ⊙ 1{Z2 ≥ 0}\n"), run.out());
    assertTrue(run.out().contains("∂H/∂X = Aᵀ δ2 + Bᵀ δ1\n"), run.out());
  }

  @Test
  void explainGoesDownToTheInputAndDefinesEveryNameItUses() {
    Run run = run("explain", "../examples/block_graph.nabla", "--wrt", "X");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains(", Y3 = softmax(Z3) (every value"), run.out());
    assertTrue(run.out().contains("8. input X, fed to blocks Z2 and Z1: the contributions of its 2 paths add up"), run.out());
    assertTrue(run.out().contains("through block Z2 = A X + a:                  Aᵀ δ2\n"), run.out());
    assertTrue(run.out().contains("through block Z1 = B X + b:                  Bᵀ δ1\n"), run.out());
    assertTrue(run.out().contains("∂H/∂X = Aᵀ δ2 + Bᵀ δ1"), run.out());
  }

  @Test
  void explainOfAFunctionWithNothingInBetweenSaysSo() {
    Run run = run("explain", "x' A x");
    assertTrue(run.out().contains("1. forward: compute H (it keeps no value in between)\n"), run.out());
  }

  @Test
  void jacobianDefinesTheNamesItsEntryUses() {
    Run run = run("jacobian", "relu(W x)");
    assertEquals("∂y1_m/∂x_n = w_{m,n} · 1{z1_m ≥ 0}\n  where z1 = W x\n  where y1 = relu(W x)\n", run.out());
  }

  @Test
  void anExpressionStartingWithAMinusIsNotAnOption() {
    Run run = run("parse", "-x^2");
    assertEquals(0, run.exit(), run.err());
    assertEquals("(-(x ^ 2))\n", run.out());
  }

  @Test
  void aStatementGoesOnWhileABracketIsOpenAndTIsTheOneHotLabel() throws IOException {
    Path spec = directory.resolve("continued.nabla");
    Files.writeString(spec, "model M\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nout = logsoftmax(W x\n    + 1)\nloss = -sum(t * out)\n");
    Run run = run("derive", spec.toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("Z1 = W x + 1\n"), run.out());
    assertTrue(run.out().contains("H = cross_entropy(Z1, y)\n"), run.out());
    Run oneLiner = run("parse", "relu(W x\n + b)");
    assertEquals("relu(((W · x) + b))\n", oneLiner.out());
  }

  @Test
  void anUnclosedBracketIsStillReportedOnItsOwnLine() throws IOException {
    Path spec = directory.resolve("unclosed.nabla");
    Files.writeString(spec, "model M\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nout = logsoftmax(W x\nloss = nll(out, y)\n");
    Run run = run("derive", spec.toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().startsWith(spec + ":5:21: error: missing ')' to close '(' at 5:17"), run.err());
  }

  @Test
  void namesThatClashWithThePrintersOwnAreKeptApart() throws IOException {
    Path valueT = directory.resolve("t.nabla");
    Files.writeString(valueT, "model M\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nt = W x\nloss = cross_entropy(t, y)\n");
    Run t = run("derive", valueT.toString());
    assertTrue(t.out().contains("∂H/∂t = Y1 − onehot(y)\n"), t.out());
    Path valueH = directory.resolve("h.nabla");
    Files.writeString(valueH, "model M\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nH = W x\nloss = cross_entropy(H, y)\n");
    Run h = run("derive", valueH.toString());
    assertTrue(h.out().startsWith("H = W x\nL = cross_entropy(H, y)\n"), h.out());
    assertTrue(h.out().contains("∂L/∂W = (Y1 − t) xᵀ\n"), h.out());
    Path cases = directory.resolve("cases.nabla");
    Files.writeString(cases, "model M\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nparam w[2]\nloss = cross_entropy(W x + w, y)\n");
    Run index = run("derive", cases.toString(), "--format", "index");
    assertTrue(index.out().contains("∂H/∂W_{p,q} = δ1_p · x_q\n"), index.out());
    assertTrue(index.out().contains("∂H/∂w_p = δ1_p\n"), index.out());
  }
}
