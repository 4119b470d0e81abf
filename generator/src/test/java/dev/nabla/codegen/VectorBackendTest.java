package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions.Backend;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.FloatNetwork;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Network;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Generated classes on the runtime's kernels, at batch sizes and widths that run every path of them:
 * whole 4 × 4 tiles, the samples and rows left over, and the tail of a row past its last whole vector.
 */
class VectorBackendTest {
  /**
   * Odd sizes: 45 rows are 11 tiles of 4 and 1 left over; 37 inputs are 2 vectors of 16 (or 4 of 8) and a
   * tail; W2ᵀ δ2 runs over 45 columns, a pair of vectors, one more and a tail.
   */
  private static final String ODD = """
      model Odd
      input  x[37]
      label  y : 6
      param  W1[45, 37]
      param  b1[45]
      param  W2[9, 45]
      param  W3[6, 9]
      h1  = tanh(W1 x + b1)
      h2  = relu(W2 h1)
      loss = cross_entropy(W3 h2, y)
      """;

  /**
   * A wide layer (66 rows, from 64 up) takes the panel tiles: 150 inputs are a chunk of 128 panel rows and
   * one of 22; blocks of 256, of 64 or more (tiles and leftover columns) and narrower ones (dot products).
   */
  private static final String WIDE = """
      model Wide
      input  x[150]
      label  y : 4
      param  W1[66, 150]
      param  b1[66]
      param  W2[4, 66]
      loss = cross_entropy(W2 tanh(W1 x + b1), y)
      """;

  /**
   * The float class against the double class of the same spec, both on the kernels this JVM chose: surefire
   * runs this class with the Vector API kernels and, in its execution {@code scalar-kernels}, with the plain
   * Java ones, so both kernel sets go through generated code at sizes that hit their tiles and remainders.
   */
  @Test
  void floatClassesAgreeWithDoubleClassesAtEveryBatchSize() {
    for (Network network : List.of(Networks.resource("FashionMlp"), Networks.parse("Odd.nabla", ODD), Networks.parse("Wide.nabla", WIDE))) {
      ClassLoader doubles = InMemoryCompiler.compile(List.of(Networks.java(network, Precision.DOUBLE)));
      ClassLoader floats = InMemoryCompiler.compile(List.of(Networks.java(network, Precision.FLOAT)));
      for (int n : new int[] {1, 3, 4, 5, 9, 64, 67, 131, 300}) {
        compare(network.name() + " at batch " + n + " on the " + FloatNetwork.kernels() + " kernels",
            model(doubles, network, n), model(floats, network, n), n);
      }
    }
  }

  /** The kernels in use are the ones the JVM was set up for: {@code -Dnabla.kernels}, else the module. */
  @Test
  void theClassesRunOnTheKernelsThisJvmOffers() {
    String forced = System.getProperty("nabla.kernels");
    String expected = "scalar".equals(forced) || !ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "scalar" : "vector";
    assertEquals(expected, FloatNetwork.kernels());
  }

  /** The backend is a run-time choice: the deprecated option writes the same class for every spec. */
  @Test
  void theBackendOptionNoLongerChangesTheClass() {
    for (Network network : List.of(Networks.resource("Blocks"), Networks.parse("Odd.nabla", ODD), Networks.parse("Wide.nabla", WIDE))) {
      assertEquals(Networks.java(network, Precision.FLOAT, Backend.SCALAR).toString(),
          Networks.java(network, Precision.FLOAT, Backend.VECTOR).toString());
    }
    String wide = Networks.java(Networks.parse("Wide.nabla", WIDE), Precision.FLOAT).toString();
    assertTrue(wide.contains("dense(W1, 66, 150, b1, x, xOffset, 150, lo, hi, "), wide);
  }

  private static Trainable model(ClassLoader loader, Network network, int n) {
    Trainable model = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + "." + network.name(), n, Trainable.class);
    model.initialize(5);
    return model;
  }

  private static void compare(String what, Trainable scalar, Trainable vector, int n) {
    int in = scalar.info().inputSize();
    int classes = scalar.info().labelSize();
    SplittableRandom random = new SplittableRandom(n);
    float[] x = new float[n * in];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    int[] labels = new int[n];
    for (int b = 0; b < n; b++) {
      labels[b] = random.nextInt(classes);
    }
    double expectedLoss = scalar.computeGradients(x, labels, n);
    double loss = vector.computeGradients(x, labels, n);
    assertEquals(expectedLoss, loss, 1e-4 * Math.max(1, Math.abs(expectedLoss)), what + ": loss");
    for (var parameter : scalar.info().parameters()) {
      close(scalar.gradient(parameter.name()), vector.gradient(parameter.name()), what + ": ∂C/∂" + parameter.name());
    }
    int outputs = scalar.info().outputSize();
    double[] expected = new double[n * outputs];
    double[] actual = new double[n * outputs];
    float[] result = new float[n * outputs];
    scalar.predict(x, n, result);
    for (int i = 0; i < result.length; i++) {
      expected[i] = result[i];
    }
    vector.predict(x, n, result);
    for (int i = 0; i < result.length; i++) {
      actual[i] = result[i];
    }
    close(expected, actual, what + ": prediction");
  }

  /** Entry by entry, within float rounding of the largest entry (the float class against the double one). */
  private static void close(double[] expected, double[] actual, String what) {
    double largest = 0;
    for (double e : expected) {
      largest = Math.max(largest, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-4 * largest + 1e-6, what + "[" + i + "]");
    }
  }
}
