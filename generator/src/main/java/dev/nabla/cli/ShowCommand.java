package dev.nabla.cli;

import dev.nabla.interpret.PointEvaluation;
import dev.nabla.print.FormulaPrinter;
import dev.nabla.print.Naming;
import dev.nabla.print.Notation;
import dev.nabla.symbolic.Differentiator;
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
        "The parameter and input values are written in, and the output they give follows."},
    footer = {"", "Examples:", "  nabla show examples/exercise4.nabla --values values.json"})
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
    PointEvaluation.Sample sample = read.samples().get(0);
    network.inputs().forEach(node -> numbers.put(node, literal(sample.leaves().get(node))));
    out.println(outputName + " = " + new FormulaPrinter(notation, naming, false, numbers).definition(network.output()));

    PointEvaluation.Result result = PointEvaluation.evaluate(Differentiator.derive(network, network.loss(), List.of()),
        read.parameters(), List.of(sample));
    out.println(outputName + " = " + literal(result.outputs().get(0)) + "   (H = " + format(result.loss()) + ")");
    out.flush();
    return Nabla.OK;
  }

  /** A tensor as the lesson writes numbers in a formula: {@code [[0.18, -0.19]]}, {@code [0.23]}. */
  static String literal(Tensor tensor) {
    if (tensor.shape().isScalar()) {
      return format(tensor.scalarValue());
    }
    if (tensor.shape().isVector() || tensor.shape().isRow()) {
      return "[" + java.util.Arrays.stream(tensor.data()).mapToObj(ShowCommand::format).collect(Collectors.joining(", ")) + "]";
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

  private static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e6) {
      return Numbers.format(value);
    }
    return String.format(Locale.ROOT, "%.4g", value).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e");
  }
}
