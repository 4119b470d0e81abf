package dev.nabla.codegen;

import dev.nabla.codegen.Plan.Storage;
import dev.nabla.print.FormulaPrinter;
import dev.nabla.print.Naming;
import dev.nabla.print.Notation;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import java.util.IdentityHashMap;
import java.util.Map;

/** The formulas of the comments and Javadocs: what each statement computes, its chain-rule step and its source position. */
abstract class Comments extends ValueNames {
  Comments(Network network, Gradients gradients, CodegenOptions options) {
    super(network, gradients, options);
  }

  String position(Node node) {
    Node source = node;
    if (!source.span().isKnown() && adjointOwners.containsKey(node)) {
      source = adjointOwners.get(node);
    }
    return source.span().isKnown() ? "   [" + source.span().position() + "]" : "";
  }

  /** {@code z1 = W1 X + b1}, {@code dZ1 = ∂H/∂z1 = dY1 ⊙ 1{z1 ≥ 0}}: what a statement computes, and where from. */
  String describe(Node node) {
    String name = arrays.containsKey(node) ? arrays.get(node) : baseNames.getOrDefault(node, role(node));
    Node owner = adjointOwners.get(node);
    String chain = owner != null && !owner.isLeaf() ? printer().partial("H", reference(owner)) + " = " : "";
    if (plan.storage(node) == Storage.GRADIENT) {
      return formula(node, true) + position(node);
    }
    return name + " = " + chain + formula(node, true) + position(node);
  }

  String reference(Node node) {
    if (arrays.containsKey(node) && node != label) {
      return arrays.get(node);
    }
    if (node.op() instanceof Op.Leaf leaf) {
      return leaf.kind() == Op.Leaf.Kind.LABEL ? "onehot(" + leaf.name() + ")" : leaf.name();
    }
    return baseNames.containsKey(node) ? baseNames.get(node) : formula(node, false);
  }

  /**
   * The node's formula as {@code print/} writes formulas (one printer for the CLI, the reports and these
   * comments), operands by the names the class gives them; values without an array of their own are
   * written out.
   */
  String formula(Node node, boolean top) {
    return shortened(() -> top ? printer().definition(node) : printer().reference(node), 300);
  }

  /** The whole formula from the leaves up, for the class Javadoc. */
  String oneLine(Node node) {
    if (leavesOnly == null) {
      leavesOnly = new FormulaPrinter(Notation.UNICODE, Naming.leavesOnly(network), false);
    }
    return shortened(() -> leavesOnly.definition(node), 400);
  }

  private FormulaPrinter printer;

  private FormulaPrinter leavesOnly;

  /** The printer naming each value by its array, built once the arrays are named. */
  private FormulaPrinter printer() {
    if (printer == null) {
      Map<Node, String> names = new IdentityHashMap<>();
      for (Node node : network.graph().nodes()) {
        Storage storage = plan.storage(node);
        if (node.op() instanceof Op.Leaf leaf) {
          names.put(node, leaf.kind() == Op.Leaf.Kind.LABEL ? "t" : leaf.name());
        } else if ((storage == Storage.ARRAY || storage == Storage.LEAF) && arrays.containsKey(node)) {
          names.put(node, arrays.get(node));
        }
      }
      printer = new FormulaPrinter(Notation.UNICODE, Naming.given(network, names), false);
    }
    return printer;
  }

  /** A formula cut to {@code limit} characters; one too large to write out at all is an ellipsis. */
  private static String shortened(java.util.function.Supplier<String> formula, int limit) {
    String text;
    try {
      text = formula.get();
    } catch (FormulaPrinter.TooLargeException tooLarge) {
      return "…";
    }
    return text.length() > limit ? text.substring(0, limit - 3) + "..." : text;
  }

  static Node firstOperand(Node loss) {
    return loss.op() instanceof Loss ? loss.input(0) : loss;
  }
}
