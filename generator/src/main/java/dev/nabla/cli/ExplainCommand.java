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
    footer = {"", "Examples:", "  nabla explain examples/fashion_mlp.nabla", "  nabla explain examples/block_graph.nabla --wrt X", "  nabla explain 'sigmoid(W3 relu(W2 relu(W1 x + b1) + b2) + b3)'"})
final class ExplainCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXPR|FILE", description = "A network expression, or a .nabla spec file.")
  String input;

  @Option(names = "--format", defaultValue = "unicode", description = "text or unicode. Default: ${DEFAULT-VALUE}.")
  DeriveCommand.Format format;

  @Option(names = "--wrt", paramLabel = "NAME",
      description = "Also go down to this input (repeatable): its gradient, as the sum of what each block it feeds passes back.")
  List<String> wrt = new ArrayList<>();

  @Option(names = "--dim", paramLabel = "NAME=AxB", description = "Sizes of a one-liner's names (repeatable).")
  List<String> dims = new ArrayList<>();

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Network network = NetworkSource.load(input, Optional.empty(), dims);
    List<Node> inputs = new ArrayList<>();
    for (String name : wrt) {
      Node leaf = network.leaf(name).orElseThrow(() -> UserError.badInput("--wrt " + name + ": the network has no input of that name; its inputs are "
          + network.inputs().stream().map(Network::leafName).toList()));
      if (network.parameters().contains(leaf)) {
        continue; // a parameter's gradient is explained at its block anyway
      }
      if (!network.inputs().contains(leaf)) {
        throw UserError.badInput("--wrt " + name + ": " + name + " is the label or target, which gets no gradient");
      }
      inputs.add(leaf);
    }
    List<Node> leaves = new ArrayList<>(network.parameters());
    leaves.addAll(inputs);
    Gradients raw = Differentiator.derive(network, network.loss(), leaves);
    dev.nabla.symbolic.NormalForm normalForm = Naming.normalForm(raw, true);
    Gradients gradients = normalForm.apply(raw);
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
      List<Node> frontier = frontier(block, naming, inputs);
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
    // Values only the backward pass names (Y3 = softmax(Z3) in δ3 = Y3 − t) are computed forward too.
    List<Node> formulas = new ArrayList<>(gradients.adjoints().values());
    formulas.addAll(gradients.byLeaf().values());
    for (Node node : Differentiator.reachable(formulas)) {
      if (!node.isLeaf() && naming.primalName(node) != null && !blocks.contains(node) && node != network.loss()) {
        kept.add(printer.name(naming.primalName(node)) + " = " + printer.definition(node));
      }
    }
    int step = 1;
    lines.add(step++ + (kept.isEmpty()
        ? ". forward: compute " + printer.name(naming.lossName()) + " (it keeps no value in between)"
        : ". forward: compute and keep " + String.join(", ", kept) + " (every value the backward pass needs is computed here)"));
    // A dropout's mask is drawn, not computed: say what it holds, since the backward pass multiplies by it.
    for (Node node : Differentiator.reachable(network.loss())) {
      if (node.op() instanceof dev.nabla.symbolic.Spatial.DropoutMask mask) {
        lines.add("   where " + printer.name(mask.name()) + " = " + dev.nabla.print.GradientReport.maskMeaning(mask, format == DeriveCommand.Format.text ? Notation.TEXT : Notation.UNICODE));
      }
    }
    lines.add("   start from " + printer.partial(naming.lossName(), naming.lossName()) + " = 1");
    for (int i = blocks.size() - 1; i >= 0; i--) {
      Node block = blocks.get(i);
      String name = printer.name(naming.primalName(block));
      lines.add(step++ + ". block " + name + " = " + printer.definition(block) + ":");
      for (Node operand : below.get(block)) {
        if (lastConsumer.get(operand) != block || inputs.contains(operand)) {
          continue;
        }
        Node adjoint = operand.isLeaf() ? gradients.byLeaf().get(operand) : gradients.adjoints().get(operand);
        if (adjoint == null) {
          continue;
        }
        String operandName = operand.isLeaf() ? Network.leafName(operand) : naming.primalName(operand);
        String delta = naming.deltaName(adjoint);
        String left = (delta != null && !operand.isLeaf() ? printer.name(delta) + " = " : "") + printer.partial(naming.lossName(), operandName);
        String right = delta != null && !operand.isLeaf() ? printer.definition(adjoint) : printer.reference(adjoint);
        String role = operand.isLeaf() ? "gradient of parameter " + operandName : "passed back to block " + operandName;
        long uses = blocks.stream().filter(b -> below.get(b).contains(operand)).count();
        lines.add(String.format("     %-44s %s%s", left + " = " + right, role, uses > 1 ? " (the sum over its " + uses + " uses)" : ""));
      }
    }
    for (Node input : inputs) {
      step = explainInput(input, blocks, naming, printer, raw, gradients, normalForm, network, lines, step);
    }
    lines.add("");
    lines.add("Each block needs only the adjoint of its output and values kept by the forward pass, and costs about as much");
    lines.add("as its forward step: the whole gradient costs a small multiple of one forward pass.");
    var out = spec.commandLine().getOut();
    lines.forEach(out::println);
    out.flush();
    return Nabla.OK;
  }

  /**
   * The last step, down to an input: what each block it feeds passes back to it, and their sum (the
   * multivariable chain rule of the lesson's exercise 3).
   */
  private static int explainInput(Node input, List<Node> blocks, Naming naming, FormulaPrinter printer, Gradients raw,
      Gradients gradients, dev.nabla.symbolic.NormalForm normalForm, Network network, List<String> lines, int step) {
    var graph = network.graph();
    Map<Node, Node> byBlock = new LinkedHashMap<>();
    for (int i = blocks.size() - 1; i >= 0; i--) {
      Node block = blocks.get(i);
      for (Node consumer : region(block, naming)) {
        for (int k = 0; k < consumer.inputs().size(); k++) {
          Node adjoint = raw.adjoints().get(consumer);
          if (consumer.input(k) != input || adjoint == null) {
            continue;
          }
          Node contribution = consumer.op().vjp(graph, consumer, k, adjoint);
          if (contribution != null) {
            byBlock.merge(block, contribution, graph::add);
          }
        }
      }
    }
    String name = printer.name(Network.leafName(input));
    String gradient = printer.partial(naming.lossName(), Network.leafName(input)) + " = " + printer.reference(gradients.byLeaf().get(input));
    if (byBlock.size() < 2) {
      String fedTo = byBlock.isEmpty() ? "" : ", fed to block " + printer.name(naming.primalName(byBlock.keySet().iterator().next()));
      lines.add(step + ". input " + name + fedTo + ":");
      lines.add(String.format("     %-44s %s", gradient, "gradient of input " + name));
      return step + 1;
    }
    List<String> names = byBlock.keySet().stream().map(block -> printer.name(naming.primalName(block))).toList();
    lines.add(step + ". input " + name + ", fed to blocks " + String.join(" and ", names)
        + ": the contributions of its " + names.size() + " paths add up (the multivariable chain rule)");
    byBlock.forEach((block, contribution) -> lines.add(String.format("     %-44s %s",
        "through block " + printer.name(naming.primalName(block)) + " = " + printer.definition(block) + ":",
        printer.reference(normalForm.apply(contribution)))));
    lines.add(String.format("     %-44s %s", gradient, "gradient of input " + name + " (the sum)"));
    return step + 1;
  }

  /** The nodes of a block's own definition: below it, down to the named values and leaves it uses. */
  private static List<Node> region(Node block, Naming naming) {
    Set<Node> seen = new HashSet<>();
    List<Node> found = new ArrayList<>();
    Deque<Node> stack = new ArrayDeque<>();
    stack.push(block);
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      if (!seen.add(node)) {
        continue;
      }
      found.add(node);
      for (Node operand : node.inputs()) {
        if (!operand.isLeaf() && naming.primalName(operand) == null) {
          stack.push(operand);
        }
      }
    }
    return found;
  }

  /** The named values, parameters and asked-for inputs a block's definition uses directly (not through another named value). */
  private static List<Node> frontier(Node block, Naming naming, List<Node> inputs) {
    Set<Node> seen = new HashSet<>();
    Map<Node, Boolean> found = new LinkedHashMap<>();
    Deque<Node> stack = new ArrayDeque<>(block.inputs());
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      if (!seen.add(node)) {
        continue;
      }
      boolean parameter = (node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM) || inputs.contains(node);
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
