package dev.nabla.cli;

import static dev.nabla.cli.CliTest.assertCleanFailure;
import static dev.nabla.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.nabla.cli.CliTest.Run;
import dev.nabla.runtime.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Specs written the way users write them (issue 18): the prediction named {@code pred} or
 * {@code probs} or not named at all, values nobody uses, dimensions named and never sized, two specs of
 * one model. Each ran into an internal error or a silently wrong result before.
 */
class UserSpecsTest {
  @TempDir
  Path directory;

  private Path spec(String name, String text) throws IOException {
    Path file = directory.resolve(name + ".nabla");
    Files.writeString(file, text);
    return file;
  }

  private static final String PRED = """
      model Pred
      input x[3]
      target t[1]
      param w[1, 3]
      pred = sigmoid(w x)
      loss = bce(pred, t)
      """;

  private static final String PROBS = """
      model Probs
      input X[4]
      label y : 3
      param W[3, 4]
      probs = logsoftmax(W X)
      loss = nll(probs, y)
      """;

  private static final String JUNK = """
      model Junk
      input x[3]
      label y : 2
      param W[2, 3]
      junk = tanh(W x)
      loss = cross_entropy(W x, y)
      """;

  /** Item 1: a named value that a stability rewrite fuses away, or that nothing uses, crashed every command. */
  @Test
  void aNamedValueThatDropsOutOfTheGraphIsFine() throws IOException {
    for (String text : new String[] {PRED, PROBS, JUNK}) {
      Path file = spec(text.lines().findFirst().orElseThrow().substring(6), text);
      for (String command : new String[] {"derive", "explain", "graph", "check"}) {
        Run run = run(command, file.toString());
        assertEquals(0, run.exit(), command + " " + text + run.err());
      }
      Run generate = run("generate", file.toString(), "-d", directory.resolve("out").toString(), "--with-tests");
      assertEquals(0, generate.exit(), generate.err());
    }
  }

  /** Item 2: with no out line, what the model predicts is the loss function's prediction as written, not the loss. */
  @Test
  void withoutAnOutLineTheOutputIsTheLossFunctionsPrediction() throws IOException {
    Path file = spec("noout", """
        model NoOut
        input x[2]
        target t[1]
        param W[1, 2]
        param b[1]
        loss = bce(sigmoid(W x + b), t)
        """);
    Path values = directory.resolve("values.json");
    Files.writeString(values, "{\"params\": {\"W\": [[1, 2]], \"b\": [0.5]}, \"inputs\": {\"x\": [1, -1]}, \"target\": [1]}");
    Run run = run("grad", file.toString(), "--values", values.toString());
    assertEquals(0, run.exit(), run.err());
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    // sigmoid(1 − 2 + 0.5) = sigmoid(−0.5), not the loss −log(sigmoid(−0.5))
    assertEquals(1 / (1 + Math.exp(0.5)), json.getAsJsonArray("output").get(0).getAsDouble(), 1e-12);
    assertEquals(-Math.log(1 / (1 + Math.exp(0.5))), json.get("loss").getAsDouble(), 1e-12);
  }

  /**
   * The prediction named {@code probs} and the loss written out, {@code -sum(onehot(y) * log(probs))}: the
   * engine fuses it into cross_entropy of the logits, and {@code probs} is still what the model predicts (it
   * used to be the hidden layer, the last named value the fused loss reached, and train refused the spec).
   */
  @Test
  void aPredictionThatTheLossFusesAwayIsStillTheOutput() throws IOException {
    Path file = spec("written", """
        model Written
        input image[2]
        label digit : 3
        param A[4, 2]
        param B[3, 4]
        hidden = tanh(A image)
        probs = softmax(B hidden)
        loss = -sum(onehot(digit) * log(probs)) + 0.001 * sum(A * A)
        """);
    Path values = directory.resolve("written.json");
    Files.writeString(values, "{\"params\": {\"A\": [[1, 0], [0, 1], [1, 1], [1, -1]], \"B\": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]]},"
        + " \"inputs\": {\"image\": [0.5, -0.25]}, \"label\": 2}");
    Run run = run("grad", file.toString(), "--values", values.toString());
    assertEquals(0, run.exit(), run.err());
    com.google.gson.JsonArray output = JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonArray("output");
    double[] logits = {Math.tanh(0.5), Math.tanh(-0.25), Math.tanh(0.25) + Math.tanh(0.75)};
    double total = Math.exp(logits[0]) + Math.exp(logits[1]) + Math.exp(logits[2]);
    assertEquals(3, output.size(), run.out());
    for (int k = 0; k < 3; k++) {
      assertEquals(Math.exp(logits[k]) / total, output.get(k).getAsDouble(), 1e-12, run.out());
    }
    Run train = run("train", file.toString(), "--data", directory.toString());
    assertCleanFailure(train, 2);
    assertFalse(train.err().contains("predicts"), train.err());
    assertTrue(train.err().contains("784 values"), train.err());
  }

  /**
   * The probabilities named by the spec are called by that name where the gradient computes them, as a
   * textbook writes δ = pred − t: whether the loss takes their log (and the engine fuses it into cross_entropy)
   * or takes the logits and leaves the named probabilities unused. They were Y2_2 and Y1 before.
   */
  @Test
  void namedProbabilitiesKeepTheirNameInTheGradient() throws IOException {
    String header = "input x[4]\nlabel y : 3\nparam W1[5, 4]\nparam W2[3, 5]\nh = relu(W1 x)\nlogits = W2 h\n";
    Path logOfPred = spec("logofpred", "model LogOfPred\n" + header + "pred = softmax(logits)\nloss = nll(log(pred), y)\n");
    Run derived = run("derive", logOfPred.toString());
    assertEquals(0, derived.exit(), derived.err());
    assertTrue(derived.out().contains("pred = softmax(logits)"), derived.out());
    assertTrue(derived.out().contains("δ_logits = ∂H/∂logits = pred − t"), derived.out());
    assertFalse(derived.out().contains("= logsoftmax(logits)\n"), "the output is pred itself, not its log: " + derived.out());
    Run explained = run("explain", logOfPred.toString());
    assertTrue(explained.out().contains("δ_logits = ∂H/∂logits = pred − t"), explained.out());

    Path unused = spec("unused", "model Unused\n" + header
        + "probabilities = softmax(logits)\nloss = cross_entropy(logits, y) + 0.5 * mean(logits ^ 2)\n");
    Run printed = run("derive", unused.toString());
    assertEquals(0, printed.exit(), printed.err());
    // mean over 3 classes: 0.5 · 2/3, written as the fraction it is, not 0.3333333333333333
    assertTrue(printed.out().contains("δ_logits = ∂H/∂logits = (1/3) logits + probabilities − t"), printed.out());
    Run latex = run("derive", "--format", "latex", unused.toString());
    assertTrue(latex.out().contains("\\delta_{\\mathrm{logits}} = \\frac{\\partial H}{\\partial \\mathrm{logits}}"
        + " = \\frac{1}{3} \\, \\mathrm{logits} + \\mathrm{probabilities} - t"), latex.out());
    Run index = run("derive", "--format", "index", unused.toString());
    assertTrue(index.out().contains("probabilities_k − t_k"), index.out());
  }

  /** Item 2: a prediction that needs the label cannot be predicted from an input: asked for, with the place. */
  @Test
  void anOutputThatNeedsTheLabelIsRefusedWithItsPosition() throws IOException {
    Path file = spec("labelled", """
        model Labelled
        input x[2]
        label y : 2
        param W[2, 2]
        out = cross_entropy(W x, y)
        loss = out
        """);
    Run run = run("check", file.toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().contains(":5:7: error: out is what predict returns, from the input alone, but it uses the label y"), run.err());
    Path unnamed = spec("unnamed", """
        model Unnamed
        input x[2]
        target t[2]
        param W[2, 2]
        loss = sum((W x - t)^2)
        """);
    Run asked = run("check", unnamed.toString());
    assertCleanFailure(asked, 2);
    assertTrue(asked.err().contains(":5:8: error: cannot tell what the model predicts"), asked.err());
    assertTrue(asked.err().contains("hint: name the prediction with a line such as: out = W x + b"), asked.err());
    // The formulas need no prediction: such a spec derives.
    Run derived = run("derive", unnamed.toString());
    assertEquals(0, derived.exit(), derived.err());
    assertTrue(derived.out().contains("∂H/∂W"), derived.out());
  }

  /** Item 3: a dimension named and never sized is a diagnostic at the name, in every command that needs sizes. */
  @Test
  void aDimensionNeverSizedIsADiagnosticAtItsName() throws IOException {
    Path file = spec("unsized", """
        model Unsized
        input x[5]
        label y : 3
        param W1[h, 5]
        param W2[3, h]
        loss = cross_entropy(W2 relu(W1 x), y)
        """);
    Path values = directory.resolve("values.json");
    Files.writeString(values, "{}");
    String[][] commands = {{"check", file.toString()}, {"grad", file.toString(), "--values", values.toString()},
        {"show", file.toString(), "--values", values.toString()}, {"generate", file.toString(), "-d", directory.toString()},
        {"train", file.toString(), "--data", directory.toString()}};
    for (String[] command : commands) {
      Run run = run(command);
      assertCleanFailure(run, 2);
      assertTrue(run.err().startsWith(file + ":4:10: error: dimension h (of W1) is never given a size"), command[0] + ": " + run.err());
      assertTrue(run.err().contains("\n  param W1[h, 5]\n           ^\n"), run.err());
    }
    // the formulas need no sizes
    assertEquals(0, run("derive", file.toString()).exit());
  }

  /** Whatever a command throws that is not a diagnostic or a stated failure is reported as a bug, in one place, with what to send. */
  @Test
  void aBugInAnyCommandIsAClearInternalErrorReport() {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine command = Nabla.commandLine();
    command.addSubcommand("broken", new picocli.CommandLine(new Broken()));
    command.setOut(new java.io.PrintWriter(out));
    command.setErr(new java.io.PrintWriter(err));
    assertEquals(1, command.execute("broken", "net.nabla"));
    java.util.List<String> lines = err.toString().lines().toList();
    assertEquals("nabla: internal error: a bug in nabla, not a problem with your input, while running nabla broken net.nabla", lines.get(0));
    assertEquals("  please report it to nabla's maintainers with the command, the spec file(s) it read and these lines:", lines.get(1));
    assertEquals("    java.lang.NullPointerException: a bug for the test", lines.get(3));
    assertTrue(lines.get(4).startsWith("      at dev.nabla.cli.UserSpecsTest$Broken.call(UserSpecsTest.java:"), err.toString());
    assertEquals("  (--verbose prints the whole stack trace)", lines.get(lines.size() - 1));
    assertFalse(err.toString().contains("\tat "), "no raw stack trace without --verbose");

    // An Error (here a stack overflow) takes the same way, not picocli's wrapper.
    java.io.StringWriter deep = new java.io.StringWriter();
    command.setErr(new java.io.PrintWriter(deep));
    assertEquals(1, command.execute("broken", "deep"));
    assertTrue(deep.toString().contains("\n    java.lang.StackOverflowError\n"), deep.toString());
  }

  @picocli.CommandLine.Command(name = "broken")
  static final class Broken implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Parameters
    String file;

    @Override
    public Integer call() {
      if (file.equals("deep")) {
        throw new StackOverflowError();
      }
      throw new NullPointerException("a bug for the test");
    }
  }

  /** Item 8: a gradient that is exactly zero, and the tiny ones deep in a chain of tanh, are right when they are right. */
  @Test
  void checkPassesExactGradientsThatAreZeroOrTiny() throws IOException {
    Path zero = spec("zero", """
        model Zero
        input x[3]
        label y : 2
        param W[2, 3]
        param v[3]
        loss = cross_entropy(W x, y) + sum(softmax(v))
        """);
    Run run = run("check", zero.toString());
    assertEquals(0, run.exit(), run.out());
    StringBuilder chain = new StringBuilder("model Chain\ninput x[4]\nlabel y : 4\n");
    for (int i = 1; i <= 20; i++) {
      chain.append("param W").append(i).append("[4, 4] init normal(0, 0.3)\n");
    }
    String previous = "x";
    for (int i = 1; i <= 20; i++) {
      chain.append("h").append(i).append(" = tanh(W").append(i).append(' ').append(previous).append(")\n");
      previous = "h" + i;
    }
    chain.append("loss = cross_entropy(").append(previous).append(", y)\n");
    Run deep = run("check", spec("chain", chain.toString()).toString());
    assertEquals(0, deep.exit(), deep.out());
  }

  /** Item 12: a loss that is not a number at check's random point is said to be so, with where it starts, not "a gradient is off". */
  @Test
  void aNanLossAtChecksPointIsReportedAsSuch() throws IOException {
    Path file = spec("nan", """
        model NotANumber
        input x[3]
        label y : 2
        param W[2, 3]
        z = log(W x - 10)
        loss = cross_entropy(z, y)
        """);
    Run run = run("check", file.toString());
    assertEquals(1, run.exit(), run.out());
    assertTrue(run.out().contains("FAILED: the loss is NaN at the random point, so no gradient can be checked: "
        + "the first value that is not a number is z (log at 5:5), NaN"), run.out());
    assertFalse(run.out().contains("a gradient is off"), run.out());
  }

  /** Item 12: a flat sum of 199 penalties is an ordinary loss. */
  @Test
  void aLossOf199TermsIsChecked() throws IOException {
    String penalties = String.join(" + ", java.util.Collections.nCopies(199, "0.001 * sum(W * W)"));
    Path file = spec("penalties", "model Penalties\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nloss = cross_entropy(W x, y) + " + penalties + "\n");
    Run run = run("check", file.toString());
    assertEquals(0, run.exit(), run.err() + run.out());
  }

  /** Item 12: a JDK package cannot hold a generated class: refused as usage, not written to fail at compile time. */
  @Test
  void aJdkPackageIsRefused() throws IOException {
    Path file = spec("probs", PROBS);
    for (String jdk : new String[] {"java.lang", "java.util.nets", "javax.swing"}) {
      Run run = run("generate", file.toString(), "-d", directory.resolve("out").toString(), "--package", jdk);
      assertCleanFailure(run, 2);
      assertTrue(run.err().startsWith("nabla: --package " + jdk + ": '" + jdk + "' is"), run.err());
    }
    assertFalse(Files.exists(directory.resolve("out")));
  }

  /** Item 12: a values file with a sample and a batch is ambiguous, and said to be. */
  @Test
  void aValuesFileWithASampleAndABatchIsRefused() throws IOException {
    Path file = spec("pred", PRED);
    Path values = directory.resolve("values.json");
    Files.writeString(values, "{\"params\": {\"w\": [[1, 2, 3]]}, \"inputs\": {\"x\": [1, 1, 1]}, \"target\": [1],"
        + " \"batch\": [{\"inputs\": {\"x\": [0, 0, 0]}, \"target\": [0]}]}");
    Run run = run("grad", file.toString(), "--values", values.toString());
    assertCleanFailure(run, 2);
    assertEquals("nabla: " + values + ": has both a batch and a single sample (inputs, target); give the samples in \"batch\" only,"
        + " or drop \"batch\"\n", run.err());
  }

  /** Item 9: settings out of range are a usage error before anything starts (no data is read: the directory is empty). */
  @Test
  void optimizerSettingsOutOfRangeAreUsageErrors() {
    for (String optimizer : new String[] {"momentum:1.5", "adam:2:0.999:1e-8", "adam:0.9:0.999:0", "momentum:NaN"}) {
      Run run = run("train", "--optimizer", optimizer, "--data", directory.toString(), "--out", directory.resolve("o").toString());
      assertCleanFailure(run, 2);
      assertTrue(run.err().startsWith("nabla: --optimizer " + optimizer + ": "), run.err());
      assertFalse(run.err().contains("internal"), run.err());
    }
  }

  /** Item 10: two specs of one model in one generate: refused, and nothing written. */
  @Test
  void twoSpecsWithOneModelNameAreRefused() throws IOException {
    Path first = spec("first", PROBS);
    Path second = spec("second", PROBS.replace("W X", "(W X + W X)"));
    Path out = directory.resolve("out");
    Run run = run("generate", first.toString(), second.toString(), "-d", out.toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().contains(second + " and " + first + " both generate "), run.err());
    assertFalse(Files.exists(out.resolve("dev/nabla/generated/Probs.java")), "nothing is written");
  }

  /** Item 2: weight decay added to the loss trains, and an output that is not one score per class is refused before training. */
  @Test
  void trainTakesTheLossFunctionsScoresAndRefusesOtherOutputs() throws IOException {
    Path data = FashionMnist.resolveDirectory(null);
    Path outputs = spec("sumout", """
        model SumOut
        input X[784]
        label y : 10
        param W[10, 784]
        z = W X
        out = sum(z)
        loss = cross_entropy(z, y)
        """);
    Run refused = run("train", outputs.toString(), "--data", directory.toString());
    assertCleanFailure(refused, 2);
    assertTrue(refused.err().contains("what SumOut predicts (out) is a scalar, not 10 scores"), refused.err());

    assumeTrue(FashionMnist.isInstalled(data), "Fashion-MNIST is not installed at " + data + ": the training half needs it");
    String header = "input X[784]\nlabel y : 10\nparam W[10, 784]\nparam b[10]\n";
    for (String loss : new String[] {"loss = cross_entropy(W X + b, y) + 1e-4 * sum(W * W)", "loss = bce(sigmoid(W X + b), onehot(y))",
        "probs = softmax(W X + b)\nloss = -sum(onehot(y) * log(probs))"}) {
      Path file = spec("linear", "model Linear\n" + header + loss + "\n");
      Path out = directory.resolve("trained");
      Run run = run("train", file.toString(), "--epochs", "1", "--out", out.toString());
      assertEquals(0, run.exit(), run.err());
      java.util.regex.Matcher accuracy = java.util.regex.Pattern.compile("test accuracy (\\d+\\.\\d+)%").matcher(run.out());
      assertTrue(accuracy.find(), run.out());
      assertTrue(Double.parseDouble(accuracy.group(1)) > 70, loss + ": " + run.out());
      assertTrue(Files.isRegularFile(out.resolve("checkpoint.nckpt")));
    }
  }
}
