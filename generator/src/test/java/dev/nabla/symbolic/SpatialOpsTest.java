package dev.nabla.symbolic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.interpret.FiniteDifferences;
import dev.nabla.interpret.Interpreter;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Convolution, pooling, flatten, the bias per channel and dropout: shapes, values and gradients. */
class SpatialOpsTest {

  private static Network spec(String text) {
    return Networks.fromSpec(new SourceFile("cnn.nabla", text));
  }

  private static Node value(Network network, String name) {
    return network.names().entrySet().stream().filter(e -> e.getValue().equals(name)).findFirst().orElseThrow().getKey();
  }

  /** Every parameter's and the input's symbolic gradient against central differences. */
  private static void assertGradientsAgree(Network network, long seed, OptionalLong dropoutSeed) {
    Map<Node, Tensor> values = LessonDerivativesTest.randomValues(network, new Random(seed), 3);
    List<Node> leaves = new java.util.ArrayList<>(network.parameters());
    leaves.addAll(network.inputs());
    Gradients gradients = Differentiator.derive(network, network.loss(), leaves);
    for (Node leaf : leaves) {
      Tensor symbolic = Interpreter.evaluate(gradients.of(leaf), values, dropoutSeed);
      Tensor numeric = FiniteDifferences.gradient(network.loss(), leaf, values, 1e-6, dropoutSeed);
      // Entries below 1e-2 are judged absolutely: central differences carry ~1e-10 of rounding.
      double error = FiniteDifferences.relativeError(numeric, symbolic, 1e-2);
      assertTrue(error < 1e-6, leaf + ": relative error " + error + "\n" + symbolic + "\n" + numeric);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"stride=1, padding=0", "stride=2, padding=1", "stride=3, padding=2", "padding=1"})
  void convolutionGradientsAgreeWithFiniteDifferences(String geometry) {
    Network network = spec("""
        model Conv
        input X[2, 7, 6]
        param K[3, 2, 3, 2]
        param c[3]
        A = tanh(conv2d(K, X, %s) + c)
        loss = sum(A * A)
        """.formatted(geometry));
    assertGradientsAgree(network, 1, OptionalLong.empty());
  }

  @Test
  void shapesOfALeNet() {
    Network network = spec("""
        model LeNet
        input X[1, 28, 28]
        label y : 10
        param K1[6, 1, 5, 5]
        param c1[6]
        param K2[16, 6, 5, 5]
        param c2[16]
        param W3[120, 256]
        param b3[120]
        param W4[10, 120]
        param b4[10]
        conv1 = relu(conv2d(K1, X) + c1)
        pool1 = maxpool(conv1, 2)
        conv2 = relu(conv2d(K2, pool1) + c2)
        pool2 = avgpool(conv2, 2)
        feat = flatten(pool2)
        H3 = relu(W3 feat + b3)
        logits = W4 dropout(0.5, H3) + b4
        loss = cross_entropy(logits, y)
        """);
    assertEquals(Shape.of(6, 24, 24), value(network, "conv1").shape());
    assertEquals(Shape.of(6, 12, 12), value(network, "pool1").shape());
    assertEquals(Shape.of(16, 8, 8), value(network, "conv2").shape());
    assertEquals(Shape.of(16, 4, 4), value(network, "pool2").shape());
    assertEquals(Shape.of(256), value(network, "feat").shape());
  }

  @Test
  void smallCnnGradientsAgreeInTrainingAndInPrediction() {
    Network network = spec("""
        model Small
        input X[2, 6, 6]
        label y : 4
        param K1[3, 2, 3, 3]
        param c1[3]
        param W2[4, 12]
        param b2[4]
        conv1 = tanh(conv2d(K1, X, padding=1) + c1)
        pool = maxpool(conv1, 3)
        feat = flatten(pool)
        logits = W2 dropout(0.3, feat) + b2
        loss = cross_entropy(logits, y)
        """);
    assertGradientsAgree(network, 2, OptionalLong.empty());
    assertGradientsAgree(network, 3, OptionalLong.of(42));
  }

  @Test
  void averagePoolingWithOverlappingWindowsAgrees() {
    Network network = spec("""
        model Avg
        input X[2, 5, 5]
        target t[2, 2, 2]
        param K[2, 2, 1, 1]
        A = avgpool(conv2d(K, X), 3, stride=2)
        loss = mse(A, t)
        """);
    assertEquals(Shape.of(2, 2, 2), network.output().shape());
    assertGradientsAgree(network, 4, OptionalLong.empty());
  }

  @Test
  void maxPoolingRoutesTheGradientToEachWindowsMaximum() {
    Network network = spec("""
        model Max
        input X[1, 2, 4]
        target t[1, 1, 2]
        P = maxpool(X, 2)
        loss = sum(P * t)
        """);
    Node x = network.inputs().get(0);
    Node t = network.target().orElseThrow();
    Tensor image = new Tensor(Shape.of(1, 2, 4), new double[] {1, 5, 2, 0, 3, 4, 8, 7});
    Map<Node, Tensor> values = Map.of(x, image, t, new Tensor(Shape.of(1, 1, 2), new double[] {10, 20}));
    assertArrayEquals(new double[] {5, 8}, Interpreter.evaluate(network.output(), values).data());
    Gradients gradients = Differentiator.derive(network, network.loss(), List.of(x));
    assertArrayEquals(new double[] {0, 10, 0, 0, 0, 0, 20, 0}, Interpreter.evaluate(gradients.of(x), values).data());
  }

  @Test
  void dropoutIsTheIdentityInPredictionAndASeededInvertedMaskInTraining() {
    Network network = spec("""
        model Drop
        input x[1000]
        target t[1000]
        probs = dropout(0.25, x)
        loss = mse(probs, t)
        """);
    Node x = network.inputs().get(0);
    double[] ones = new double[1000];
    java.util.Arrays.fill(ones, 1);
    Map<Node, Tensor> values = Map.of(x, new Tensor(Shape.of(1000), ones), network.target().orElseThrow(),
        Tensor.zeros(Shape.of(1000)));
    assertArrayEquals(ones, Interpreter.evaluate(network.output(), values).data());
    double[] first = Interpreter.evaluate(network.output(), values, OptionalLong.of(7)).data();
    assertArrayEquals(first, Interpreter.evaluate(network.output(), values, OptionalLong.of(7)).data());
    assertNotEquals(java.util.Arrays.toString(first),
        java.util.Arrays.toString(Interpreter.evaluate(network.output(), values, OptionalLong.of(8)).data()));
    long dropped = java.util.Arrays.stream(first).filter(v -> v == 0).count();
    assertTrue(dropped > 200 && dropped < 300, dropped + " of 1000 dropped at p = 0.25");
    assertTrue(java.util.Arrays.stream(first).allMatch(v -> v == 0 || Math.abs(v - 1 / 0.75) < 1e-15));
  }

  @Test
  void twoDropoutsOfOneValueDrawTwoMasks() {
    Network network = spec("""
        model Twice
        input x[200]
        target t[200]
        pred = dropout(0.5, x) + dropout(0.5, x)
        loss = mse(pred, t)
        """);
    long masks = network.graph().nodes().stream().filter(n -> n.op() instanceof Spatial.DropoutMask).count();
    assertEquals(2, masks);
  }

  @Test
  void oneLinerInfersImageAndKernelShapesSymbolically() {
    Network network = Networks.fromExpression("sum(maxpool(relu(conv2d(K, X, padding=1) + c), 2))");
    Node kernel = network.parameters().stream().filter(p -> ((Op.Leaf) p.op()).name().equals("K")).findFirst().orElseThrow();
    assertEquals(4, kernel.shape().rank());
    Node bias = network.parameters().stream().filter(p -> ((Op.Leaf) p.op()).name().equals("c")).findFirst().orElseThrow();
    assertEquals(1, bias.shape().rank());
    assertEquals(kernel.shape().dim(0), bias.shape().dim(0));
    assertEquals(3, network.inputs().get(0).shape().rank());
    Gradients gradients = Differentiator.parameters(network);
    assertEquals(kernel.shape(), gradients.of(kernel).shape());
  }

  /** No expression swell through convolutions: the gradient graph grows linearly with the depth. */
  @ParameterizedTest
  @ValueSource(ints = {1, 4, 16, 40})
  void gradientGraphOfDeepConvolutionsGrowsLinearly(int depth) {
    StringBuilder spec = new StringBuilder("model Deep\ninput X[2, 6, 6]\n");
    String previous = "X";
    for (int layer = 1; layer <= depth; layer++) {
      spec.append("param K").append(layer).append("[2, 2, 3, 3]\nparam c").append(layer).append("[2]\n");
      spec.append("conv").append(layer).append(" = relu(conv2d(K").append(layer).append(", ").append(previous)
          .append(", padding=1) + c").append(layer).append(")\n");
      previous = "conv" + layer;
    }
    spec.append("loss = sum(avgpool(").append(previous).append(", 2))\n");
    Network network = spec(spec.toString());
    int forward = Differentiator.reachable(List.of(network.loss(), network.output())).size();
    Gradients gradients = Differentiator.parameters(network);
    int total = Differentiator.reachable(new java.util.ArrayList<>(gradients.byLeaf().values())).size();
    assertTrue(total <= 4 * forward + 10, depth + " layers: " + total + " nodes for a forward graph of " + forward);
  }

  private static String shapeError(String body) {
    DiagnosticException e = assertThrows(DiagnosticException.class, () -> spec("model Bad\n" + body));
    return e.diagnostics().get(0).message() + " | " + String.join(" | ", e.diagnostics().get(0).hints());
  }

  @Test
  void shapeErrorsNameBothShapesAndWhatWentWrong() {
    assertEquals("conv2d(K, X): the kernel 8×3×3×3 takes 3 input channels, but the input 1×28×28 has 1"
        + " | declare the kernel as [8, 1, 3, 3]",
        shapeError("input X[1, 28, 28]\nparam K[8, 3, 3, 3]\nloss = sum(conv2d(K, X))\n"));
    assertTrue(shapeError("input X[1, 4, 4]\nparam K[2, 1, 5, 5]\nloss = sum(conv2d(K, X))\n")
        .contains("the kernel height 5 is larger than the input's height 4 (input 1×4×4)"));
    assertTrue(shapeError("input X[3, 7, 7]\nloss = sum(maxpool(X, 2))\n")
        .contains("a window of 2 moved by 2 does not tile the input's height 7 (input 3×7×7)"));
    assertTrue(shapeError("input X[2, 4, 4]\nparam W[10, 30]\nloss = sum(W flatten(X))\n")
        .contains("W (10×30) cannot multiply flatten(X) (32): 30 ≠ 32 | flatten(X) has 2·4·4 = 32 values (channels·height·width of 2×4×4): declare W[10, 32]"));
    assertTrue(shapeError("input X[2, 4, 4]\nparam c[3]\nloss = sum(X + c)\n")
        .contains("cannot add X (2×4×4) and c (3): a bias per channel has one entry per channel: 2 ≠ 3"));
    assertTrue(shapeError("input X[2, 4, 4]\nparam W[10, 32]\nloss = sum(W X)\n")
        .contains("a product takes vectors and matrices, not an image (2×4×4) | flatten(...)"));
  }
}
