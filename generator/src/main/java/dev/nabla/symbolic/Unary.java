package dev.nabla.symbolic;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise functions of one operand. Each derivative is written with the node's own value where
 * that is how a person writes it ({@code σ' = y ⊙ (1 − y)}, {@code tanh' = 1 − y²}), which also lets
 * the generated backward pass reuse what the forward pass kept.
 */
public enum Unary implements Op {
  NEG("neg", x -> -x) {
    @Override
    Node derivative(Graph graph, Node x, Node y, Node adjoint) {
      return graph.neg(adjoint);
    }
  },
  RELU("relu", x -> x > 0 ? x : 0) {
    /** relu(x) = x · 1{x ≥ 0}: the derivative is the indicator (its value at 0 does not matter). */
    @Override
    Node derivative(Graph graph, Node x, Node y, Node adjoint) {
      return graph.mul(adjoint, graph.unary(STEP, x));
    }
  },
  SIGMOID("sigmoid", Unary::sigmoid) {
    @Override
    Node derivative(Graph graph, Node x, Node y, Node adjoint) {
      return graph.mul(adjoint, graph.mul(y, graph.sub(graph.constant(1), y)));
    }
  },
  TANH("tanh", Math::tanh) {
    @Override
    Node derivative(Graph graph, Node x, Node y, Node adjoint) {
      return graph.mul(adjoint, graph.sub(graph.constant(1), graph.power(y, 2)));
    }
  },
  EXP("exp", Math::exp) {
    @Override
    Node derivative(Graph graph, Node x, Node y, Node adjoint) {
      return graph.mul(adjoint, y);
    }
  },
  LOG("log", Math::log) {
    @Override
    Node derivative(Graph graph, Node x, Node y, Node adjoint) {
      return graph.div(adjoint, x);
    }
  },
  SOFTPLUS("softplus", Unary::softplus) {
    @Override
    Node derivative(Graph graph, Node x, Node y, Node adjoint) {
      return graph.mul(adjoint, graph.unary(SIGMOID, x));
    }
  },
  /** The indicator {@code 1{x ≥ 0}}: the derivative of relu. Its own derivative is 0 almost everywhere. */
  STEP("step", x -> x >= 0 ? 1 : 0) {
    @Override
    Node derivative(Graph graph, Node x, Node y, Node adjoint) {
      return null;
    }
  };

  private final String spelling;
  private final DoubleUnaryOperator function;

  Unary(String spelling, DoubleUnaryOperator function) {
    this.spelling = spelling;
    this.function = function;
  }

  /** ∂H/∂x given ∂H/∂y, where {@code y = f(x)}; null where it is zero. */
  abstract Node derivative(Graph graph, Node x, Node y, Node adjoint);

  /** The function on one number, in double precision: the interpreter's reference. */
  public double apply(double x) {
    return function.applyAsDouble(x);
  }

  @Override
  public String toString() {
    return spelling;
  }

  /** The two-way stable logistic function: never computes e^x for a large x. */
  public static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  /** log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|). */
  public static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  @Override
  public int arity() {
    return 1;
  }

  @Override
  public Shape shape(List<Shape> inputs, ShapeSolver solver) {
    return inputs.get(0);
  }

  @Override
  public Tensor evaluate(List<Tensor> inputs, Shape shape) {
    Tensor x = inputs.get(0);
    double[] out = new double[x.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = apply(x.get(i));
    }
    return new Tensor(shape, out);
  }

  @Override
  public Node vjp(Graph graph, Node node, int input, Node adjoint) {
    return derivative(graph, node.input(0), node, adjoint);
  }
}
