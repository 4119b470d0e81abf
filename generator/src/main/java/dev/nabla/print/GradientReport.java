package dev.nabla.print;

import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The derivation as the lesson presents it: the forward values by name, then backward from the
 * loss the adjoint of each named value (shared ones named δk and printed once), then the gradient
 * of every parameter, and the stability rewrites applied on the way.
 *
 * @param forward {@code Z1 = W1 X + b1}, …, {@code H = cross_entropy(Z2, y)}
 * @param backward {@code δ2 = ∂H/∂Z2 = Y2 − t}, {@code ∂H/∂Y1 = W2ᵀ δ2}, …
 * @param gradients {@code ∂H/∂W1 = δ1 Xᵀ}, …
 * @param rewrites what was rewritten for stability, and why, as the notation writes it
 */
public record GradientReport(List<Line> forward, List<Line> backward, List<Line> gradients, List<String> rewrites) {

  /** One equation: {@code left = right}. */
  public record Line(String left, String right) {
    @Override
    public String toString() {
      return left + " = " + right;
    }
  }

  /**
   * @param inline whether to expand shared adjoints in place ({@code (Y2 − t) Y1ᵀ}) instead of
   *     naming them ({@code δ2 Y1ᵀ})
   */
  public static GradientReport of(Gradients derived, Notation notation, boolean inline) {
    Gradients gradients = Naming.normalized(derived, true);
    Network network = gradients.network();
    Naming naming = Naming.of(gradients);
    FormulaPrinter printer = new FormulaPrinter(notation, naming, !inline);

    List<Line> forward = new ArrayList<>();
    java.util.Set<Node> used = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    used.addAll(gradients.adjoints().values());
    used.addAll(dev.nabla.symbolic.Differentiator.reachable(List.copyOf(gradients.byLeaf().values())));
    for (Node node : network.graph().nodes()) {
      String name = naming.primalName(node);
      if (name != null && !node.isLeaf() && (naming.isForward(node) || node.id() < network.loss().id() || used.contains(node))) {
        forward.add(new Line(printer.name(name), printer.definition(node)));
      }
    }
    // A dropout's mask, which its gradient reuses (∂H/∂x = δ ⊙ m1), says what it holds.
    for (Node node : network.graph().nodes()) {
      if (node.op() instanceof dev.nabla.symbolic.Spatial.DropoutMask mask && naming.isForward(node)) {
        String meaning = maskMeaning(mask, notation);
        forward.add(new Line(printer.name(mask.name()), notation == Notation.LATEX ? "\\text{" + meaning + "}" : meaning));
      }
    }

    List<Line> backward = new ArrayList<>();
    List<Map.Entry<Node, Node>> adjoints = new ArrayList<>(gradients.adjoints().entrySet());
    adjoints.sort(Comparator.comparingInt((Map.Entry<Node, Node> entry) -> entry.getKey().id()).reversed());
    for (Map.Entry<Node, Node> entry : adjoints) {
      Node value = entry.getKey();
      Node adjoint = entry.getValue();
      String valueName = naming.primalName(value);
      if (valueName == null || value.isLeaf() || value == network.loss()) {
        continue;
      }
      String partial = printer.partial(naming.lossName(), valueName);
      String delta = inline ? null : naming.deltaName(adjoint);
      if (delta != null && naming.deltaTarget(adjoint) == value) {
        backward.add(new Line(printer.name(delta) + " = " + partial, printer.definition(adjoint)));
      } else {
        backward.add(new Line(partial, printer.reference(adjoint)));
      }
    }

    List<Line> parameterGradients = new ArrayList<>();
    gradients.byLeaf().forEach((leaf, gradient) ->
        parameterGradients.add(new Line(printer.partial(naming.lossName(), Network.leafName(leaf)), printer.reference(gradient))));
    return new GradientReport(forward, backward, parameterGradients, rewrites(network, notation));
  }

  /**
   * A scalar function differentiated as it stands, as a matrix-calculus table writes it: {@code f =
   * xᵀ A x}, then {@code ∂f/∂x = (A + Aᵀ) x} for each leaf, every formula in terms of the leaves.
   * A gradient that is zero says so.
   *
   * @throws FormulaPrinter.TooLargeException when a formula written out in full would be too large
   */
  public static GradientReport ofFunction(Gradients derived, Notation notation, String function) {
    Gradients gradients = Naming.normalized(derived, false);
    Network network = gradients.network();
    FormulaPrinter printer = new FormulaPrinter(notation, Naming.leavesOnly(network), false);
    List<Line> definition = List.of(new Line(printer.name(function), printer.definition(network.loss())));
    List<Line> lines = new ArrayList<>();
    gradients.byLeaf().forEach((leaf, gradient) -> {
      String name = Network.leafName(leaf);
      String right = printer.reference(gradient);
      if (dev.nabla.symbolic.Graph.isZero(gradient)) {
        right += "   (" + function + " does not change with " + name + ")";
      }
      lines.add(new Line(printer.partial(function, name), right));
    });
    return new GradientReport(definition, List.of(), lines, rewrites(network, notation));
  }

  /** The stability rewrites, with the arguments the user wrote, in {@code notation}. */
  public static List<String> rewrites(Network network, Notation notation) {
    FormulaPrinter printer = new FormulaPrinter(notation, Naming.asWritten(network), false);
    return network.rewrites().stream().map(printer::rewrite).toList();
  }

  /** The gradient line of one parameter, e.g. {@code ∂H/∂W2 = δ2 Y1ᵀ}. */
  public Line gradient(String parameter) {
    return gradients.stream().filter(line -> line.left().endsWith(parameter) && line.left().matches(".*[∂d/{ ]" + java.util.regex.Pattern.quote(parameter) + "}?$"))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("no gradient for " + parameter));
  }

  /** The whole report as text, one equation a line, sections separated by a blank line. */
  public String render() {
    StringBuilder out = new StringBuilder();
    appendSection(out, forward);
    appendSection(out, backward);
    appendSection(out, gradients);
    if (!rewrites.isEmpty()) {
      out.append("rewritten for stability:\n");
      for (String rewrite : rewrites) {
        out.append("  ").append(rewrite).append('\n');
      }
    }
    return out.toString().stripTrailing() + "\n";
  }

  private static void appendSection(StringBuilder out, List<Line> lines) {
    if (lines.isEmpty()) {
      return;
    }
    for (Line line : lines) {
      out.append(line).append('\n');
    }
    out.append('\n');
  }

  /** What a dropout's mask holds, as the reports and {@code explain} say it. */
  public static String maskMeaning(dev.nabla.symbolic.Spatial.DropoutMask mask, Notation notation) {
    String p = dev.nabla.symbolic.Numbers.format(mask.p());
    return "a dropout mask: 0 with probability " + p + ", else 1/(1 " + notation.minus() + " " + p + ") in training; 1 in prediction";
  }
}
