package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.runtime.data.FashionMnist;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command end to end, as a user runs it: arguments in, exit code and text out. */
class CliTest {
  static final String LESSON = "softmax(W2 relu(W1 X + b1) + b2)";
  static final String SPEC = "../examples/fashion_mlp.nabla";

  @TempDir
  Path directory;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var command = Nabla.commandLine();
    // Not auto-flushing, like System.out behind a pipe: a command that forgets to flush loses its output here too.
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int exit = command.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** Bad input never shows a Java exception or a stack trace. */
  static void assertCleanFailure(Run run, int exit) {
    assertEquals(exit, run.exit(), run.err());
    assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
  }

  @Test
  void parsePrintsTheCanonicalForm() {
    Run run = run("parse", LESSON);
    assertEquals(0, run.exit());
    assertEquals("softmax(((W2 · relu(((W1 · X) + b1))) + b2))\n", run.out());
  }

  @Test
  void parseReportsSyntaxErrorsWithAPosition() {
    Run run = run("parse", "relu(W1 X +)");
    assertCleanFailure(run, 2);
    assertTrue(run.err().startsWith("<expr>:1:"), run.err());
    assertTrue(run.err().contains("^"), run.err());
  }

  @Test
  void diagnosticsAreColouredOnlyWhenAsked() {
    String plain = "<expr>:1:13: error: expected an expression after '+'\n  relu(W1 X + )\n              ^\n  hint: h\n";
    assertEquals(plain, Colours.diagnostics(plain, false));
    assertEquals("<expr>:1:13: \u001b[1;31merror:\u001b[0m expected an expression after '+'\n  relu(W1 X + )\n"
        + "              \u001b[1;32m^\u001b[0m\n  \u001b[36mhint:\u001b[0m h\n", Colours.diagnostics(plain, true));
  }

  @Test
  void deriveIsTheLessonsExercise1() {
    Run run = run("derive", LESSON);
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("δ1 = ∂H/∂Z1 = W2ᵀ δ2 ⊙ 1{Z1 ≥ 0}\n"), run.out());
    assertTrue(run.out().contains("∂H/∂W1 = δ1 Xᵀ\n"), run.out());
  }

  @Test
  void deriveInOtherFormats() {
    assertTrue(run("derive", LESSON, "--inline", "--wrt", "W2").out().contains("∂H/∂W2 = (Y2 − t) Y1ᵀ"));
    assertTrue(run("derive", LESSON, "--format", "text").out().contains("dH/dW1 = delta1 X'"));
    assertTrue(run("derive", LESSON, "--format", "latex").out().contains("\\frac{\\partial H}{\\partial W_{1}} = \\delta_{1} \\, X^{\\top}"));
    assertTrue(run("derive", LESSON, "--format", "index", "--inline").out().contains("∂H/∂w2_{p,q} = (y2_p − t_p) · y1_q"));
    assertTrue(run("derive", LESSON, "--format", "markdown").out().contains("\\begin{aligned}"));
    assertTrue(run("derive", "sigmoid(w x + b)", "--loss", "mse").out().contains("H = mse("));
  }

  /** A derivative differentiates again: the Hessian of logistic regression along v is x σ(1 − σ) (xᵀ v) / n. */
  @Test
  void deriveOfADerivativeIsTheHessianVectorProduct() {
    Run run = run("derive", "sigmoid(W x + b)", "--hessian-vector", "W");
    assertEquals(0, run.exit(), run.err());
    assertEquals("""
        ∂H/∂W = ((Y1 − t) / n1) xᵀ
        s = sum(∂H/∂W * v)   (the derivative along v)
        ∂s/∂W = (v x / n1 ⊙ (Y1 ⊙ (1 − Y1))) xᵀ
        ∂s/∂b = v x / n1 ⊙ (Y1 ⊙ (1 − Y1))
        """, run.out());
  }

  /** Through max pooling too: the second derivative reads the routed δ back at each window's maximum. */
  @Test
  void hessianVectorProductOfTheConvolutionalExample() {
    Run run = run("derive", "../examples/fashion_cnn.nabla", "--hessian-vector", "K1");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("maxpool′₂(A1) "), run.out());
    assertTrue(run.out().contains("∂s/∂K1 = "), run.out());
    Run index = run("derive", "../examples/fashion_cnn.nabla", "--hessian-vector", "K1", "--format", "index");
    assertEquals(2, index.exit());
    assertTrue(index.err().contains("--hessian-vector prints its formulas as text, unicode or latex, not as --format index"), index.err());
  }

  @Test
  void deriveWithKnownSizes() {
    Run run = run("derive", "W x", "--dim", "W=2x3", "--dim", "x=3", "--inline");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("∂H/∂W = (2 / 2) (Z1 − t) xᵀ") || run.out().contains("∂H/∂W = (Z1 − t) xᵀ"), run.out());
  }

  @Test
  void deriveRejectsUnknownNamesAndBadSizes() {
    Run unknown = run("derive", LESSON, "--wrt", "W9");
    assertCleanFailure(unknown, 2);
    assertEquals("nabla: --wrt W9: the network has no parameter or input of that name; it has [X, W1, b1, W2, b2]\n", unknown.err());
    Run badDim = run("derive", "W x", "--dim", "W=0x3");
    assertCleanFailure(badDim, 2);
    assertTrue(badDim.err().contains("--dim W=0x3"), badDim.err());
  }

  @Test
  void deriveReportsShapeErrorsOfASpec() throws IOException {
    Path spec = directory.resolve("bad.nabla");
    Files.writeString(spec, Files.readString(Path.of(SPEC)).replace("W2 Y1 + b2", "W2 X + b2"));
    Run run = run("derive", spec.toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().contains("bad.nabla:10:19: error: W2 (10×20) cannot multiply X (784): 20 ≠ 784"), run.err());
  }

  @Test
  void jacobianOfLogSoftmax() {
    Run run = run("jacobian", "logsoftmax(u)", "--dim", "u=3");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("∂v_m/∂u_n = 1{m=n} − y_n\n"), run.out());
    assertTrue(run.out().contains("1 − y_0   −y_1      −y_2"), run.out());
  }

  @Test
  void generateWritesCompilableSourcesAndRefusesBadPackages() throws IOException {
    Run run = run("generate", SPEC, "-d", directory.toString(), "--package", "com.acme.nets", "--with-tests");
    assertEquals(0, run.exit(), run.err());
    Path source = directory.resolve("com/acme/nets/FashionMlp.java");
    assertTrue(Files.readString(source).contains("public final class FashionMlp"), run.out());
    assertTrue(Files.exists(directory.resolve("com/acme/nets/FashionMlpGradientTest.java")));
    Run bad = run("generate", SPEC, "-d", directory.toString(), "--package", "com.1acme");
    assertCleanFailure(bad, 2);
    assertTrue(bad.err().startsWith("nabla: --package com.1acme: "), bad.err());
  }

  @Test
  void theDeprecatedBackendOptionWritesTheSameClassWithANoteAndRefusesAnUnknownOne() throws IOException {
    Run plain = run("generate", SPEC, "-d", directory.toString());
    assertEquals(0, plain.exit(), plain.err());
    String expected = Files.readString(directory.resolve("dev/nabla/generated/FashionMlp.java"));
    Run run = run("generate", SPEC, "-d", directory.toString(), "--backend", "vector");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.err().startsWith("nabla: --backend is deprecated and changes nothing"), run.err());
    String source = Files.readString(directory.resolve("dev/nabla/generated/FashionMlp.java"));
    assertEquals(expected, source);
    assertTrue(!source.contains("jdk.incubator"), source);
    Run bad = run("generate", SPEC, "-d", directory.toString(), "--backend", "gpu");
    assertCleanFailure(bad, 2);
    assertEquals("nabla: --backend: no backend 'gpu': the backends are scalar and vector\n", bad.err().replace("\r", ""));
  }

  @Test
  void generateRefusesAConstantBeyondFloatWithItsPlaceAndWritesNothing() throws IOException {
    Path spec = directory.resolve("huge.nabla");
    Files.writeString(spec, "model Huge\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nlogits = W x * 1e39\nloss = cross_entropy(logits, y)\n");
    Path out = directory.resolve("out");
    Run run = run("generate", spec.toString(), "-d", out.toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().startsWith("nabla: " + spec + ":5:"), run.err());
    assertTrue(run.err().contains("beyond the range of float"), run.err());
    assertTrue(!Files.exists(out.resolve("dev/nabla/generated/Huge.java")));
    Run inDouble = run("generate", spec.toString(), "-d", out.toString(), "--precision", "double");
    assertEquals(0, inDouble.exit(), inDouble.err());
  }

  /**
   * A spec the generator cannot handle is bad input with its place on every path that generates a class, {@code check}
   * and {@code train} as {@code generate}: exit 2, never reported as an internal error.
   */
  @Test
  void checkAndTrainRefuseAConstantBeyondFloatWithItsPlace() throws IOException {
    Path spec = directory.resolve("huge.nabla");
    Files.writeString(spec, "model Huge\ninput X[784]\nlabel y : 10\nparam W[10, 784]\nlogits = W X * 1e39\n"
        + "loss = cross_entropy(logits, y)\n");
    Run check = run("check", spec.toString());
    assertCleanFailure(check, 2);
    assertTrue(check.err().startsWith("nabla: " + spec + ":5:"), check.err());
    assertTrue(check.err().contains("beyond the range of float") && !check.err().contains("internal"), check.err());
    Path data = FashionMnist.resolveDirectory(null);
    assumeTrue(FashionMnist.isInstalled(data), "Fashion-MNIST is not installed at " + data + ": train reads it before it generates");
    Run train = run("train", spec.toString(), "--epochs", "1", "--out", directory.resolve("out").toString());
    assertCleanFailure(train, 2);
    assertTrue(train.err().startsWith("nabla: " + spec + ":5:"), train.err());
    assertTrue(train.err().contains("beyond the range of float") && !train.err().contains("internal"), train.err());
  }

  @Test
  void checkPassesOnTheRuntimesKernelsAtABatchThatRunsTheirTiles() {
    Run run = run("check", SPEC, "--backend", "vector", "--batch", "67");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("ok: every gradient within tolerance"), run.out());
  }

  @Test
  void checkPassesOnTheConvolutionalExampleLeavingOutTheStepsThatCrossAKink() {
    // At seed 1, two of c1's coordinates have a ReLU or a max pooling switch inside the central difference's step
    // (6.5e-4 off, as a difference across a kink is); the check says it left them out instead of failing.
    Run run = run("check", "../examples/fashion_cnn.nabla");
    assertEquals(0, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("ok: every gradient within tolerance"), run.out());
    assertTrue(run.out().contains("coordinates left out, where the step crosses a kink"), run.out());
  }

  @Test
  void gradRejectsBadValuesWithTheirPlace() throws IOException {
    Path values = directory.resolve("values.json");
    Files.writeString(values, "{\"params\": {\"W1\": [[1, 2]]}, \"inputs\": {\"x\": [1, 1]}, \"target\": [1]}");
    Run missing = run("grad", "../examples/exercise4.nabla", "--values", values.toString());
    assertCleanFailure(missing, 2);
    assertEquals("nabla: " + values + ": params.b1 is missing (1)\n", missing.err());
    Files.writeString(values, "{\"params\": ");
    Run broken = run("grad", "../examples/exercise4.nabla", "--values", values.toString());
    assertCleanFailure(broken, 2);
    assertTrue(broken.err().contains("not valid JSON"), broken.err());
  }

  @Test
  void checkPassesOnTheLessonsNetworks() {
    for (String spec : new String[] {SPEC, "../examples/exercise4.nabla", "../examples/block_graph.nabla"}) {
      Run run = run("check", spec);
      assertEquals(0, run.exit(), run.out() + run.err());
      assertTrue(run.out().contains("ok: every gradient within tolerance"), run.out());
    }
  }

  @Test
  void graphDrawsTheNetwork() throws IOException {
    Run run = run("graph", "../examples/exercise4.nabla");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("digraph \"Exercise4Net\" {"), run.out());
    assertTrue(run.out().contains("label=\"Z1 = +\\n1\""), run.out());
    Path dot = directory.resolve("net.dot");
    assertEquals(0, run("graph", LESSON, "-o", dot.toString()).exit());
    assertTrue(Files.readString(dot).contains("digraph"));
    assertCleanFailure(run("graph", LESSON, "-o", directory.resolve("net.txt").toString()), 2);
  }

  @Test
  void explainWritesOneStepPerBlock() {
    Run run = run("explain", SPEC);
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("2. block H = cross_entropy(Z2, y):\n     δ2 = ∂H/∂Z2 = Y2 − t"), run.out());
    assertTrue(run.out().contains("5. block Z1 = W1 X + b1:"), run.out());
  }

  @Test
  void showSubstitutesTheNumbers() throws IOException {
    Path values = directory.resolve("values.json");
    Files.writeString(values, Exercise4GoldenTest.golden().getAsJsonObject("single").get("values").toString());
    Run run = run("show", "../examples/exercise4.nabla", "--values", values.toString());
    assertEquals(0, run.exit(), run.err());
    String[] lines = run.out().split("\n");
    assertEquals("out = sigmoid(W3 relu(W2 relu(W1 x + b1) + b2) + b3)", lines[0]);
    assertTrue(lines[1].startsWith("out = sigmoid([[-0.5255, 0.102]] relu("), lines[1]);
    assertEquals("out = [0.617]   (H = 0.4828)", lines[2]);
  }

  @Test
  void aBatchThatDoesNotFitInMemoryIsRefusedBeforeAllocating() throws IOException {
    Path wide = directory.resolve("wide.nabla");
    Files.writeString(wide, Files.readString(Path.of(SPEC))
        .replace("W1[20, 784]", "W1[4000, 784]").replace("b1[20]", "b1[4000]").replace("W2[10, 20]", "W2[10, 4000]"));
    Run run = run("check", wide.toString(), "--batch", "1000000");
    assertCleanFailure(run, 2);
    assertTrue(run.err().contains("is more than one Java array holds; lower --batch"), run.err());
  }

  /** Names and comments that would break or inject Java give code that compiles, warning-free. */
  @Test
  void hostileNamesAndCommentsGenerateSafeCode() throws IOException {
    Path spec = directory.resolve("hostile.nabla");
    Files.writeString(spec, String.join("\n",
        "# */ public static void main(String[] a) {} /* \\u000a class Evil {}",
        "model Hostile",
        "input X[3]   # \\u002a\\u002f still a comment */",
        "label y : 2",
        "param class[2, 3]",
        "param int[2]",
        "param δ[2, 2]",
        "new = relu(class X + int)",
        "out = logsoftmax(δ new)",
        "loss = nll(out, y)",
        ""));
    Run run = run("generate", spec.toString(), "-d", directory.resolve("src").toString(), "--package", "com.acme");
    assertEquals(0, run.exit(), run.err());
    String source = Files.readString(directory.resolve("src/com/acme/Hostile.java"));
    javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
    Path classes = Files.createDirectories(directory.resolve("classes"));
    StringWriter diagnostics = new StringWriter();
    String runtime = dev.nabla.runtime.Model.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    boolean compiled = javac.getTask(diagnostics, null, null,
        java.util.List.of("--release", "17", "-Xlint:all", "-Werror", "-cp", runtime, "-d", classes.toString()), null,
        javac.getStandardFileManager(null, null, null).getJavaFileObjects(directory.resolve("src/com/acme/Hostile.java"))).call();
    assertTrue(compiled, diagnostics + "\n" + source);
    try (var compiledFiles = Files.walk(classes)) {
      assertEquals(java.util.List.of("Hostile.class"), compiledFiles.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList(),
          "a comment's unicode escape must not become code");
    }
  }

  /** A spec of 100,000 nodes: derived, and refused with a reason rather than given as a class javac cannot compile. */
  @Test
  void aHundredThousandNodeSpecIsDerivedAndRefusedCleanlyByTheGenerator() throws IOException {
    StringBuilder spec = new StringBuilder("model Huge\ninput X[4]\ntarget t[4]\nparam W[4, 4]\nv0 = W X\n");
    for (int i = 1; i < 33_334; i++) {
      spec.append("v").append(i).append(" = tanh(v").append(i - 1).append(") + 0.5 * v").append(i - 1).append('\n');
    }
    spec.append("out = v33333\nloss = mse(out, t)\n");
    Path file = directory.resolve("huge.nabla");
    Files.writeString(file, spec);
    Run derive = run("derive", file.toString(), "--wrt", "W");
    assertEquals(0, derive.exit(), derive.err());
    assertTrue(derive.out().contains("∂H/∂W = "), derive.out().substring(derive.out().length() - 300));
    Run inline = run("derive", file.toString(), "--wrt", "W", "--inline");
    assertCleanFailure(inline, 2);
    assertTrue(inline.err().contains("would have more than 20,000 terms"), inline.err());
    Run generate = run("generate", file.toString(), "-d", directory.resolve("src").toString());
    assertCleanFailure(generate, 2);
    assertTrue(generate.err().contains("Huge keeps 100,004 values in arrays of their own, more than the 5,000 one generated class can hold"),
        generate.err());
  }

  @Test
  void usageErrorsAndVersion() {
    assertEquals(2, run("frobnicate").exit());
    assertEquals(2, run("derive").exit());
    Run version = run("--version");
    assertEquals(0, version.exit());
    assertTrue(version.out().startsWith("nabla "));
  }

  @Test
  void trainSaysHowToGetMissingData() {
    Run run = run("train", "--data", directory.resolve("nowhere").toString(), "--out", directory.toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().contains("apt-get install dataset-fashion-mnist"), run.err());
  }

  @Test
  void trainRefusesACheckpointOfAnotherModelBeforeTraining() throws Exception {
    Path checkpoint = directory.resolve("other.nabla");
    var other = new dev.nabla.runtime.checkpoint.Checkpoint("BlockGraph", "0".repeat(64), dev.nabla.runtime.ModelInfo.Precision.FLOAT,
        java.util.List.of(new dev.nabla.runtime.ModelInfo.Parameter("A", new int[] {2})), java.util.List.of(new double[] {1, 2}), null);
    dev.nabla.runtime.checkpoint.CheckpointFile.save(checkpoint, other);
    Run run = run("train", "--resume", checkpoint.toString(), "--data", directory.resolve("nowhere").toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().startsWith("nabla: " + checkpoint + ": made for another model: the checkpoint is of BlockGraph"), run.err());
  }

  @Test
  void trainRefusesANetworkThatDoesNotFitFashionMnist() {
    Run run = run("train", "../examples/exercise4.nabla", "--out", directory.toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().contains("needs one input of 784 values (the 28×28 image, as X[784] or X[1, 28, 28]) and a label of 10 classes"),
        run.err());
  }

  /** The README's main command, one epoch of it, on the real data. */
  @Test
  void trainOneEpochOnFashionMnistReaches80Percent() throws IOException {
    Path data = FashionMnist.resolveDirectory(null);
    assumeTrue(FashionMnist.isInstalled(data), "Fashion-MNIST is not installed at " + data
        + " (apt-get install dataset-fashion-mnist, or set NABLA_DATA): the training test needs the real data");
    Path out = directory.resolve("out");
    Run run = run("train", "--epochs", "1", "--out", out.toString());
    assertEquals(0, run.exit(), run.err());
    Matcher accuracy = Pattern.compile("test accuracy (\\d+\\.\\d+)%").matcher(run.out());
    assertTrue(accuracy.find(), run.out());
    assertTrue(Double.parseDouble(accuracy.group(1)) >= 80, run.out());
    for (String file : new String[] {"checkpoint.nckpt", "metrics.csv", "loss.png", "accuracy.png", "confusion.png"}) {
      assertTrue(Files.size(out.resolve(file)) > 0, file);
    }
  }
}
