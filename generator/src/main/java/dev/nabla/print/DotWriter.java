package dev.nabla.print;

import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.List;

/**
 * The network drawn schematically (the lesson's exercise 4a) in Graphviz's DOT: inputs and
 * parameters as boxes with their shapes, each operation as a node named by the value it makes
 * ({@code Z1}, {@code Y1}, …), and the loss at the bottom.
 */
public final class DotWriter {
  private DotWriter() {}

  public static String write(Network network) {
    Naming naming = Naming.of(network);
    StringBuilder dot = new StringBuilder();
    dot.append("digraph ").append(quote(network.name())).append(" {\n");
    dot.append("  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [color=\"#555555\"];\n");
    List<Node> nodes = Differentiator.reachable(List.of(network.loss(), network.output()));
    for (Node node : nodes) {
      dot.append("  n").append(node.id()).append(" [").append(style(node, naming, network)).append("];\n");
    }
    for (Node node : nodes) {
      for (Node input : node.inputs()) {
        dot.append("  n").append(input.id()).append(" -> n").append(node.id()).append(";\n");
      }
    }
    dot.append("}\n");
    return dot.toString();
  }

  private static String style(Node node, Naming naming, Network network) {
    String name = naming.primalName(node);
    if (node.op() instanceof Op.Leaf leaf) {
      String fill = switch (leaf.kind()) {
        case PARAM -> "#fde9c9";
        case INPUT -> "#d6eaf8";
        case LABEL, TARGET -> "#e8daef";
      };
      String label = leaf.name() + (node.shape().isScalar() ? "" : "\\n" + node.shape());
      return "shape=box, style=\"rounded,filled\", fillcolor=\"" + fill + "\", label=" + quote(label);
    }
    if (node.op() instanceof Op.Constant constant) {
      return "shape=plaintext, label=" + quote(constant.name());
    }
    String operation = operation(node.op());
    String label = name == null ? operation : name + " = " + operation + "\\n" + node.shape();
    String shape = node == network.loss() ? "doubleoctagon" : node.op() instanceof Loss ? "octagon" : "ellipse";
    return "shape=" + shape + ", label=" + quote(label);
  }

  private static String operation(Op op) {
    if (op instanceof Binary binary) {
      return switch (binary) {
        case ADD -> "+";
        case SUB -> "−";
        case MUL -> "⊙";
        case DIV -> "/";
      };
    }
    if (op == Structural.MATMUL) {
      return "·";
    }
    if (op == Structural.TRANSPOSE) {
      return "ᵀ";
    }
    if (op == Unary.NEG) {
      return "−";
    }
    if (op instanceof Op.Power power) {
      return power.name();
    }
    return op.toString();
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\\\\n", "\\n").replace("\"", "\\\"") + "\"";
  }
}
