package dev.nabla.codegen;

import dev.nabla.codegen.Plan.Storage;
import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Numbers;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.List;

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
    String chain = owner != null && !owner.isLeaf() ? "∂H/∂" + reference(owner) + " = " : "";
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

  /** The node's formula, operands by name; values without a name of their own are written out. */
  String formula(Node node, boolean top) {
    String text = formulaOf(node, top, 0);
    return text.length() > 300 ? text.substring(0, 297) + "..." : text;
  }

  String formulaOf(Node node, boolean top, int depth) {
    Op op = node.op();
    if (!top) {
      Storage storage = plan.storage(node);
      boolean named = storage == Storage.ARRAY || storage == Storage.LEAF;
      if (op instanceof Op.Leaf leaf) {
        return leaf.kind() == Op.Leaf.Kind.LABEL ? "t" : leaf.name();
      }
      if (named) {
        return arrays.get(node);
      }
      if (op instanceof Op.Constant constant) {
        return Numbers.format(constant.value());
      }
      if (op instanceof Op.Size sized) {
        return Long.toString(sized.of().size());
      }
      if (depth > 12) {
        return "…";
      }
    }
    List<String> in = new ArrayList<>();
    for (int k = 0; k < node.inputs().size(); k++) {
      Node input = node.input(k);
      String text = formulaOf(input, false, depth + 1);
      Storage storage = plan.storage(input);
      boolean written = !input.isLeaf() && storage != Storage.ARRAY && storage != Storage.CONSTANT;
      int inner = written ? precedence(input.op()) : 6;
      boolean operator = op instanceof Binary || op == Structural.MATMUL || op == Unary.NEG
          || op == Structural.TRANSPOSE || op instanceof Op.Power;
      int outer = operator ? precedence(op) : 0;
      boolean right = k == 1 && (op == Binary.SUB || op == Binary.DIV || op == Structural.MATMUL);
      in.add(inner < outer || (right && inner == outer) ? "(" + text + ")" : text);
    }
    if (op instanceof Op.Broadcast) {
      return in.get(0);
    }
    if (op instanceof Op.Power power) {
      return in.get(0) + "^" + Numbers.format(power.exponent());
    }
    if (op instanceof Unary unary) {
      return switch (unary) {
        case NEG -> "−" + in.get(0);
        case STEP -> "1{" + in.get(0) + " ≥ 0}";
        default -> unary + "(" + in.get(0) + ")";
      };
    }
    if (op instanceof Binary binary) {
      String symbol = switch (binary) {
        case ADD -> " + ";
        case SUB -> " − ";
        case MUL -> node.input(0).shape().isScalar() || node.input(1).shape().isScalar() ? " " : " ⊙ ";
        case DIV -> " / ";
      };
      return in.get(0) + symbol + in.get(1);
    }
    if (op == Structural.MATMUL) {
      return in.get(0) + " " + in.get(1);
    }
    if (op == Structural.TRANSPOSE) {
      return in.get(0) + "ᵀ";
    }
    if (op == Structural.SUM) {
      return "Σ " + in.get(0);
    }
    return op + "(" + String.join(", ", in) + ")";
  }

  static int precedence(Op op) {
    if (op == Binary.ADD || op == Binary.SUB) {
      return 1;
    }
    if (op == Binary.MUL || op == Binary.DIV || op == Structural.MATMUL) {
      return 2;
    }
    if (op == Unary.NEG) {
      return 3;
    }
    return op == Structural.TRANSPOSE || op instanceof Op.Power ? 5 : 4;
  }

  static Node firstOperand(Node loss) {
    return loss.op() instanceof Loss ? loss.input(0) : loss;
  }

  /** The whole formula from the leaves up, for the class Javadoc. */
  String oneLine(Node node, int depth) {
    if (node.op() instanceof Op.Leaf leaf) {
      return leaf.name();
    }
    if (node.op() instanceof Op.Constant constant) {
      return Numbers.format(constant.value());
    }
    if (depth > 20) {
      return "…";
    }
    List<String> in = new ArrayList<>();
    for (Node input : node.inputs()) {
      String text = oneLine(input, depth + 1);
      boolean compound = input.op() instanceof Binary || input.is(Structural.MATMUL);
      in.add(compound && (node.op() instanceof Binary && !(node.is(Binary.ADD)) || node.is(Structural.MATMUL)
          || node.is(Structural.TRANSPOSE) || node.op() instanceof Op.Power) ? "(" + text + ")" : text);
    }
    Op op = node.op();
    String text;
    if (op instanceof Binary binary) {
      text = in.get(0) + " " + binary.symbol() + " " + in.get(1);
    } else if (op == Structural.MATMUL) {
      text = in.get(0) + " " + in.get(1);
    } else if (op == Structural.TRANSPOSE) {
      text = in.get(0) + "ᵀ";
    } else if (op instanceof Op.Power power) {
      text = in.get(0) + "^" + Numbers.format(power.exponent());
    } else if (op == Unary.NEG) {
      text = "-" + in.get(0);
    } else if (op instanceof Op.Broadcast || op instanceof Op.Size) {
      text = in.isEmpty() ? op.name() : in.get(0);
    } else {
      text = op + "(" + String.join(", ", in) + ")";
    }
    return text.length() > 400 ? text.substring(0, 397) + "..." : text;
  }
}
