package dev.nabla.symbolic;

import java.util.List;

/**
 * The losses: a prediction and a label or target in, a scalar out. A class label is a one-hot
 * vector {@code t} in formulas (the lesson's notation), so {@code nll(v, y) = −Σ t ⊙ v}.
 */
public enum Loss implements Op {
  /** Negative log-likelihood of log-probabilities: {@code −v[y]}. */
  NLL("nll") {
    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return Tensor.scalar(-dot(inputs.get(0).data(), inputs.get(1).data()));
    }

    /** ∂H/∂log(y2_k) = −t_k. */
    @Override
    Node derivative(Graph graph, Node node, Node adjoint) {
      return graph.mul(adjoint, graph.neg(node.input(1)));
    }
  },
  /** Softmax and cross-entropy fused: {@code log Σ e^z − z[y]}, stable for any logits. */
  CROSS_ENTROPY("cross_entropy") {
    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double[] logits = inputs.get(0).data();
      return Tensor.scalar(Structural.logSumExp(logits) - dot(logits, inputs.get(1).data()));
    }

    /** ∂H/∂z = softmax(z) − t: the lesson's {@code Y2 − t}. */
    @Override
    Node derivative(Graph graph, Node node, Node adjoint) {
      Node probabilities = graph.structural(Structural.SOFTMAX, node.input(0));
      return graph.mul(adjoint, graph.sub(probabilities, node.input(1)));
    }
  },
  /** Binary cross-entropy of probabilities, averaged over elements; logs clamped at −100 as PyTorch does. */
  BCE("bce") {
    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double[] p = inputs.get(0).data();
      double[] t = inputs.get(1).data();
      double sum = 0;
      for (int i = 0; i < p.length; i++) {
        sum -= t[i] * Math.max(Math.log(p[i]), -100) + (1 - t[i]) * Math.max(Math.log1p(-p[i]), -100);
      }
      return Tensor.scalar(sum / p.length);
    }

    /** ∂H/∂p = (p − t) / (p (1 − p)) / N. */
    @Override
    Node derivative(Graph graph, Node node, Node adjoint) {
      Node p = node.input(0);
      Node t = node.input(1);
      Node perElement = graph.div(graph.sub(p, t), graph.mul(p, graph.sub(graph.constant(1), p)));
      return graph.mul(graph.div(adjoint, graph.size(p.shape())), perElement);
    }
  },
  /** Mean squared error over elements. */
  MSE("mse") {
    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double[] y = inputs.get(0).data();
      double[] t = inputs.get(1).data();
      double sum = 0;
      for (int i = 0; i < y.length; i++) {
        sum += (y[i] - t[i]) * (y[i] - t[i]);
      }
      return Tensor.scalar(sum / y.length);
    }

    /** ∂H/∂y = 2 (y − t) / N. */
    @Override
    Node derivative(Graph graph, Node node, Node adjoint) {
      Node y = node.input(0);
      Node scale = graph.div(graph.mul(graph.constant(2), adjoint), graph.size(y.shape()));
      return graph.mul(scale, graph.sub(y, node.input(1)));
    }
  };

  private final String spelling;

  Loss(String spelling) {
    this.spelling = spelling;
  }

  /** ∂H/∂(prediction); labels and targets get no gradient. */
  abstract Node derivative(Graph graph, Node node, Node adjoint);

  @Override
  public int arity() {
    return 2;
  }

  @Override
  public String toString() {
    return spelling;
  }

  @Override
  public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
    Shape prediction = solver.resolve(inputs.get(0));
    if (this == NLL || this == CROSS_ENTROPY) {
      prediction = solver.expectVector(prediction);
    }
    try {
      solver.unify(prediction, inputs.get(1));
    } catch (ShapeException mismatch) {
      throw new ShapeException(spelling + " needs a prediction and a " + (this == NLL || this == CROSS_ENTROPY ? "label" : "target")
          + " of one size: " + solver.resolve(inputs.get(0)) + " vs " + solver.resolve(inputs.get(1)));
    }
    return Shape.SCALAR;
  }

  @Override
  public Node vjp(Graph graph, Node node, int input, Node adjoint) {
    return input == 0 ? derivative(graph, node, adjoint) : null;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
