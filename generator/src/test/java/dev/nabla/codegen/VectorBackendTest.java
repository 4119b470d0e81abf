package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions.Backend;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Network;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector backend's float classes compute what the scalar backend's compute, to float rounding, at
 * batch sizes that run every path of its kernels: whole 4 × 4 tiles, the samples and rows left over,
 * and the tail of a row past its last whole vector.
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

  @Test
  void floatClassesAgreeWithTheScalarBackendAtEveryBatchSize() {
    for (Network network : List.of(Networks.resource("FashionMlp"), Networks.parse("Odd.nabla", ODD), Networks.parse("Wide.nabla", WIDE))) {
      ClassLoader scalar = InMemoryCompiler.compile(List.of(Networks.java(network, Precision.FLOAT, Backend.SCALAR)));
      ClassLoader vector = InMemoryCompiler.compile(List.of(Networks.java(network, Precision.FLOAT, Backend.VECTOR)));
      for (int n : new int[] {1, 3, 4, 5, 9, 64, 67, 131, 300}) {
        compare(network.name() + " at batch " + n, model(scalar, network, n), model(vector, network, n), n);
      }
    }
  }

  /**
   * Random specs (every activation, values used twice, transposes, reductions, each loss) with widths of
   * 8 to 70, where the vector kernels take over: in double precision the two backends differ only in the
   * order of their sums, so they agree to 1e-9 normwise.
   */
  @Test
  void wideRandomSpecsAgreeWithTheScalarBackendInDouble() {
    List<Network> networks = new java.util.ArrayList<>();
    for (long seed = 1; seed <= 40; seed++) {
      networks.add(Networks.parse("wide" + seed + ".nabla", dev.nabla.testing.RandomSpecs.generate(seed, 8, 70)));
    }
    List<com.palantir.javapoet.JavaFile> scalarFiles = new java.util.ArrayList<>();
    List<com.palantir.javapoet.JavaFile> vectorFiles = new java.util.ArrayList<>();
    for (Network network : networks) {
      scalarFiles.add(Networks.java(network, Precision.DOUBLE, Backend.SCALAR));
      vectorFiles.add(Networks.java(network, Precision.DOUBLE, Backend.VECTOR));
    }
    assertTrue(vectorFiles.stream().filter(f -> f.toString().contains("rowsTimesSamples(")).count() >= 30,
        "most wide specs should reach the vector kernels");
    ClassLoader scalar = InMemoryCompiler.compile(scalarFiles);
    ClassLoader vector = InMemoryCompiler.compile(vectorFiles);
    for (Network network : networks) {
      for (int n : new int[] {5, 67}) {
        compareDouble(network.name() + " at batch " + n, model(scalar, network, n), model(vector, network, n), n, network);
      }
    }
  }

  private static void compareDouble(String what, Trainable scalar, Trainable vector, int n, Network network) {
    int in = scalar.info().inputSize();
    int truth = scalar.info().labelSize();
    SplittableRandom random = new SplittableRandom(n * 7L + what.hashCode());
    float[] x = new float[n * in];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    double expected;
    double actual;
    if (network.label().isPresent()) {
      int[] labels = new int[n];
      for (int b = 0; b < n; b++) {
        labels[b] = random.nextInt(truth);
      }
      expected = scalar.computeGradients(x, labels, n);
      actual = vector.computeGradients(x, labels, n);
    } else {
      float[] targets = new float[n * truth];
      for (int i = 0; i < targets.length; i++) {
        targets[i] = (float) random.nextDouble(0.05, 0.95);
      }
      expected = scalar.computeGradients(x, targets, n);
      actual = vector.computeGradients(x, targets, n);
    }
    assertEquals(expected, actual, 1e-9 * Math.max(1, Math.abs(expected)), what + ": loss");
    for (var parameter : scalar.info().parameters()) {
      double[] wanted = scalar.gradient(parameter.name());
      double[] got = vector.gradient(parameter.name());
      double largest = 0;
      double worst = 0;
      for (int i = 0; i < wanted.length; i++) {
        largest = Math.max(largest, Math.abs(wanted[i]));
        worst = Math.max(worst, Math.abs(wanted[i] - got[i]));
      }
      assertTrue(worst <= 1e-9 * Math.max(largest, 1e-12), what + ": ∂C/∂" + parameter.name() + " off by " + worst + " of " + largest);
    }
  }

  @Test
  void aWideLayerTakesThePanelTilesAndANarrowOneTheDotProducts() {
    String wide = Networks.java(Networks.parse("Wide.nabla", WIDE), Precision.FLOAT, Backend.VECTOR).toString();
    assertTrue(wide.contains("rowsTimesPanelTiles(W1, 66, 150, panel, blockSize, blockSums);"), wide);
    String narrow = Networks.java(Networks.resource("FashionMlp"), Precision.FLOAT, Backend.VECTOR).toString();
    assertTrue(narrow.contains("rowsTimesSamples(W1, 20, 784, x, 0, 784, blockStart, blockSize, blockSums);"), narrow);
    assertTrue(!narrow.contains("rowsTimesPanelTiles"), narrow);
  }

  /** Blocks' rows are 4 and 5 wide, below what the vector kernels take: the vector backend writes the scalar class. */
  @Test
  void aSpecTooNarrowForTheVectorKernelsGetsTheScalarClass() {
    Network network = Networks.resource("Blocks");
    assertEquals(Networks.java(network, Precision.FLOAT, Backend.SCALAR).toString(),
        Networks.java(network, Precision.FLOAT, Backend.VECTOR).toString());
  }

  @Test
  void theVectorClassImportsTheVectorApiAndTheScalarClassDoesNot() {
    Network network = Networks.resource("FashionMlp");
    assertTrue(Networks.java(network, Precision.FLOAT, Backend.VECTOR).toString().contains("FloatVector.fromArray("));
    assertTrue(!Networks.java(network, Precision.FLOAT, Backend.SCALAR).toString().contains("jdk.incubator.vector"));
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
    assertEquals(expectedLoss, loss, 1e-5 * Math.max(1, Math.abs(expectedLoss)), what + ": loss");
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

  /** Entry by entry, within float rounding of the largest entry (sums taken in another order). */
  private static void close(double[] expected, double[] actual, String what) {
    double largest = 0;
    for (double e : expected) {
      largest = Math.max(largest, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * largest + 1e-7, what + "[" + i + "]");
    }
  }
}
