package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.palantir.javapoet.JavaFile;
import dev.nabla.codegen.CodegenOptions.Backend;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.interpret.Interpreter;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Tensor;
import dev.nabla.testing.RandomSpecs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated classes compute what the interpreter computes: the batch-mean gradient of every
 * parameter equals the mean of the interpreter's per-sample gradients, and the loss and the output
 * agree, for the lesson's networks and for hundreds of random specs (all compiled in one javac run).
 */
class GradientAgreementTest {
  private static final int BATCH = 3;

  /** Specs beyond the lesson's, for what the random specs do not reach. */
  static final Map<String, String> EXTRA = Map.of(
      "Powers", """
          model Powers
          input x[3]
          target t[2]
          param W[2, 3]
          param s[2]
          h = exp(0.5 * tanh(W x)) + (sigmoid(W x) + 1)^3 - s / (1 + s * s)
          out = h
          loss = mse(out, t) + sum(Wᵀ * Wᵀ) / 10 + mean(log(1 + s * s))
          """,
      "Bce", """
          model Bce
          input x[2]
          target t[3]
          param W[3, 2]
          param b[3]
          out = 0.1 + 0.8 / (1 + exp(-(W x + b)))
          loss = bce(out, t)
          """,
      "Nll", """
          model Nll
          input x[4]
          label y : 3
          param W[3, 4]
          param V[3, 3]
          z = W x
          out = log(softmax(V tanh(z) + z))
          loss = nll(out, y) + sum(z ⊙ onehot(y))
          """,
      "Regularized", """
          model Regularized
          input X[30]
          label y : 5
          param W1[16, 30]
          param b1[16]
          param W2[5, 16]
          param b2[5]
          Y1 = relu(W1 X + b1)
          logits = W2 Y1 + b2
          loss = cross_entropy(logits, y) + 0.0001 * sum(W1 * W1) + 0.001 * sum(W2 * W2)
          """,
      "Tied", """
          model Tied
          input x[12]
          target t[12]
          param W[8, 12]
          param V[8, 8]
          param b[8]
          h1 = tanh(W x + b)
          h2 = tanh(V h1 + W x)
          recon = sigmoid(Wᵀ (V h2) + Wᵀ h1)
          loss = mse(recon, t) + 0.01 * sum(V * V)
          """,
      "Rows", """
          model Rows
          input x[3]
          target t[2]
          param W[3, 2]
          param c[2]
          r = xᵀ W
          out = softplus(rᵀ + c) ^ 0.5
          loss = mse(out, t)
          """,
      // Convolutions (issue 15): stride and padding, several channels, both poolings (overlapping too), a bias per
      // channel folded into the convolution or added after it, a value used twice, dropout, weight decay on a kernel.
      "StridedCnn", """
          model StridedCnn
          input image[2, 7, 7]
          label y : 3
          param K[3, 2, 3, 3]
          param c[3]
          param W[3, 12]
          param b[3]
          A = sigmoid(conv2d(K, image, stride=2, padding=1) + c)
          P = maxpool(A, 2)
          scores = W flatten(P) + b
          loss = cross_entropy(scores, y)
          """,
      "OverlapCnn", """
          model OverlapCnn
          input x[1, 6, 5]
          target t[2]
          param K1[2, 1, 2, 2]
          param c1[2]
          param W[2, 12]
          param b[2]
          A = relu(conv2d(K1, x)) + c1
          B = maxpool(avgpool(A, 2, stride=1), 2, stride=1)
          pred = W flatten(B) + b
          loss = mse(pred, t) + 0.01 * sum(K1 * K1)
          """,
      "SharedCnn", """
          model SharedCnn
          input X[2, 6, 6]
          label y : 4
          param K[3, 2, 3, 3]
          param c[3]
          param K2[3, 3, 1, 1]
          param W1[4, 27]
          param W2[4, 27]
          param b[4]
          A = relu(conv2d(K, X, padding=1) + c)
          P = maxpool(A, 2)
          B = tanh(conv2d(K2, P))
          probs = logsoftmax(W1 dropout(0.5, flatten(P)) + W2 flatten(B) + b)
          loss = nll(probs, y)
          """);

  @ParameterizedTest
  @CsvSource({"FLOAT, SCALAR", "DOUBLE, SCALAR", "FLOAT, VECTOR", "DOUBLE, VECTOR"})
  void lessonNetworksAgreeWithTheInterpreter(Precision precision, Backend backend) {
    List<Network> networks = new ArrayList<>();
    for (String name : List.of("FashionMlp", "Exercise4", "Blocks")) {
      networks.add(Networks.resource(name));
    }
    for (Map.Entry<String, String> extra : new java.util.TreeMap<>(EXTRA).entrySet()) {
      networks.add(Networks.parse(extra.getKey() + ".nabla", extra.getValue()));
    }
    checkAll(networks, precision, backend, 1e-10);
  }

  @ParameterizedTest
  @CsvSource({"FLOAT, SCALAR", "DOUBLE, SCALAR", "FLOAT, VECTOR", "DOUBLE, VECTOR"})
  void twoHundredRandomSpecsAgreeWithTheInterpreter(Precision precision, Backend backend) {
    List<Network> networks = new ArrayList<>();
    for (long seed = 1; seed <= 200; seed++) {
      networks.add(Networks.parse("random" + seed + ".nabla", RandomSpecs.generate(seed)));
    }
    // Random specs cancel: an entry near zero next to large ones carries the rounding of the large
    // ones, so each entry is judged relative to the largest entry of its parameter's gradient
    // (normwise). The fuzzer measured 9.5e-10 at worst over 2,000 specs; a float operation slipping
    // into a double class (a bug found that way) shows as more than 1e-8.
    checkAll(networks, precision, backend, 1e-9);
  }

  /**
   * Specs whose values take the names the generated code uses itself: its locals and parameters ({@code i}, {@code b},
   * {@code max}, {@code logSum}, {@code invN}, {@code lo}, {@code hi}, {@code n}, {@code x}, {@code result}, {@code seed},
   * {@code random}, {@code a}, {@code d}; the grammar refuses {@code sum}, a function's name),
   * the types it refers to ({@code Math}, {@code Arrays}, {@code List}, {@code FloatNetwork}, {@code Override},
   * {@code Float}, {@code Integer}) and its constants ({@code SPEC_HASH}, {@code INFO}), in models named {@code Math}
   * and {@code List}: each compiles with {@code -Xlint:all -Werror} and computes what the interpreter computes.
   */
  static final Map<String, String> USER_NAMES = Map.of(
      "Math", """
          model Math
          input x[4]
          label y : 3
          param i[5, 4] init normal(0, 0.5)
          param b[5] init uniform(-0.1, 0.1)
          param Arrays[3, 5] init xavier
          param List[3] init constant(0.01)
          lo = relu(i x + b)
          hi = tanh(lo) * 2
          result = logsoftmax(Arrays hi + List)
          loss = nll(result, y)
          """,
      "List", """
          model List
          input n[3]
          target x[2]
          param logSum[4, 3] init normal(0, 0.5)
          param max[4]
          param FloatNetwork[2, 4] init kaiming
          param Override[2]
          Math = sigmoid(logSum n + max)
          invN = FloatNetwork Math + Override
          loss = mse(invN, x) + 0.01 * sum(logSum * logSum)
          """,
      "Named", """
          model Named
          input seed[3]
          label random : 2
          param Float[4, 3]
          param Integer[4]
          param SPEC_HASH[2, 4]
          param INFO[2]
          a = exp(0.5 * tanh(Float seed + Integer))
          d = SPEC_HASH a + INFO
          probs = softmax(d)
          loss = cross_entropy(d, random)
          """);

  @ParameterizedTest
  @CsvSource({"FLOAT", "DOUBLE"})
  void specsNamingWhatTheClassUsesAgreeWithTheInterpreter(Precision precision) {
    List<Network> networks = new ArrayList<>();
    for (Map.Entry<String, String> spec : new java.util.TreeMap<>(USER_NAMES).entrySet()) {
      networks.add(Networks.parse(spec.getKey() + ".nabla", spec.getValue()));
    }
    for (Network network : networks) {
      String source = Networks.java(network, precision).toString();
      // No field is renamed for the code's locals or types: the spec's names are the fields' names. Only the class's
      // own constants keep theirs, and a parameter named like one is renamed (SPEC_HASH2).
      for (Node parameter : network.parameters()) {
        String name = Network.leafName(parameter);
        if (List.of("SPEC_HASH", "INFO").contains(name)) {
          assertTrue(source.contains(" " + name + "2 = parameter("), name + " is renamed in " + network.name());
          continue;
        }
        assertTrue(source.contains(" " + name + " = parameter("), name + " keeps its name in " + network.name() + ":\n" + source);
      }
    }
    checkAll(networks, precision, Backend.SCALAR, 1e-10);
  }

  private static void checkAll(List<Network> networks, Precision precision, Backend backend, double doubleTolerance) {
    List<JavaFile> files = new ArrayList<>();
    for (Network network : networks) {
      files.add(Networks.java(network, precision, backend));
    }
    ClassLoader loader = InMemoryCompiler.compile(files);
    List<String> failures = new ArrayList<>();
    for (Network network : networks) {
      try {
        check(network, loader, precision, doubleTolerance);
      } catch (AssertionError | RuntimeException e) {
        failures.add(network.name() + ": " + e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " of " + networks.size() + " networks disagree:\n" + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }
  }

  private static void check(Network network, ClassLoader loader, Precision precision, double doubleTolerance) {
    double tolerance = precision == Precision.DOUBLE ? doubleTolerance : 1e-4;
    double floor = precision == Precision.DOUBLE ? 1e-6 : 1e-3;
    Trainable model = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + "." + network.name(), BATCH, Trainable.class);
    SplittableRandom random = new SplittableRandom(network.name().hashCode());
    model.initialize(11);
    int inputSize = model.info().inputSize();
    float[] x = new float[BATCH * inputSize];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    boolean classes = network.label().isPresent();
    int truthSize = model.info().labelSize();
    int[] labels = new int[BATCH];
    float[] targets = new float[BATCH * truthSize];
    for (int b = 0; b < BATCH; b++) {
      labels[b] = classes ? random.nextInt(truthSize) : 0;
    }
    for (int i = 0; i < targets.length; i++) {
      targets[i] = (float) random.nextDouble(0.05, 0.95);
    }
    double loss = classes ? model.computeGradients(x, labels, BATCH) : model.computeGradients(x, targets, BATCH);

    Gradients gradients = Differentiator.parameters(network);
    Map<Node, double[]> expected = new IdentityHashMap<>();
    double expectedLoss = 0;
    float[] predicted = new float[BATCH * model.info().outputSize()];
    model.predict(x, BATCH, predicted);
    for (int b = 0; b < BATCH; b++) {
      Map<Node, Tensor> leaves = new HashMap<>();
      int offset = 0;
      for (Node input : network.inputs()) {
        int size = (int) input.shape().size();
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
          values[i] = x[b * inputSize + offset + i];
        }
        offset += size;
        leaves.put(input, new Tensor(input.shape(), values));
      }
      for (Node parameter : network.parameters()) {
        leaves.put(parameter, new Tensor(parameter.shape(), model.parameter(Network.leafName(parameter))));
      }
      final int sample = b;
      network.label().ifPresent(label -> leaves.put(label, Interpreter.oneHot(labels[sample], truthSize)));
      network.target().ifPresent(target -> {
        double[] values = new double[truthSize];
        for (int i = 0; i < truthSize; i++) {
          values[i] = targets[sample * truthSize + i];
        }
        leaves.put(target, new Tensor(target.shape(), values));
      });
      List<Node> roots = new ArrayList<>(gradients.byLeaf().values());
      roots.add(network.loss());
      roots.add(network.output());
      Map<Node, Tensor> values = Interpreter.evaluate(roots, leaves);
      expectedLoss += values.get(network.loss()).scalarValue() / BATCH;
      for (Node parameter : network.parameters()) {
        double[] sum = expected.computeIfAbsent(parameter, p -> new double[(int) p.shape().size()]);
        Tensor gradient = values.get(gradients.of(parameter));
        for (int i = 0; i < sum.length; i++) {
          sum[i] += (gradient.size() == 1 ? gradient.get(0) : gradient.get(i)) / BATCH;
        }
      }
      Tensor output = values.get(network.output());
      for (int i = 0; i < output.size(); i++) {
        close(output.get(i), predicted[b * output.size() + i], precision == Precision.DOUBLE ? 1e-6 : 1e-4, floor, "output[" + b + "," + i + "]");
      }
    }
    close(expectedLoss, loss, tolerance, floor, "loss");
    for (Node parameter : network.parameters()) {
      String name = Network.leafName(parameter);
      double[] actual = model.gradient(name);
      double[] wanted = expected.get(parameter);
      assertEquals(wanted.length, actual.length, name);
      double largest = 0;
      for (double value : wanted) {
        largest = Math.max(largest, Math.abs(value));
      }
      double gradientFloor = doubleTolerance > 1e-10 ? Math.max(floor, largest) : floor; // normwise for random specs
      for (int i = 0; i < wanted.length; i++) {
        close(wanted[i], actual[i], tolerance, gradientFloor, "∂C/∂" + name + "[" + i + "]");
      }
    }
  }

  private static void close(double expected, double actual, double tolerance, double floor, String what) {
    double scale = Math.max(Math.max(Math.abs(expected), Math.abs(actual)), floor);
    if (!(Math.abs(expected - actual) <= tolerance * scale)) {
      throw new AssertionError(what + ": generated " + actual + ", interpreter " + expected);
    }
  }

  @Test
  void trainingLowersTheLoss() {
    Network network = Networks.resource("FashionMlp");
    ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(network, Precision.FLOAT)));
    Trainable model = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + ".FashionMlp", 8, Trainable.class);
    model.initialize(1);
    SplittableRandom random = new SplittableRandom(3);
    float[] x = new float[8 * 784];
    int[] labels = new int[8];
    for (int b = 0; b < 8; b++) {
      labels[b] = b % 10;
      for (int i = 0; i < 784; i++) {
        x[b * 784 + i] = (float) random.nextDouble() * (i % 10 == labels[b] ? 1 : 0.1f);
      }
    }
    double first = model.trainStep(x, labels, 8, 0.1f);
    double last = first;
    for (int step = 0; step < 50; step++) {
      last = model.trainStep(x, labels, 8, 0.1f);
    }
    assertTrue(last < first / 2, "loss went from " + first + " to " + last);
  }
}
