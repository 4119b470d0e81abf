package dev.nabla.cli;

import dev.nabla.print.Notation;
import dev.nabla.print.index.JacobianPrinter;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Lowering;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nabla jacobian}: the Jacobian of a vector function, like the lesson's LogSoftmax matrix. */
@Command(name = "jacobian", mixinStandardHelpOptions = true,
    description = {"Print the Jacobian of a vector function of one vector.",
        "Its general entry and, when sizes are known, the matrix (with ellipses past 4 rows or columns)."},
    footer = {"", "Examples:",
        "  nabla jacobian 'logsoftmax(u)' --dim u=10",
        "  nabla jacobian 'sigmoid(u)' --dim u=3",
        "  nabla jacobian 'W x' --wrt x --dim W=2x3 --dim x=3"})
final class JacobianCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXPR", description = "A vector function, e.g. 'logsoftmax(u)'.")
  String input;

  @Option(names = "--wrt", paramLabel = "NAME", description = "The vector to differentiate by (default: the only free vector name).")
  String wrt;

  @Option(names = "--dim", paramLabel = "NAME=SIZES", description = "Sizes of names, e.g. --dim u=10 (repeatable).")
  List<String> dims = new ArrayList<>();

  @Option(names = "--format", defaultValue = "unicode", description = "text, unicode or latex. Default: ${DEFAULT-VALUE}.")
  DeriveCommand.Format format;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Network network = NetworkSource.load(input, Optional.of(Lowering.LossChoice.MSE), dims);
    List<Node> candidates = new ArrayList<>(network.inputs());
    candidates.addAll(network.parameters());
    candidates.removeIf(node -> !node.shape().isVector());
    Node by;
    if (wrt != null) {
      by = network.leaf(wrt).orElseThrow(() -> UserError.badInput("--wrt " + wrt + ": no such name in " + input));
    } else if (candidates.size() == 1) {
      by = candidates.get(0);
    } else {
      throw UserError.badInput("say which vector to differentiate by with --wrt, one of "
          + candidates.stream().map(Network::leafName).toList());
    }
    if (!network.output().shape().isVector() || !by.shape().isVector()) {
      throw UserError.badInput("a Jacobian here is of a vector function of a vector; " + input + " is "
          + network.output().shape() + " and " + Network.leafName(by) + " is " + by.shape());
    }
    List<String> imageOperations = Differentiator.reachable(network.output()).stream()
        .filter(node -> node.op() instanceof dev.nabla.symbolic.Spatial && !(node.op() instanceof dev.nabla.symbolic.Spatial.DropoutMask)).map(node -> node.op().name()).distinct().toList();
    if (!imageOperations.isEmpty()) {
      throw UserError.badInput("nabla jacobian prints Jacobians of dense networks; " + input + " goes through "
          + String.join(", ", imageOperations) + ", whose Jacobians (of images) it does not print element by element."
          + " nabla derive --format index prints the gradients, the convolution's element by element");
    }
    Notation notation = switch (format) {
      case text -> Notation.TEXT;
      case latex, markdown -> Notation.LATEX;
      default -> Notation.UNICODE;
    };
    JacobianPrinter printer = JacobianPrinter.of(network, by, notation);
    var out = spec.commandLine().getOut();
    out.println(printer.entry());
    printer.definitions().forEach(definition -> out.println("  where " + definition));
    if (network.output().shape().isKnown() && by.shape().isKnown()) {
      out.println();
      out.println(printer.matrix());
    }
    out.flush();
    return Nabla.OK;
  }
}
