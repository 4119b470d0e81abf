package dev.nabla.fuzz;

import com.palantir.javapoet.JavaFile;
import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.CodegenOptions.Backend;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.codegen.InMemoryCompiler;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.interpret.Interpreter;
import dev.nabla.interpret.PointEvaluation;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Tensor;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The differential check of the whole pipeline: parse → lower → derive → generate (double and
 * float) → compile → run, against the interpreter (the reference) and the interpreter against
 * central finite differences.
 *
 * <p>Gradients are compared normwise per parameter: {@code max_i |a_i − b_i| / max(max_i |a_i|,
 * 1e-12)}, {@code a} the interpreter's. Generated double code must agree to {@value #DOUBLE_TOLERANCE},
 * generated float code to {@value #FLOAT_TOLERANCE}. Finite differences are taken at a few
 * coordinates of each parameter; a coordinate whose ±h moves any relu or step input across 0 is
 * skipped (the difference quotient then straddles a kink).
 */
public final class Differential {
  private Differential() {}

  public static final double DOUBLE_TOLERANCE = 1e-9;
  public static final double FLOAT_TOLERANCE = 1e-3;
  public static final double FD_TOLERANCE = 1e-5;
  static final double FD_STEP = 1e-6;
  private static final int MAX_BATCH = 3;
  private static final int SPECS_PER_JAVAC_RUN = 250;
  /**
   * The generated classes every spec is checked in: both precisions. The kernel set is the runtime's choice
   * when the class runs; surefire runs this fuzzer once on the Vector API kernels and once on the plain Java
   * ones (the execution scalar-kernels), so each class is checked on both.
   */
  private enum Variant {
    DOUBLE(Precision.DOUBLE, Backend.SCALAR, "dev.nabla.fuzzgen.d", "double"),
    FLOAT(Precision.FLOAT, Backend.SCALAR, "dev.nabla.fuzzgen.f", "float");

    final Precision precision;
    final Backend backend;
    final String packageName;
    final String label;

    Variant(Precision precision, Backend backend, String packageName, String label) {
      this.precision = precision;
      this.backend = backend;
      this.packageName = packageName;
      this.label = label;
    }

    CodegenOptions options() {
      return new CodegenOptions(packageName, precision, false, backend);
    }
  }

  /**
   * A spec to check; {@code name} is for messages (and is the file name).
   *
   * @param batch the samples of the check (the generated class is made for that many), or 0 for 2–3
   * @param commands which commands to run it through as well ({@link CommandPaths})
   */
  public record Case(String name, String text, int batch, Commands commands) {
    public Case(String name, String text) {
      this(name, text, 0, Commands.NONE);
    }

    int maxBatch() {
      return batch > 0 ? batch : MAX_BATCH;
    }
  }

  /**
   * What one spec's check found.
   *
   * @param problems what disagreed, empty when all agreed
   * @param doubleError the worst normwise error of the generated double gradients
   * @param floatError the worst normwise error of the generated float gradients
   * @param fdError the worst error of the interpreter against finite differences
   * @param fdChecked coordinates compared with finite differences
   * @param fdSkipped coordinates skipped because ±h crosses a kink
   */
  public record Outcome(Case spec, List<String> problems, double doubleError, double floatError, double fdError,
      int fdChecked, int fdSkipped) {
    public boolean failed() {
      return !problems.isEmpty();
    }

    public String describe() {
      return spec.name() + ":\n  " + String.join("\n  ", problems) + "\n--- spec ---\n" + spec.text();
    }
  }

  /**
   * What kind of disagreement a problem is, for the shrinker to keep: "double gradient", "float
   * loss", "finite differences", "compile", ... without the names and numbers.
   */
  public static String kind(String problem) {
    String precision = "";
    for (Variant variant : Variant.values()) {
      if (problem.startsWith(variant.label + " ") && variant.label.length() >= precision.length()) {
        precision = variant.label + " ";
      }
    }
    if (problem.contains("central differences")) {
      return "finite differences";
    } else if (problem.contains("∂C/∂")) {
      return precision + "gradient";
    } else if (problem.contains("loss")) {
      return precision + "loss";
    } else if (problem.contains("predict")) {
      return precision + "predict";
    } else if (problem.contains("does not compile")) {
      return "compile";
    }
    return problem.length() > 30 ? problem.substring(0, 30) : problem;
  }

  /** Which of the CLI's commands a spec also goes through. */
  public enum Commands {
    NONE,
    /** derive (every format), explain, graph, grad: the ones that compile nothing. */
    PRINTING,
    /** and check, generate --with-tests and show. */
    ALL
  }

  /** A spec lowered, derived and written as Java, ready to compile. */
  private record Prepared(Case spec, Network network, Gradients gradients) {}

  /** The network of a spec, or a {@link DiagnosticException} when it is not valid. */
  public static Network network(Case spec) {
    return Networks.fromSpec(new SourceFile(spec.name(), spec.text()));
  }

  /** Whether the spec parses and lowers (the shrinker's notion of a valid candidate). */
  public static boolean valid(String text) {
    try {
      Networks.fromSpec(new SourceFile("candidate.nabla", text));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Checks every spec, compiling them in as few javac runs as possible; the seed picks the samples. */
  public static List<Outcome> check(List<Case> specs, long seed) {
    List<Outcome> outcomes = new ArrayList<>();
    for (int from = 0; from < specs.size(); from += SPECS_PER_JAVAC_RUN) {
      List<Case> chunk = specs.subList(from, Math.min(specs.size(), from + SPECS_PER_JAVAC_RUN));
      List<Prepared> prepared = new ArrayList<>();
      List<JavaFile> files = new ArrayList<>();
      for (Case spec : chunk) {
        try {
          Network network = network(spec);
          Gradients gradients = Differentiator.parameters(network);
          for (Variant variant : Variant.values()) {
            files.add(JavaWriter.write(network, gradients, variant.options()));
          }
          prepared.add(new Prepared(spec, network, gradients));
        } catch (DiagnosticException e) {
          outcomes.add(failure(spec, "not a valid spec: " + e.formatted()));
        } catch (RuntimeException e) {
          outcomes.add(failure(spec, "the pipeline threw before compiling: " + e));
        }
      }
      ClassLoader loader;
      try {
        loader = InMemoryCompiler.compile(files);
      } catch (IllegalStateException e) {
        if (prepared.size() == 1) {
          outcomes.add(failure(prepared.get(0).spec(), e.getMessage()));
          continue;
        }
        // find the culprits one by one
        for (Prepared p : prepared) {
          outcomes.addAll(check(List.of(p.spec()), seed));
        }
        continue;
      }
      for (Prepared p : prepared) {
        try {
          outcomes.add(check(p, loader, seed));
        } catch (RuntimeException e) {
          outcomes.add(failure(p.spec(), "checking threw " + e));
        }
      }
    }
    return outcomes;
  }

  public static Outcome check(Case spec, long seed) {
    return check(List.of(spec), seed).get(0);
  }

  private static Outcome failure(Case spec, String problem) {
    return new Outcome(spec, List.of(problem), Double.NaN, Double.NaN, Double.NaN, 0, 0);
  }

  /** The values of one check: parameters, and a batch of inputs with labels or targets. */
  static final class Point {
    final Network network;
    final int n;
    final int inputSize;
    final int truthSize;
    final float[] x;
    final int[] labels;
    final float[] targets;
    final Map<Node, Tensor> parameters = new IdentityHashMap<>();

    Point(Network network, SplittableRandom random, int batch) {
      this.network = network;
      this.n = batch > 0 ? batch : 2 + random.nextInt(MAX_BATCH - 1);
      int size = 0;
      for (Node input : network.inputs()) {
        size += (int) input.shape().size();
      }
      this.inputSize = size;
      this.truthSize = network.label().map(l -> (int) l.shape().size())
          .orElseGet(() -> network.target().map(t -> (int) t.shape().size()).orElse(0));
      // float-representable values, so that the float and double classes and the interpreter see the same numbers
      for (Node parameter : network.parameters()) {
        double[] values = new double[(int) parameter.shape().size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) random.nextDouble(-0.7, 0.7);
        }
        parameters.put(parameter, new Tensor(parameter.shape(), values));
      }
      x = new float[n * inputSize];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextDouble(-1, 1);
      }
      labels = new int[n];
      targets = new float[n * truthSize];
      for (int b = 0; b < n; b++) {
        labels[b] = network.label().isPresent() ? random.nextInt(truthSize) : 0;
      }
      for (int i = 0; i < targets.length; i++) {
        targets[i] = (float) random.nextDouble(0.05, 0.95);
      }
    }

    List<PointEvaluation.Sample> samples() {
      List<PointEvaluation.Sample> samples = new ArrayList<>();
      for (int b = 0; b < n; b++) {
        samples.add(new PointEvaluation.Sample(sampleLeaves(b)));
      }
      return samples;
    }

    Map<Node, Tensor> sampleLeaves(int b) {
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
      network.label().ifPresent(label -> leaves.put(label, Interpreter.oneHot(labels[b], truthSize)));
      network.target().ifPresent(target -> {
        double[] values = new double[truthSize];
        for (int i = 0; i < truthSize; i++) {
          values[i] = targets[b * truthSize + i];
        }
        leaves.put(target, new Tensor(target.shape(), values));
      });
      return leaves;
    }

    /** Sets the parameters and runs forward and backward; returns the mean loss. */
    double run(Trainable model) {
      for (Node parameter : network.parameters()) {
        model.setParameter(Network.leafName(parameter), parameters.get(parameter).data());
      }
      return network.label().isPresent() ? model.computeGradients(x, labels, n) : model.computeGradients(x, targets, n);
    }
  }

  /** {@code max |a − b| / max(max |a|, 1e-12)}: the error of {@code actual} measured on the scale of {@code expected}. */
  /** The share of the network's largest gradient entry below which a float class's gradient is rounding. */
  static final double FLOAT_ROUNDING = 1e-6;

  private static double largestGradient(PointEvaluation.Result reference) {
    double largest = 0;
    for (Tensor gradient : reference.gradients().values()) {
      for (int i = 0; i < gradient.size(); i++) {
        largest = Math.max(largest, Math.abs(gradient.get(i)));
      }
    }
    return largest;
  }

  /** {@link #normwise(double[], double[])} with a floor under the scale. */
  static double normwise(double[] expected, double[] actual, double floor) {
    double worst = 0;
    double largest = 0;
    for (int i = 0; i < expected.length; i++) {
      double difference = Math.abs(expected[i] - actual[i]);
      worst = Double.isNaN(difference) ? Double.POSITIVE_INFINITY : Math.max(worst, difference);
      largest = Math.max(largest, Math.abs(expected[i]));
    }
    return worst / Math.max(Math.max(largest, floor), 1e-12);
  }

  public static double normwise(double[] expected, double[] actual) {
    double worst = 0;
    double largest = 0;
    for (int i = 0; i < expected.length; i++) {
      double difference = Math.abs(expected[i] - actual[i]);
      worst = Double.isNaN(difference) ? Double.POSITIVE_INFINITY : Math.max(worst, difference);
      largest = Math.max(largest, Math.abs(expected[i]));
    }
    return worst / Math.max(largest, 1e-12);
  }

  private static Outcome check(Prepared p, ClassLoader loader, long seed) {
    Network network = p.network();
    List<String> problems = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(seed * 31 + p.spec().name().hashCode());
    Point point = new Point(network, random, p.spec().batch());
    PointEvaluation.Result reference = PointEvaluation.evaluate(p.gradients(), point.parameters, point.samples());
    if (!Double.isFinite(reference.loss())) {
      problems.add("the interpreter's loss is " + reference.loss());
    }
    double doubleError = 0;
    double floatError = 0;
    for (Variant variant : Variant.values()) {
      Trainable model = InMemoryCompiler.instantiate(loader, variant.packageName + "." + network.name(), p.spec().maxBatch(), Trainable.class);
      double loss = point.run(model);
      boolean dbl = variant.precision == Precision.DOUBLE;
      String what = variant.label;
      double lossTolerance = dbl ? 1e-10 : 1e-4;
      if (!(Math.abs(loss - reference.loss()) <= lossTolerance * Math.max(1, Math.abs(reference.loss())))) {
        problems.add(String.format(Locale.ROOT, "%s loss %s, interpreter %s", what, loss, reference.loss()));
      }
      float[] predicted = new float[point.n * model.info().outputSize()];
      model.predict(point.x, point.n, predicted);
      double outputTolerance = dbl ? 1e-6 : 1e-4;
      for (int b = 0; b < point.n; b++) {
        Tensor output = reference.outputs().get(b);
        for (int i = 0; i < output.size(); i++) {
          double actual = predicted[b * output.size() + i];
          if (!(Math.abs(actual - output.get(i)) <= outputTolerance * Math.max(1, Math.abs(output.get(i))))) {
            problems.add(String.format(Locale.ROOT, "%s predict[%d][%d] = %s, interpreter %s", what, b, i, actual, output.get(i)));
          }
        }
      }
      for (Node parameter : network.parameters()) {
        String name = Network.leafName(parameter);
        double[] wanted = reference.gradients().get(parameter).data();
        double[] actual = model.gradient(name);
        // In float, a gradient that cancels to ~1e-15 in the interpreter comes out 0 or ~1e-9: measured on
        // the scale of the network's largest gradient entry, the float class's rounding is that small.
        double error = dbl ? normwise(wanted, actual) : normwise(wanted, actual, FLOAT_ROUNDING * largestGradient(reference));
        double tolerance = dbl ? DOUBLE_TOLERANCE : FLOAT_TOLERANCE;
        if (!(error <= tolerance)) {
          problems.add(String.format(Locale.ROOT, "%s ∂C/∂%s off by %.3g normwise (tolerance %.0g): generated %s, interpreter %s",
              what, name, error, tolerance, java.util.Arrays.toString(actual), java.util.Arrays.toString(wanted)));
        }
        if (dbl) {
          doubleError = Math.max(doubleError, error);
        } else {
          floatError = Math.max(floatError, error);
        }
      }
    }
    trainingSteps(p, loader, point, problems);
    if (p.spec().commands() != Commands.NONE) {
      double firstLoss = PointEvaluation.evaluate(p.gradients(), point.parameters, point.samples().subList(0, 1)).loss();
      problems.addAll(CommandPaths.check(p.spec(), network, point, firstLoss, p.spec().commands() == Commands.ALL));
    }
    int[] counts = new int[2];
    // A wide spec is there for the kernels, which the comparison with the interpreter covers; its
    // differences would take minutes, and the narrow specs check the derivatives.
    double fdError = p.spec().batch() > 0 ? 0 : finiteDifferences(p, point, reference, random, problems, counts);
    return new Outcome(p.spec(), problems, doubleError, floatError, fdError, counts[0], counts[1]);
  }

  /**
   * A few steps of training, as {@code nabla train} takes them: the fused train step of the float
   * class, and Adam over its gradients. The loss must stay a number and the steps must not throw.
   */
  private static void trainingSteps(Prepared p, ClassLoader loader, Point point, List<String> problems) {
    Variant variant = Variant.FLOAT;
    dev.nabla.runtime.FloatTrainable model = InMemoryCompiler.instantiate(loader, variant.packageName + "." + p.network().name(),
        p.spec().maxBatch(), dev.nabla.runtime.FloatTrainable.class);
    point.run(model);
    boolean classes = p.network().label().isPresent();
    for (int step = 0; step < 3; step++) {
      double loss = classes ? model.trainStep(point.x, point.labels, point.n, 1e-3f) : model.trainStep(point.x, point.targets, point.n, 1e-3f);
      if (!Double.isFinite(loss)) {
        problems.add("training: train step " + step + " gave the loss " + loss);
        return;
      }
    }
    dev.nabla.runtime.optim.Optimizer adam = dev.nabla.runtime.optim.OptimizerSpec.adam().create(model);
    dev.nabla.runtime.data.Minibatch batch = classes
        ? dev.nabla.runtime.data.Minibatch.of(point.x, point.inputSize, point.labels, point.n)
        : dev.nabla.runtime.data.Minibatch.of(point.x, point.inputSize, point.targets, point.truthSize, point.n);
    for (int step = 0; step < 2; step++) {
      double loss = adam.step(model, batch, 1e-3f);
      if (!Double.isFinite(loss)) {
        problems.add("training: Adam step " + step + " gave the loss " + loss);
        return;
      }
    }
  }

  /** The interpreter's mean gradient against central differences of the mean loss, at a few coordinates. */
  private static double finiteDifferences(Prepared p, Point point, PointEvaluation.Result reference, SplittableRandom random,
      List<String> problems, int[] counts) {
    Network network = p.network();
    List<Node> kinks = new ArrayList<>();
    for (Node node : Differentiator.reachable(network.loss())) {
      if (node.is(Unary.RELU) || node.is(Unary.STEP)) {
        kinks.add(node.input(0));
      }
    }
    List<Node> roots = new ArrayList<>(kinks);
    roots.add(network.loss());
    List<Map<Node, Tensor>> samples = new ArrayList<>();
    for (int b = 0; b < point.n; b++) {
      samples.add(point.sampleLeaves(b));
    }
    double worst = 0;
    for (Node parameter : network.parameters()) {
      Tensor at = point.parameters.get(parameter);
      double[] symbolic = reference.gradients().get(parameter).data();
      int size = at.size();
      List<Integer> coordinates = new ArrayList<>();
      if (size <= 3) {
        for (int i = 0; i < size; i++) {
          coordinates.add(i);
        }
      } else {
        while (coordinates.size() < 3) {
          int i = random.nextInt(size);
          if (!coordinates.contains(i)) {
            coordinates.add(i);
          }
        }
      }
      for (int i : coordinates) {
        double[] plus = at.data().clone();
        plus[i] += FD_STEP;
        double[] minus = at.data().clone();
        minus[i] -= FD_STEP;
        double up = 0;
        double down = 0;
        boolean crossesKink = false;
        for (Map<Node, Tensor> sample : samples) {
          Map<Node, Tensor> leaves = new IdentityHashMap<>(point.parameters);
          leaves.putAll(sample);
          leaves.put(parameter, new Tensor(parameter.shape(), plus));
          Map<Node, Tensor> upValues = Interpreter.evaluate(roots, leaves);
          leaves.put(parameter, new Tensor(parameter.shape(), minus));
          Map<Node, Tensor> downValues = Interpreter.evaluate(roots, leaves);
          up += upValues.get(network.loss()).scalarValue();
          down += downValues.get(network.loss()).scalarValue();
          for (Node kink : kinks) {
            double[] u = upValues.get(kink).data();
            double[] d = downValues.get(kink).data();
            for (int k = 0; k < u.length; k++) {
              crossesKink |= (u[k] >= 0) != (d[k] >= 0);
            }
          }
        }
        if (crossesKink) {
          counts[1]++;
          continue;
        }
        counts[0]++;
        double numeric = (up - down) / (2 * FD_STEP) / point.n;
        double scale = Math.max(Math.max(Math.abs(numeric), Math.abs(symbolic[i])), 1e-4);
        double error = Math.abs(numeric - symbolic[i]) / scale;
        worst = Math.max(worst, Double.isNaN(error) ? Double.POSITIVE_INFINITY : error);
        if (!(error <= FD_TOLERANCE)) {
          problems.add(String.format(Locale.ROOT, "interpreter ∂C/∂%s[%d] = %s, central differences %s (error %.3g)",
              Network.leafName(parameter), i, symbolic[i], numeric, error));
        }
      }
    }
    return worst;
  }
}
