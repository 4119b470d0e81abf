package dev.nabla.symbolic;

import java.util.List;

/**
 * Elementwise arithmetic on two operands of one shape, or a scalar and a tensor (the scalar applies
 * to every element). Where a scalar operand was broadcast, its adjoint is the sum over the elements.
 */
public enum Binary implements Op {
  ADD("+") {
    @Override
    double apply(double a, double b) {
      return a + b;
    }

    @Override
    Node derivative(Graph graph, Node node, int input, Node adjoint) {
      return adjoint;
    }
  },
  SUB("-") {
    @Override
    double apply(double a, double b) {
      return a - b;
    }

    @Override
    Node derivative(Graph graph, Node node, int input, Node adjoint) {
      return input == 0 ? adjoint : graph.neg(adjoint);
    }
  },
  MUL("*") {
    @Override
    double apply(double a, double b) {
      return a * b;
    }

    @Override
    Node derivative(Graph graph, Node node, int input, Node adjoint) {
      return graph.mul(adjoint, node.input(1 - input));
    }
  },
  DIV("/") {
    @Override
    double apply(double a, double b) {
      return a / b;
    }

    /** d(a/b) = da / b − a db / b², and a / b² is node / b. */
    @Override
    Node derivative(Graph graph, Node node, int input, Node adjoint) {
      Node b = node.input(1);
      return input == 0
          ? graph.div(adjoint, b)
          : graph.neg(graph.div(graph.mul(adjoint, node), b));
    }
  };

  private final String symbol;

  Binary(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  abstract double apply(double a, double b);

  /** ∂H/∂(input), before un-broadcasting to the operand's shape. */
  abstract Node derivative(Graph graph, Node node, int input, Node adjoint);

  @Override
  public int arity() {
    return 2;
  }

  @Override
  public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
    return this == ADD || this == SUB
        ? solver.biasBroadcast(inputs.get(0), inputs.get(1))
        : solver.broadcast(inputs.get(0), inputs.get(1));
  }

  @Override
  public Tensor evaluate(List<Tensor> inputs, Shape shape) {
    Tensor a = inputs.get(0);
    Tensor b = inputs.get(1);
    double[] out = new double[Math.toIntExact(shape.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = apply(element(a, i, out.length), element(b, i, out.length));
    }
    return new Tensor(shape, out);
  }

  /**
   * Element {@code i} of a result of {@code size} elements, as the operand contributes it: a scalar
   * everywhere, a bias per channel to every pixel of its channel (channels lead, row-major).
   */
  private static double element(Tensor operand, int i, int size) {
    int n = operand.size();
    return n == size ? operand.get(i) : n == 1 ? operand.get(0) : operand.get(i / (size / n));
  }

  @Override
  public Node vjp(Graph graph, Node node, int input, Node adjoint) {
    return graph.reduceTo(derivative(graph, node, input, adjoint), node.input(input).shape());
  }
}
