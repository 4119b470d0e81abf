package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Network;
import dev.nabla.testing.RandomSpecs;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The batch-level kernels (blocks of 64 samples, tiles of 4) give, for every batch size, the mean of
 * the gradients of the samples taken one at a time, which run only the kernels' remainder paths.
 */
class BatchKernelTest {

  @ParameterizedTest
  @EnumSource(CodegenOptions.Backend.class)
  void everyBatchSizeAgreesWithOneSampleAtATime(CodegenOptions.Backend backend) {
    List<Network> networks = new ArrayList<>();
    networks.add(Networks.resource("FashionMlp"));
    networks.add(Networks.resource("Blocks"));
    for (long seed = 1; seed <= 12; seed++) {
      networks.add(Networks.parse("random" + seed + ".nabla", RandomSpecs.generate(seed)));
    }
    List<com.palantir.javapoet.JavaFile> files = new ArrayList<>();
    for (Network network : networks) {
      files.add(Networks.java(network, Precision.DOUBLE, backend));
    }
    ClassLoader loader = InMemoryCompiler.compile(files);
    for (Network network : networks) {
      for (int n : new int[] {4, 5, 9, 64, 67, 131}) {
        check(loader, network, n);
      }
    }
  }

  private static void check(ClassLoader loader, Network network, int n) {
    String name = Networks.PACKAGE + "." + network.name();
    Trainable batch = InMemoryCompiler.instantiate(loader, name, n, Trainable.class);
    Trainable single = InMemoryCompiler.instantiate(loader, name, 1, Trainable.class);
    batch.initialize(3);
    single.initialize(3);
    int in = batch.info().inputSize();
    int truth = batch.info().labelSize();
    boolean classes = network.label().isPresent();
    SplittableRandom random = new SplittableRandom(n);
    float[] x = new float[n * in];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    int[] labels = new int[n];
    float[] targets = new float[n * truth];
    for (int b = 0; b < n; b++) {
      labels[b] = classes ? random.nextInt(truth) : 0;
    }
    for (int i = 0; i < targets.length; i++) {
      targets[i] = (float) random.nextDouble(0.05, 0.95);
    }
    double loss = classes ? batch.computeGradients(x, labels, n) : batch.computeGradients(x, targets, n);
    double expectedLoss = 0;
    List<double[]> expected = new ArrayList<>();
    for (var parameter : batch.info().parameters()) {
      expected.add(new double[batch.parameter(parameter.name()).length]);
    }
    for (int b = 0; b < n; b++) {
      float[] xs = java.util.Arrays.copyOfRange(x, b * in, (b + 1) * in);
      expectedLoss += (classes ? single.computeGradients(xs, new int[] {labels[b]}, 1)
          : single.computeGradients(xs, java.util.Arrays.copyOfRange(targets, b * truth, (b + 1) * truth), 1)) / n;
      for (int p = 0; p < expected.size(); p++) {
        double[] g = single.gradient(batch.info().parameters().get(p).name());
        for (int i = 0; i < g.length; i++) {
          expected.get(p)[i] += g[i] / n;
        }
      }
    }
    String what = network.name() + " at batch " + n;
    assertEquals(expectedLoss, loss, 1e-9 * Math.max(1, Math.abs(expectedLoss)), what + ": loss");
    for (int p = 0; p < expected.size(); p++) {
      String parameter = batch.info().parameters().get(p).name();
      double[] actual = batch.gradient(parameter);
      double[] wanted = expected.get(p);
      for (int i = 0; i < wanted.length; i++) {
        assertEquals(wanted[i], actual[i], 1e-9 * Math.max(1, Math.abs(wanted[i])), what + ": ∂C/∂" + parameter + "[" + i + "]");
      }
    }
  }
}
