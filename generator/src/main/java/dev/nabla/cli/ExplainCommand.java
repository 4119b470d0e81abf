package dev.nabla.cli;

import dev.nabla.print.FormulaPrinter;
import dev.nabla.print.Naming;
import dev.nabla.print.Notation;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nabla explain}: the backward pass as numbered steps, one per block (the lesson's exercise 2). */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {"Write the backward pass as numbered steps, one per block.",
        "From the loss back to the input: the adjoint each block receives, the gradients of its parameters,",
        "and what it passes back."},
    footer = {"", "Examples:", "  nabla explain examples/fashion_mlp.nabla", "  nabla explain 'sigmoid(W3 relu(W2 relu(W1 x + b1) + b2) + b3)'"})
final class ExplainCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXPR|FILE", description = "A network expression, or a .nabla spec file.")
  String input;

  @Option(names = "--format", defaultValue = "unicode", description = "text or unicode. Default: ${DEFAULT-VALUE}.")
  DeriveCommand.Format format;

  @Option(names = "--dim", paramLabel = "NAME=AxB", description = "Sizes of a one-liner's names (repeatable).")
  List<String> dims = new ArrayList<>();

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Network network = NetworkSource.load(input, Optional.empty(), dims);
    Gradients gradients = Differentiator.parameters(network);
    Naming naming = Naming.of(gradients);
    FormulaPrinter printer = new FormulaPrinter(format == DeriveCommand.Format.text ? Notation.TEXT : Notation.UNICODE, naming, true);

    // The blocks: the named values the loss depends on, each with the names and leaves right below it.
    List<Node> blocks = new ArrayList<>();
    for (Node node : Differentiator.reachable(network.loss())) {
      if (!node.isLeaf() && naming.primalName(node) != null) {
        blocks.add(node);
      }
    }
    Map<Node, List<Node>> below = new IdentityHashMap<>();
    Map<Node, Node> lastConsumer = new IdentityHashMap<>();
    for (Node block : blocks) {
      List<Node> frontier = frontier(block, naming);
      below.put(block, frontier);
      for (Node operand : frontier) {
        Node previous = lastConsumer.get(operand);
        if (previous == null || block.id() < previous.id()) {
          lastConsumer.put(operand, block);
        }
      }
    }

    List<String> lines = new ArrayList<>();
    lines.add("Backpropagation for " + network.name() + ", one block at a time from the loss back to the input:");
    lines.add("");
    List<String> kept = new ArrayList<>();
    for (Node block : blocks) {
      if (block != network.loss()) {
        kept.add(printer.name(naming.primalName(block)) + " = " + printer.definition(block));
      }
    }
    int step = 1;
    lines.add(step++ + ". forward: compute and keep " + String.join(", ", kept)
        + " (every value the backward pass needs is computed here)");
    lines.add("   start from " + printer.partial("H", "H") + " = 1");
    for (int i = blocks.size() - 1; i >= 0; i--) {
      Node block = blocks.get(i);
      String name = printer.name(naming.primalName(block));
      lines.add(step++ + ". block " + name + " = " + printer.definition(block) + ":");
      for (Node operand : below.get(block)) {
        if (lastConsumer.get(operand) != block) {
          continue;
        }
        Node adjoint = operand.isLeaf() ? gradients.byLeaf().get(operand) : gradients.adjoints().get(operand);
        if (adjoint == null) {
          continue;
        }
        String operandName = operand.isLeaf() ? Network.leafName(operand) : naming.primalName(operand);
        String delta = naming.deltaName(adjoint);
        String left = (delta != null && !operand.isLeaf() ? printer.name(delta) + " = " : "") + printer.partial("H", operandName);
        String right = delta != null && !operand.isLeaf() ? printer.definition(adjoint) : printer.reference(adjoint);
        String role = operand.isLeaf() ? "gradient of parameter " + operandName : "passed back to block " + operandName;
        long uses = blocks.stream().filter(b -> below.get(b).contains(operand)).count();
        lines.add(String.format("     %-44s %s%s", left + " = " + right, role, uses > 1 ? " (the sum over its " + uses + " uses)" : ""));
      }
    }
    lines.add("");
    lines.add("Each block needs only the adjoint of its output and values kept by the forward pass, and costs about as much");
    lines.add("as its forward step: the whole gradient costs a small multiple of one forward pass.");
    var out = spec.commandLine().getOut();
    lines.forEach(out::println);
    out.flush();
    return Nabla.OK;
  }

  /** The named values and parameters a block's definition uses directly (not through another named value). */
  private static List<Node> frontier(Node block, Naming naming) {
    Set<Node> seen = new HashSet<>();
    Map<Node, Boolean> found = new LinkedHashMap<>();
    Deque<Node> stack = new ArrayDeque<>(block.inputs());
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      if (!seen.add(node)) {
        continue;
      }
      boolean parameter = node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM;
      if (parameter || (!node.isLeaf() && naming.primalName(node) != null)) {
        found.put(node, true);
      } else {
        node.inputs().forEach(stack::push);
      }
    }
    List<Node> operands = new ArrayList<>(found.keySet());
    operands.sort((a, b) -> Integer.compare(b.id(), a.id()));
    return operands;
  }
}
