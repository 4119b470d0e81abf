package dev.nabla.cli;

import dev.nabla.print.GradientReport;
import dev.nabla.print.Notation;
import dev.nabla.print.index.IndexPrinter;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
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

/** {@code nabla derive}: every gradient by the chain rule, as the lesson writes it (its exercise 1). */
@Command(name = "derive", mixinStandardHelpOptions = true,
    description = {"Derive every gradient by the chain rule and print it as a person writes it.",
        "Prints the forward values by name, the adjoints backward from the loss (shared",
        "ones named δk once), each parameter's gradient, and the stability rewrites applied.",
        "A one-liner whose value is a scalar is a function f, differentiated as it stands",
        "by each of its names: ∂f/∂x = (A + Aᵀ) x (--loss attaches a loss instead). Any",
        "other one-liner gets the loss that fits its output: cross-entropy for softmax,",
        "nll for logsoftmax, bce for sigmoid, mse otherwise.",
        "Free names: lowercase ones are vectors, uppercase ones matrices; X (the sample) is",
        "a vector where a layer takes it (W1 X), a matrix where only that fits (X w); a",
        "lowercase name is a scalar where a vector cannot stand (w x). --dim sets sizes."},
    footer = {"", "Examples:",
        "  nabla derive 'softmax(W2 relu(W1 X + b1) + b2)'",
        "  nabla derive \"x' A x\"",
        "  nabla derive \"sum((X w - y)^2) + 0.5 * w' w\" --wrt w",
        "  nabla derive 'softmax(W2 relu(W1 X + b1) + b2)' --inline --wrt W1",
        "  nabla derive 'sigmoid(w x + b)' --format latex",
        "  nabla derive 'softmax(W2 relu(W1 X + b1) + b2)' --format index --inline",
        "  nabla derive net.nabla --format text"})
final class DeriveCommand implements Callable<Integer> {
  enum Format { text, unicode, latex, index, markdown }

  enum LossOption { ce, nll, bce, mse }

  @Parameters(paramLabel = "EXPR|FILE", description = "A network expression, or a .nabla spec file.")
  String input;

  @Option(names = "--wrt", paramLabel = "NAME", description = "Only the gradient with respect to NAME (repeatable; a parameter or an input). Default: every parameter (of a function f: every name).")
  List<String> wrt = new ArrayList<>();

  @Option(names = "--format", defaultValue = "unicode",
      description = "text (ASCII, parses back), unicode, latex, index (element by element, as the lesson: ∂H/∂w2_{p,q} = (y2_p − t_p) · y1_q) or markdown. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = "--loss", description = "For a one-liner: ce, nll, bce or mse. Default: none for a scalar (differentiated as it stands), else ce for a softmax output, nll for logsoftmax, bce for sigmoid, mse otherwise.")
  LossOption loss;

  @Option(names = "--dim", paramLabel = "NAME=AxB", description = "The size of a one-liner's name, e.g. --dim W1=20x784 (repeatable).")
  List<String> dims = new ArrayList<>();

  @Option(names = "--inline", description = "Expand shared adjoints in place, e.g. (Y2 − t) Y1ᵀ instead of δ2 Y1ᵀ.")
  boolean inline;

  @Option(names = "--hessian-vector", paramLabel = "NAME",
      description = "Differentiate the derivative: the Hessian-vector product ∇(∂H/∂NAME · v) for a direction v of NAME's shape.")
  String hessianVector;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Optional<Lowering.LossChoice> choice = Optional.ofNullable(loss).map(l -> Lowering.LossChoice.valueOf(l.name().toUpperCase()));
    Network network = NetworkSource.load(input, choice, dims);
    // A one-liner with a scalar value and no --loss is a function f, differentiated as it stands.
    boolean function = !NetworkSource.isFile(input) && loss == null && network.loss() == network.output();
    List<Node> leaves = new ArrayList<>();
    if (wrt.isEmpty()) {
      leaves.addAll(function ? differentiable(network, true) : network.parameters());
      if (leaves.isEmpty()) {
        throw UserError.badInput("nothing to differentiate: " + (function ? input + " has no names" : "the network has no parameters")
            + (network.inputs().isEmpty() ? "" : "; ask for an input's gradient with --wrt " + Network.leafName(network.inputs().get(0))));
      }
    }
    for (String name : wrt) {
      Node leaf = network.leaf(name).orElseThrow(() -> UserError.badInput(
          "--wrt " + name + ": " + (function ? input : "the network") + " has no parameter or input of that name; it has "
              + differentiable(network, function).stream().map(Network::leafName).toList()));
      if (!differentiable(network, function).contains(leaf)) {
        throw UserError.badInput("--wrt " + name + ": " + name + " is the " + (network.label().orElse(null) == leaf ? "label" : "target")
            + ", which nothing is differentiated by; ask for a parameter or an input");
      }
      leaves.add(leaf);
    }
    if (hessianVector != null) {
      if (format == Format.index || format == Format.markdown) {
        throw UserError.badInput("--hessian-vector prints its formulas as text, unicode or latex, not as --format " + format);
      }
      return printHessianVector(network, leaves);
    }
    Gradients gradients = Differentiator.derive(network, network.loss(), leaves);
    Notation notation = switch (format) {
      case text -> Notation.TEXT;
      case unicode, index -> Notation.UNICODE;
      case latex, markdown -> Notation.LATEX;
    };
    var out = spec.commandLine().getOut();
    if (function && format != Format.index) {
      try {
        GradientReport report = GradientReport.ofFunction(gradients, notation, "f");
        out.print(format == Format.markdown ? markdown(network, report) : report.render());
        out.flush();
        return Nabla.OK;
      } catch (dev.nabla.print.FormulaPrinter.TooLargeException tooLarge) {
        // written out in the leaves it is too large: the named report below writes shared values once
      }
    }
    if (format == Format.index) {
      IndexPrinter.of(dev.nabla.print.Naming.normalized(gradients, true), notation, !inline).all().forEach(out::println);
      out.flush();
      return Nabla.OK;
    }
    GradientReport report = GradientReport.of(gradients, notation, inline);
    if (format == Format.markdown) {
      out.print(markdown(network, report));
    } else {
      out.print(report.render());
    }
    out.flush();
    return Nabla.OK;
  }

  /**
   * The leaves a gradient can be asked for: the inputs and the parameters; a function's in the order
   * they are written ({@code a, X, b} in {@code aᵀ X b}), a network's inputs first.
   */
  private static List<Node> differentiable(Network network, boolean asWritten) {
    if (!asWritten) {
      List<Node> leaves = new ArrayList<>(network.inputs());
      leaves.addAll(network.parameters());
      return leaves;
    }
    return network.graph().nodes().stream()
        .filter(node -> node.isLeaf() && (network.inputs().contains(node) || network.parameters().contains(node)))
        .toList();
  }

  /**
   * Second order comes free because a derivative is an ordinary graph: the directional derivative
   * {@code s = Σ ∂H/∂P ⊙ v} is differentiated again, giving the Hessian-vector product.
   */
  private int printHessianVector(Network network, List<Node> leaves) {
    Node by = network.leaf(hessianVector).orElseThrow(() -> UserError.badInput(
        "--hessian-vector " + hessianVector + ": the network has no parameter or input of that name"));
    var graph = network.graph();
    String directionName = network.leaf("v").isPresent() ? "v_" + hessianVector : "v";
    Node direction = graph.leaf(dev.nabla.symbolic.Op.Leaf.param(directionName), by.shape(), dev.nabla.grammar.diagnostic.Span.NONE);
    Node gradient = Differentiator.derive(network, network.loss(), List.of(by)).of(by);
    Node directional = graph.sum(graph.mul(gradient, direction));
    Gradients second = Differentiator.derive(network, directional, leaves);
    Notation notation = format == Format.text ? Notation.TEXT : format == Format.latex ? Notation.LATEX : Notation.UNICODE;
    var naming = dev.nabla.print.Naming.of(network);
    var printer = new dev.nabla.print.FormulaPrinter(notation, naming, false);
    var out = spec.commandLine().getOut();
    out.println(printer.partial(naming.lossName(), hessianVector) + " = " + printer.reference(gradient));
    out.println("s = sum(" + printer.partial(naming.lossName(), hessianVector) + " * " + directionName + ")   (the derivative along " + directionName + ")");
    second.byLeaf().forEach((leaf, value) ->
        out.println(printer.partial("s", Network.leafName(leaf)) + " = " + printer.reference(value)));
    out.flush();
    return Nabla.OK;
  }

  private static String markdown(Network network, GradientReport report) {
    StringBuilder out = new StringBuilder("## Gradients of " + network.name() + "\n\n");
    section(out, "Forward pass", report.forward());
    section(out, "Backward from the loss", report.backward());
    section(out, "Parameter gradients", report.gradients());
    if (!report.rewrites().isEmpty()) {
      out.append("### Rewritten for stability\n\n");
      report.rewrites().forEach(rewrite -> out.append("- ").append(rewrite).append('\n'));
    }
    return out.toString();
  }

  private static void section(StringBuilder out, String title, List<GradientReport.Line> lines) {
    if (lines.isEmpty()) {
      return;
    }
    out.append("### ").append(title).append("\n\n$$\n\\begin{aligned}\n");
    for (GradientReport.Line line : lines) {
      out.append(line.left()).append(" &= ").append(line.right()).append(" \\\\\n");
    }
    out.append("\\end{aligned}\n$$\n\n");
  }
}
