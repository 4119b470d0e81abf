package dev.nabla.cli;

import dev.nabla.interpret.PointEvaluation;
import dev.nabla.print.FormulaPrinter;
import dev.nabla.print.Naming;
import dev.nabla.print.Notation;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Numbers;
import dev.nabla.symbolic.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nabla show}: the network in one line, then with the numbers substituted (the lesson's exercise 4b). */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = {"Print the network in one line, then with the numbers substituted.",
        "The parameter and input values are written in, and the output they give follows.",
        "For a minibatch (\"batch\": […]) the parameters are written in once, then each sample",
        "with its output and loss, then the mean loss."},
    footer = {"", "Examples:", "  nabla show examples/exercise4.nabla --values examples/values.json",
        "  nabla show examples/exercise4.nabla --values examples/values-batch.json"})
final class ShowCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "A .nabla spec file.")
  String input;

  @Option(names = "--values", required = true, paramLabel = "VALUES.json", description = "Parameter values and a sample, as for nabla grad.")
  Path values;

  @Option(names = "--format", defaultValue = "unicode", description = "text or unicode. Default: ${DEFAULT-VALUE}.")
  DeriveCommand.Format format;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Network network = Networks.requireSizes(NetworkSource.load(input, Optional.empty(), List.of()));
    ValuesJson.Values read = ValuesJson.read(values, network);
    Notation notation = format == DeriveCommand.Format.text ? Notation.TEXT : Notation.UNICODE;
    Naming naming = Naming.leavesOnly(network);
    var out = spec.commandLine().getOut();
    String outputName = network.names().getOrDefault(network.output(), "out");
    out.println(outputName + " = " + new FormulaPrinter(notation, naming, false).definition(network.output()));

    Map<Node, String> numbers = new IdentityHashMap<>();
    read.parameters().forEach((node, tensor) -> numbers.put(node, literal(tensor)));
    Gradients gradients = Differentiator.derive(network, network.loss(), List.of());
    if (!read.isBatch()) {
      PointEvaluation.Sample sample = read.samples().get(0);
      network.inputs().forEach(node -> numbers.put(node, literal(sample.leaves().get(node))));
      out.println(outputName + " = " + new FormulaPrinter(notation, naming, false, numbers).definition(network.output()));
      PointEvaluation.Result result = PointEvaluation.evaluate(gradients, read.parameters(), List.of(sample));
      out.println(outputName + " = " + literal(result.outputs().get(0)) + "   (H = " + format(result.loss()) + ")");
      out.flush();
      return Nabla.OK;
    }
    // A minibatch: the parameters written in once, then each sample with its output and loss, then the mean.
    out.println(outputName + " = " + new FormulaPrinter(notation, naming, false, numbers).definition(network.output()));
    List<PointEvaluation.Sample> samples = read.samples();
    out.println("minibatch of " + samples.size() + " samples:");
    List<List<String>> rows = new ArrayList<>();
    for (PointEvaluation.Sample sample : samples) {
      List<String> row = new ArrayList<>();
      network.inputs().forEach(node -> row.add(Network.leafName(node) + " = " + literal(sample.leaves().get(node))));
      network.label().ifPresent(label -> row.add("label = " + argmax(sample.leaves().get(label))));
      network.target().ifPresent(target -> row.add(Network.leafName(target) + " = " + literal(sample.leaves().get(target))));
      PointEvaluation.Result result = PointEvaluation.evaluate(gradients, read.parameters(), List.of(sample));
      row.add(outputName + " = " + literal(result.outputs().get(0)));
      row.add("(H = " + format(result.loss()) + ")");
      rows.add(row);
    }
    int[] widths = new int[rows.get(0).size()];
    rows.forEach(row -> {
      for (int c = 0; c < row.size(); c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    });
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.size(); c++) {
        line.append("  ").append(c == row.size() - 1 ? row.get(c) : String.format(Locale.ROOT, "%-" + widths[c] + "s", row.get(c)));
      }
      out.println(line);
    }
    double mean = PointEvaluation.evaluate(gradients, read.parameters(), samples).loss();
    out.println("H = " + format(mean) + "   (the mean over the minibatch)");
    out.flush();
    return Nabla.OK;
  }

  private static int argmax(Tensor oneHot) {
    double[] values = oneHot.data();
    int best = 0;
    for (int k = 1; k < values.length; k++) {
      best = values[k] > values[best] ? k : best;
    }
    return best;
  }

  /** A tensor as the lesson writes numbers in a formula: {@code [[0.18, -0.19]]}, {@code [0.23]}. */
  static String literal(Tensor tensor) {
    if (tensor.shape().isScalar()) {
      return format(tensor.scalarValue());
    }
    if (tensor.shape().isVector() || tensor.shape().isRow()) {
      return "[" + java.util.Arrays.stream(tensor.data()).mapToObj(ShowCommand::format).collect(Collectors.joining(", ")) + "]";
    }
    if (tensor.shape().rank() > 2) {
      return nested(tensor, 0, 0);
    }
    List<String> rows = new ArrayList<>();
    for (int r = 0; r < tensor.rows(); r++) {
      List<String> row = new ArrayList<>();
      for (int c = 0; c < tensor.columns(); c++) {
        row.add(format(tensor.get(r, c)));
      }
      rows.add("[" + String.join(", ", row) + "]");
    }
    return "[" + String.join(", ", rows) + "]";
  }

  /** An image or a kernel as nested lists, one level per dimension: {@code [[[1, 2], [3, 4]]]}. */
  private static String nested(Tensor tensor, int axis, int offset) {
    var dims = tensor.shape().dims();
    int size = Math.toIntExact(dims.get(axis).size());
    int stride = 1;
    for (int k = axis + 1; k < dims.size(); k++) {
      stride *= Math.toIntExact(dims.get(k).size());
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      parts.add(axis + 1 == dims.size() ? format(tensor.get(offset + i)) : nested(tensor, axis + 1, offset + i * stride));
    }
    return "[" + String.join(", ", parts) + "]";
  }

  private static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e6) {
      return Numbers.format(value);
    }
    return String.format(Locale.ROOT, "%.4g", value).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e");
  }
}
