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
import dev.nabla.symbolic.Numbers;
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
        "finite differences, on a random minibatch. Prints the worst error per parameter, relative to the largest",
        "entry of that gradient, or where that is tiny to what the precision (or a central difference) can resolve;",
        "exits 1 above the tolerance, or when the loss is not a number at the random point."},
    footer = {"", "Examples:", "  nabla check examples/fashion_mlp.nabla", "  nabla check examples/block_graph.nabla --batch 8 --seed 3",
        "  nabla check examples/fashion_mlp.nabla --batch 64"})
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

  @Option(names = "--backend", paramLabel = "scalar|vector",
      description = "Deprecated: the runtime chooses its kernels when the model runs (the Vector API ones when the JVM has"
          + " jdk.incubator.vector, as ./nabla gives it). scalar or vector forces one set for this run, as -Dnabla.kernels does.")
  String backend;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (batch < 1 || coordinates < 1 || !(tolerance > 0)) {
      throw UserError.badInput("--batch and --coordinates must be at least 1 and --tolerance positive");
    }
    Network network = Networks.requirePrediction(Networks.fromSpec(NetworkSource.read(file)));
    CodegenOptions.Backend kernels = CompiledModels.backend(backend);
    Trainable exact = CompiledModels.compile(network, CodegenOptions.Precision.DOUBLE, kernels, batch, Trainable.class);
    Trainable single = CompiledModels.compile(network, CodegenOptions.Precision.FLOAT, kernels, batch, Trainable.class);
    return check(network, exact, single);
  }

  /** The check of {@code network}'s generated classes, in double and float (a test may hand in altered ones). */
  int check(Network network, Trainable exact, Trainable single) {
    Gradients gradients = Differentiator.parameters(network);
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
    if (!Double.isFinite(reference.loss())) {
      // Nothing can be compared where the loss itself is not a number: say where it stops being one.
      out.println("FAILED: the loss is " + reference.loss() + " at the random point, so no gradient can be checked: "
          + firstNonFinite(network, parameters, samples.get(0)) + "; try another --seed, or keep logs and divisions away from 0");
      out.flush();
      return Nabla.FAILURE;
    }
    out.printf(Locale.ROOT, "%-12s %-10s %18s %18s %22s%n", "parameter", "shape", "generated double", "generated float", "finite differences");
    boolean passed = Math.abs(exactLoss - reference.loss()) <= tolerance * Math.max(1, Math.abs(reference.loss()));
    double largest = 0;
    for (Node parameter : network.parameters()) {
      largest = Math.max(largest, maxAbs(reference.gradients().get(parameter).data()));
    }
    for (Node parameter : network.parameters()) {
      String name = Network.leafName(parameter);
      Tensor expected = reference.gradients().get(parameter);
      double doubleError = error(expected.data(), exact.gradient(name), ROUNDING * DOUBLE_EPSILON * largest / tolerance);
      double floatError = error(expected.data(), single.gradient(name), ROUNDING * FLOAT_EPSILON * largest / FLOAT_TOLERANCE);
      double numericError = finiteDifferenceError(gradients, parameters, samples, parameter, expected, random);
      boolean ok = doubleError <= tolerance && floatError <= FLOAT_TOLERANCE && numericError <= Math.max(tolerance, 1e-5);
      passed &= ok;
      out.printf(Locale.ROOT, "%-12s %-10s %18.2e %18.2e %22.2e%s%n", name, parameter.shape(), doubleError, floatError, numericError, ok ? "" : "  FAILED");
    }
    if (kinksSkipped > 0) {
      out.println("finite differences: " + kinksSkipped + (kinksSkipped == 1 ? " coordinate" : " coordinates")
          + " left out, where the step crosses a kink (a ReLU or a max pooling switching)");
    }
    out.println(passed
        ? "ok: every gradient within tolerance (double " + Numbers.format(tolerance) + ", float " + Numbers.format(FLOAT_TOLERANCE)
            + ", finite differences " + Numbers.format(Math.max(tolerance, 1e-5)) + ")"
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

  /**
   * Central differences of the interpreter's mean loss at a few random coordinates, measured as
   * {@link #error}: against the gradient's largest entry, or, where the gradient is smaller than a
   * central difference can resolve, against that resolution. The step is the cube root of the
   * rounding unit on the coordinate's scale (it balances the truncation error, h², against the
   * rounding, ε/h), and the resolution is the rounding of the two losses divided by the step: so
   * an exactly zero gradient, or one of 1e-7 deep in a chain of tanh, is right when it is right,
   * and a gradient wrong by more than what a difference can see is still wrong.
   */
  private double finiteDifferenceError(Gradients gradients, Map<Node, Tensor> parameters, List<PointEvaluation.Sample> samples,
      Node parameter, Tensor expected, SplittableRandom random) {
    Gradients lossOnly = Differentiator.derive(gradients.network(), gradients.network().loss(), List.of());
    Tensor at = parameters.get(parameter);
    double base = PointEvaluation.evaluate(lossOnly, parameters, samples).loss();
    double[] numeric = new double[at.size()];
    double[] analytic = new double[at.size()];
    double resolution = 0;
    double largest = maxAbs(expected.data());
    for (int k = 0; k < Math.min(coordinates, at.size()); k++) {
      int i = random.nextInt(at.size());
      double step = Math.cbrt(DOUBLE_EPSILON) * Math.max(1, Math.abs(at.get(i)));
      double[] wide = differences(lossOnly, parameters, samples, parameter, i, step, base);
      double[] narrow = differences(lossOnly, parameters, samples, parameter, i, step / 2, base);
      double noise = ROUNDING * DOUBLE_EPSILON * Math.max(Math.abs(base), 1e-300) / step;
      if (straddlesKink(wide, narrow, noise, 0.1 * Math.max(tolerance, 1e-5) * largest)) {
        kinksSkipped++; // a ReLU or a max pooling switches inside the step: the difference is no slope there
        continue;
      }
      numeric[i] = wide[0];
      analytic[i] = expected.get(i);
      resolution = Math.max(resolution, noise);
    }
    double scale = Math.max(maxAbs(expected.data()), resolution / Math.max(tolerance, 1e-5));
    double worst = 0;
    for (int i = 0; i < numeric.length; i++) {
      worst = Math.max(worst, scale == 0 ? Math.abs(numeric[i] - analytic[i]) : Math.abs(numeric[i] - analytic[i]) / scale);
    }
    return Double.isNaN(worst) ? Double.POSITIVE_INFINITY : worst;
  }

  /** Steps that crossed a kink of the loss, left out of the finite-difference column. */
  private int kinksSkipped;

  /**
   * The central difference of the loss at coordinate {@code i} with step {@code step}, then the forward and the
   * backward slope: {@code {central, forward, backward}}.
   */
  private static double[] differences(Gradients lossOnly, Map<Node, Tensor> parameters, List<PointEvaluation.Sample> samples,
      Node parameter, int i, double step, double base) {
    Tensor at = parameters.get(parameter);
    double[] plus = at.data().clone();
    double[] minus = at.data().clone();
    plus[i] += step;
    minus[i] -= step;
    Map<Node, Tensor> shifted = new IdentityHashMap<>(parameters);
    shifted.put(parameter, new Tensor(at.shape(), plus));
    double up = PointEvaluation.evaluate(lossOnly, shifted, samples).loss();
    shifted.put(parameter, new Tensor(at.shape(), minus));
    double down = PointEvaluation.evaluate(lossOnly, shifted, samples).loss();
    return new double[] {(up - down) / (plus[i] - minus[i]), (up - base) / (plus[i] - at.get(i)), (base - down) / (at.get(i) - minus[i])};
  }

  /**
   * Whether the steps cross a kink. On a smooth loss the central differences at {@code h} and {@code h/2} agree to
   * their truncation, a few {@code h²·f‴} (about 1e-11 of the slope here), and the gap between the forward and the
   * backward slope, about {@code h·f″}, halves with the step; a kink (a ReLU or a max pooling switching) inside
   * {@code h} moves the wide difference by a share of the slope's jump, and inside {@code h/2} keeps the gap whatever
   * the step. {@code allowed} is the disagreement that would still pass: a tenth of the tolerance.
   */
  private static boolean straddlesKink(double[] wide, double[] narrow, double noise, double allowed) {
    if (Math.abs(wide[0] - narrow[0]) > allowed + 4 * noise) {
      return true;
    }
    return Math.abs(narrow[1] - narrow[2]) > 0.6 * Math.abs(wide[1] - wide[2]) + 4 * noise + allowed;
  }

  /** Units of rounding a computed value may carry: the loss and the gradients are sums of many rounded terms. */
  private static final double ROUNDING = 64;
  private static final double DOUBLE_EPSILON = Math.ulp(1.0);
  private static final double FLOAT_EPSILON = Math.ulp(1.0f);

  /**
   * max |a − b| over the entries, relative to the largest entry of the reference gradient, or to
   * {@code floor} when that is larger: the rounding of the precision on the scale of the largest
   * gradient entry of the whole network (divided by the tolerance, so that a difference within that
   * rounding passes). A zero gradient computed as 1e-9 in float is then right, and one computed as 0
   * where the true value is well above the rounding is wrong.
   */
  private static double error(double[] expected, double[] actual, double floor) {
    double scale = Math.max(maxAbs(expected), floor);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double difference = Math.abs(expected[i] - actual[i]);
      worst = Math.max(worst, scale == 0 ? difference : difference / scale);
    }
    return Double.isNaN(worst) ? Double.POSITIVE_INFINITY : worst;
  }

  /** Where the first value of the forward pass stops being a number, as "Z1 = … at 5:8 is NaN". */
  private static String firstNonFinite(Network network, Map<Node, Tensor> parameters, PointEvaluation.Sample sample) {
    Map<Node, Tensor> leaves = new IdentityHashMap<>(parameters);
    leaves.putAll(sample.leaves());
    Map<Node, Tensor> values = Interpreter.evaluate(List.of(network.loss()), leaves);
    for (Node node : Differentiator.reachable(network.loss())) {
      Tensor value = values.get(node);
      for (int i = 0; value != null && i < value.size(); i++) {
        if (!Double.isFinite(value.get(i))) {
          String name = network.names().containsKey(node) ? network.names().get(node) + " " : "";
          String where = node.span().isKnown() ? " at " + node.span().line() + ":" + node.span().column() : "";
          return "the first value that is not a number is " + name + "(" + node.op() + where + "), " + value.get(i)
              + (node.isLeaf() ? "" : ", of operands " + node.inputs().stream().map(input -> describe(values.get(input))).toList());
        }
      }
    }
    return "every value of the forward pass is finite, but the loss is not";
  }

  private static String describe(Tensor value) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < value.size(); i++) {
      min = Math.min(min, value.get(i));
      max = Math.max(max, value.get(i));
    }
    return value.size() == 1 ? String.format(Locale.ROOT, "%.4g", min) : String.format(Locale.ROOT, "in [%.4g, %.4g]", min, max);
  }

  private static double maxAbs(double[] values) {
    double max = 0;
    for (double value : values) {
      max = Math.max(max, Math.abs(value));
    }
    return max;
  }
}
