package dev.nabla.cli;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.interpret.Interpreter;
import dev.nabla.interpret.PointEvaluation;
import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla check}: the generated code's gradients against the interpreter's, and the
 * interpreter's against finite differences, on a random minibatch.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Check the generated gradients against the interpreter and finite differences.",
        "The generated class (double and float) against the interpreter, and the interpreter against central",
        "finite differences, on a random minibatch. Prints the worst relative error per parameter (relative to",
        "the largest entry of that gradient); exits 1 above the tolerance."},
    footer = {"", "Examples:", "  nabla check examples/fashion_mlp.nabla", "  nabla check examples/block_graph.nabla --batch 8 --seed 3",
        "  nabla check examples/fashion_mlp.nabla --backend vector --batch 64"})
final class CheckCommand implements Callable<Integer> {
  private static final double FLOAT_TOLERANCE = 1e-3;

  @Parameters(paramLabel = "FILE", description = "A .nabla spec file.")
  String file;

  @Option(names = "--batch", defaultValue = "4", description = "Samples in the random minibatch. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--seed", defaultValue = "1", description = "Seeds the parameters and the samples. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--tolerance", defaultValue = "1e-6", description = "Largest relative error accepted in double precision. Default: ${DEFAULT-VALUE}.")
  double tolerance;

  @Option(names = "--coordinates", defaultValue = "6", description = "Finite-difference coordinates per parameter. Default: ${DEFAULT-VALUE}.")
  int coordinates;

  @Option(names = "--backend", defaultValue = "scalar", paramLabel = "scalar|vector",
      description = "Which generated kernels to check: plain Java (scalar) or the Vector API (vector; ./nabla adds the module). Default: ${DEFAULT-VALUE}.")
  String backend;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (batch < 1 || coordinates < 1 || !(tolerance > 0)) {
      throw UserError.badInput("--batch and --coordinates must be at least 1 and --tolerance positive");
    }
    Network network = Networks.requireSizes(Networks.fromSpec(NetworkSource.read(file)));
    Gradients gradients = Differentiator.parameters(network);
    CodegenOptions.Backend kernels = CompiledModels.backend(backend);
    Trainable exact = CompiledModels.compile(network, CodegenOptions.Precision.DOUBLE, kernels, batch, Trainable.class);
    Trainable single = CompiledModels.compile(network, CodegenOptions.Precision.FLOAT, kernels, batch, Trainable.class);
    exact.initialize(seed);
    SplittableRandom random = new SplittableRandom(seed);
    ModelInfo info = exact.info();
    float[] x = new float[batch * info.inputSize()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    int[] labels = new int[batch];
    float[] targets = new float[batch * Math.max(1, info.labelSize())];
    boolean classes = info.labels() == ModelInfo.Labels.CLASSES;
    for (int i = 0; i < batch; i++) {
      labels[i] = random.nextInt(Math.max(1, info.labelSize()));
    }
    for (int i = 0; i < targets.length; i++) {
      targets[i] = (float) random.nextDouble();
    }
    for (ModelInfo.Parameter parameter : info.parameters()) {
      single.setParameter(parameter.name(), exact.parameter(parameter.name()));
    }
    double exactLoss = classes ? exact.computeGradients(x, labels, batch) : exact.computeGradients(x, targets, batch);
    double singleLoss = classes ? single.computeGradients(x, labels, batch) : single.computeGradients(x, targets, batch);

    Map<Node, Tensor> parameters = new IdentityHashMap<>();
    for (Node parameter : network.parameters()) {
      parameters.put(parameter, new Tensor(parameter.shape(), exact.parameter(Network.leafName(parameter))));
    }
    List<PointEvaluation.Sample> samples = samples(network, x, labels, targets, batch);
    PointEvaluation.Result reference = PointEvaluation.evaluate(gradients, parameters, samples);

    var out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%s: %d samples, seed %d; loss: interpreter %.12g, generated double %.12g, float %.8g%n",
        network.name(), batch, seed, reference.loss(), exactLoss, singleLoss);
    out.printf(Locale.ROOT, "%-12s %-10s %18s %18s %22s%n", "parameter", "shape", "generated double", "generated float", "finite differences");
    boolean passed = Math.abs(exactLoss - reference.loss()) <= tolerance * Math.max(1, Math.abs(reference.loss()));
    for (Node parameter : network.parameters()) {
      String name = Network.leafName(parameter);
      Tensor expected = reference.gradients().get(parameter);
      double doubleError = error(expected.data(), exact.gradient(name));
      double floatError = error(expected.data(), single.gradient(name));
      double numericError = finiteDifferenceError(gradients, parameters, samples, parameter, expected, random);
      boolean ok = doubleError <= tolerance && floatError <= FLOAT_TOLERANCE && numericError <= Math.max(tolerance, 1e-5);
      passed &= ok;
      out.printf(Locale.ROOT, "%-12s %-10s %18.2e %18.2e %22.2e%s%n", name, parameter.shape(), doubleError, floatError, numericError, ok ? "" : "  FAILED");
    }
    out.println(passed
        ? "ok: every gradient within tolerance (double " + tolerance + ", float " + FLOAT_TOLERANCE + ", finite differences " + Math.max(tolerance, 1e-5) + ")"
        : "FAILED: a gradient is off by more than the tolerance");
    out.flush();
    return passed ? Nabla.OK : Nabla.FAILURE;
  }

  /** Each sample's leaves, cut from the flat batch arrays the generated class takes. */
  private static List<PointEvaluation.Sample> samples(Network network, float[] x, int[] labels, float[] targets, int batch) {
    List<PointEvaluation.Sample> samples = new ArrayList<>();
    int inputSize = network.inputs().stream().mapToInt(input -> (int) input.shape().size()).sum();
    for (int b = 0; b < batch; b++) {
      Map<Node, Tensor> leaves = new IdentityHashMap<>();
      int offset = b * inputSize;
      for (Node input : network.inputs()) {
        int size = (int) input.shape().size();
        leaves.put(input, tensor(input.shape(), x, offset, size));
        offset += size;
      }
      final int row = b;
      network.label().ifPresent(label -> leaves.put(label, Interpreter.oneHot(labels[row], (int) label.shape().size())));
      network.target().ifPresent(target -> leaves.put(target,
          tensor(target.shape(), targets, row * (int) target.shape().size(), (int) target.shape().size())));
      samples.add(new PointEvaluation.Sample(leaves));
    }
    return samples;
  }

  private static Tensor tensor(Shape shape, float[] values, int offset, int size) {
    double[] data = new double[size];
    for (int i = 0; i < size; i++) {
      data[i] = values[offset + i];
    }
    return new Tensor(shape, data);
  }

  /** Central differences of the interpreter's mean loss at a few random coordinates. */
  private double finiteDifferenceError(Gradients gradients, Map<Node, Tensor> parameters, List<PointEvaluation.Sample> samples,
      Node parameter, Tensor expected, SplittableRandom random) {
    Gradients lossOnly = Differentiator.derive(gradients.network(), gradients.network().loss(), List.of());
    Tensor at = parameters.get(parameter);
    double scale = Math.max(maxAbs(expected.data()), 1e-8);
    double worst = 0;
    double step = 1e-6;
    for (int k = 0; k < Math.min(coordinates, at.size()); k++) {
      int i = random.nextInt(at.size());
      double[] plus = at.data().clone();
      plus[i] += step;
      double[] minus = at.data().clone();
      minus[i] -= step;
      Map<Node, Tensor> shifted = new IdentityHashMap<>(parameters);
      shifted.put(parameter, new Tensor(at.shape(), plus));
      double up = PointEvaluation.evaluate(lossOnly, shifted, samples).loss();
      shifted.put(parameter, new Tensor(at.shape(), minus));
      double down = PointEvaluation.evaluate(lossOnly, shifted, samples).loss();
      worst = Math.max(worst, Math.abs((up - down) / (2 * step) - expected.get(i)) / scale);
    }
    return worst;
  }

  /** max |a − b| over the entries, relative to the largest entry of the reference gradient. */
  private static double error(double[] expected, double[] actual) {
    double scale = Math.max(maxAbs(expected), 1e-8);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / scale);
    }
    return worst;
  }

  private static double maxAbs(double[] values) {
    double max = 0;
    for (double value : values) {
      max = Math.max(max, Math.abs(value));
    }
    return max;
  }
}
