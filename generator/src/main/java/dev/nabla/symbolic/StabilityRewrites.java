package dev.nabla.symbolic;

import dev.nabla.grammar.diagnostic.Span;
import java.util.List;

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
 *   <li>{@code log(sum(exp(z))) → mean(z − logsoftmax(z))}, the stable log-sum-exp, whose gradient
 *       is {@code softmax(z)}; {@code exp(z) / sum(exp(z)) → softmax(z)}.
 * </ul>
 */
final class StabilityRewrites {
  private StabilityRewrites() {}

  record Result(Node node, Rewrite rewrite) {}

  /** The rewritten node, or null when no rewrite applies. */
  static Result apply(Graph graph, Op op, List<Node> inputs, Span span) throws ShapeException {
    if (op == Unary.LOG && inputs.get(0).is(Structural.SOFTMAX)) {
      Node z = inputs.get(0).input(0);
      return new Result(graph.apply(Structural.LOGSOFTMAX, List.of(z), span), new Rewrite(
          "log(softmax({0}))", "logsoftmax({0})", span,
          "the log of a probability that underflowed to 0 is −∞; logsoftmax subtracts log Σ e^z instead", List.of(z)));
    }
    if (op == Unary.LOG && inputs.get(0).is(Unary.SIGMOID)) {
      Node z = inputs.get(0).input(0);
      Node negated = graph.apply(Unary.NEG, List.of(z), span);
      Node softplus = graph.apply(Unary.SOFTPLUS, List.of(negated), span);
      return new Result(graph.apply(Unary.NEG, List.of(softplus), span), new Rewrite(
          "log(sigmoid({0}))", "-softplus(-{0*})", span,
          "sigmoid(z) rounds to 0 for z below −745, and its log to −∞", List.of(z)));
    }
    if (op == Unary.LOG && inputs.get(0).is(Structural.SUM) && inputs.get(0).input(0).is(Unary.EXP)
        && vectorOrUndecided(graph, inputs.get(0).input(0).input(0))) {
      // log Σ e^z = mean(z − logsoftmax(z)): every element of z − logsoftmax(z) is log Σ e^z, computed without overflow.
      Node z = inputs.get(0).input(0).input(0);
      Node logSoftmax = graph.apply(Structural.LOGSOFTMAX, List.of(z), span);
      return new Result(graph.apply(Structural.MEAN, List.of(graph.apply(Binary.SUB, List.of(z, logSoftmax), span)), span), new Rewrite(
          "log(sum(exp({0})))", "mean({0} - logsoftmax({0}))", span,
          "the stable log-sum-exp: e^z overflows above z = 709, logsoftmax subtracts the maximum first; ∂/∂z = softmax(z)", List.of(z)));
    }
    if (op == Binary.DIV && inputs.get(0).is(Unary.EXP) && inputs.get(1).is(Structural.SUM) && inputs.get(1).input(0) == inputs.get(0)
        && vectorOrUndecided(graph, inputs.get(0))) {
      Node z = inputs.get(0).input(0);
      return new Result(graph.apply(Structural.SOFTMAX, List.of(z), span), new Rewrite(
          "exp({0}) / sum(exp({0}))", "softmax({0})", span,
          "e^z overflows above z = 709; softmax subtracts the maximum first", List.of(z)));
    }
    if (op == Loss.NLL && inputs.get(0).is(Structural.LOGSOFTMAX)) {
      Node z = inputs.get(0).input(0);
      return new Result(graph.apply(Loss.CROSS_ENTROPY, List.of(z, inputs.get(1)), span), new Rewrite(
          "nll(logsoftmax({0}), {1})", "cross_entropy({0}, {1})", span,
          "one fused, stable pass; ∂H/∂z = softmax(z) − t", List.of(z, inputs.get(1))));
    }
    if (op == Unary.NEG && inputs.get(0).is(Structural.SUM)) {
      Node summed = inputs.get(0).input(0);
      if (summed.is(Binary.MUL)) {
        Node label = labelOf(summed);
        Node logProbabilities = label == summed.input(0) ? summed.input(1) : summed.input(0);
        if (label != null && logProbabilities.is(Structural.LOGSOFTMAX)) {
          Node z = logProbabilities.input(0);
          return new Result(graph.apply(Loss.CROSS_ENTROPY, List.of(z, label), span), new Rewrite(
              "-sum(t * logsoftmax({0}))", "cross_entropy({0}, {1})", span,
              "cross-entropy against a one-hot label, in one fused, stable pass", List.of(z, label)));
        }
      }
    }
    if (op == Loss.BCE && inputs.get(0).is(Unary.SIGMOID)) {
      Node z = inputs.get(0).input(0);
      Node t = inputs.get(1);
      Node softplus = graph.apply(Unary.SOFTPLUS, List.of(z), span);
      Node perElement = graph.apply(Binary.SUB, List.of(softplus, graph.apply(Binary.MUL, List.of(t, z), span)), span);
      return new Result(graph.apply(Structural.MEAN, List.of(perElement), span), new Rewrite(
          "bce(sigmoid({0}), {1})", "mean(softplus({0}) - {1*} * {0*})", span,
          "log(sigmoid(z)) and log(1 − sigmoid(z)) overflow for large |z|; the same loss on the logits does not", List.of(z, t)));
    }
    return null;
  }

  /** A vector, or a one-liner's free name not yet decided: softmax and logsoftmax take vectors only. */
  private static boolean vectorOrUndecided(Graph graph, Node node) {
    Shape shape = graph.solver().resolve(node.shape());
    return shape.isVector() || shape.isUnknown();
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
