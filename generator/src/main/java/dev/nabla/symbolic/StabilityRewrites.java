package dev.nabla.symbolic;

import dev.nabla.grammar.diagnostic.Span;
import java.util.List;
import java.util.function.Function;

/**
 * Rewrites of what a user wrote into forms that do not overflow, each reported with where it
 * applied and why. They are peepholes: each looks at the operation about to be built and the
 * operands it would take.
 *
 * <ul>
 *   <li>{@code log(softmax(z)) → logsoftmax(z)}: the log of a probability that underflowed to 0 is −∞.
 *   <li>{@code log(sigmoid(z)) → −softplus(−z)}: the same for the logistic function.
 *   <li>{@code nll(logsoftmax(z), y) → cross_entropy(z, y)} and {@code −sum(t * logsoftmax(z)) →
 *       cross_entropy(z, y)}: one fused pass whose gradient is {@code softmax(z) − t}.
 *   <li>{@code bce(sigmoid(z), t) → mean(softplus(z) − t * z)}: finite for any logit, gradient
 *       {@code (sigmoid(z) − t) / N}.
 * </ul>
 */
final class StabilityRewrites {
  private StabilityRewrites() {}

  record Result(Node node, Rewrite rewrite) {}

  /** The rewritten node, or null when no rewrite applies. */
  static Result apply(Graph graph, Op op, List<Node> inputs, Span span, Function<Span, String> sourceText) throws ShapeException {
    Function<Span, String> text = sourceText;
    Function<Node, String> describe = node -> node.op() instanceof Op.Leaf leaf ? leaf.name() : sourceText.apply(node.span());
    if (op == Unary.LOG && inputs.get(0).is(Structural.SOFTMAX)) {
      Node z = inputs.get(0).input(0);
      return new Result(graph.apply(Structural.LOGSOFTMAX, List.of(z), span), new Rewrite(
          "log(softmax(" + text.apply(z.span()) + "))", "logsoftmax(" + text.apply(z.span()) + ")", span,
          "the log of a probability that underflowed to 0 is −∞; logsoftmax subtracts log Σ e^z instead"));
    }
    if (op == Unary.LOG && inputs.get(0).is(Unary.SIGMOID)) {
      Node z = inputs.get(0).input(0);
      Node negated = graph.apply(Unary.NEG, List.of(z), span);
      Node softplus = graph.apply(Unary.SOFTPLUS, List.of(negated), span);
      return new Result(graph.apply(Unary.NEG, List.of(softplus), span), new Rewrite(
          "log(sigmoid(" + text.apply(z.span()) + "))", "−softplus(−" + text.apply(z.span()) + ")", span,
          "sigmoid(z) rounds to 0 for z below −745, and its log to −∞"));
    }
    if (op == Loss.NLL && inputs.get(0).is(Structural.LOGSOFTMAX)) {
      Node z = inputs.get(0).input(0);
      return new Result(graph.apply(Loss.CROSS_ENTROPY, List.of(z, inputs.get(1)), span), new Rewrite(
          "nll(logsoftmax(" + text.apply(z.span()) + "), " + Network.leafName(inputs.get(1)) + ")",
          "cross_entropy(" + text.apply(z.span()) + ", " + Network.leafName(inputs.get(1)) + ")", span,
          "one fused, stable pass; ∂H/∂z = softmax(z) − t"));
    }
    if (op == Unary.NEG && inputs.get(0).is(Structural.SUM)) {
      Node summed = inputs.get(0).input(0);
      if (summed.is(Binary.MUL)) {
        Node label = labelOf(summed);
        Node logProbabilities = label == summed.input(0) ? summed.input(1) : summed.input(0);
        if (label != null && logProbabilities.is(Structural.LOGSOFTMAX)) {
          Node z = logProbabilities.input(0);
          return new Result(graph.apply(Loss.CROSS_ENTROPY, List.of(z, label), span), new Rewrite(
              "−sum(t * logsoftmax(" + text.apply(z.span()) + "))",
              "cross_entropy(" + text.apply(z.span()) + ", " + Network.leafName(label) + ")", span,
              "cross-entropy against a one-hot label, in one fused, stable pass"));
        }
      }
    }
    if (op == Loss.BCE && inputs.get(0).is(Unary.SIGMOID)) {
      Node z = inputs.get(0).input(0);
      Node t = inputs.get(1);
      Node softplus = graph.apply(Unary.SOFTPLUS, List.of(z), span);
      Node perElement = graph.apply(Binary.SUB, List.of(softplus, graph.apply(Binary.MUL, List.of(t, z), span)), span);
      return new Result(graph.apply(Structural.MEAN, List.of(perElement), span), new Rewrite(
          "bce(sigmoid(" + text.apply(z.span()) + "), " + describe.apply(t) + ")",
          "mean(softplus(" + text.apply(z.span()) + ") − " + describe.apply(t) + " * " + text.apply(z.span()) + ")", span,
          "log(sigmoid(z)) and log(1 − sigmoid(z)) overflow for large |z|; the same loss on the logits does not"));
    }
    return null;
  }

  private static Node labelOf(Node product) {
    for (Node operand : product.inputs()) {
      if (operand.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.LABEL) {
        return operand;
      }
    }
    return null;
  }
}
