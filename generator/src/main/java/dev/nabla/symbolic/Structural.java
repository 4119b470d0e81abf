package dev.nabla.symbolic;

import java.util.List;

/** Operations that mix elements: products, transposes, softmax and the reductions. */
public enum Structural implements Op {
  /** The matrix product, written by juxtaposition: {@code W X}. */
  MATMUL("matmul", 2) {
    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return solver.product(inputs.get(0), inputs.get(1));
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      Tensor a = inputs.get(0);
      Tensor b = inputs.get(1);
      int rows = a.rows();
      int inner = a.columns();
      int columns = b.columns();
      double[] out = new double[rows * columns];
      for (int i = 0; i < rows; i++) {
        for (int k = 0; k < inner; k++) {
          double aik = a.get(i * inner + k);
          for (int j = 0; j < columns; j++) {
            out[i * columns + j] += aik * b.get(k * columns + j);
          }
        }
      }
      return new Tensor(shape, out);
    }

    /** For {@code Z = A B}: ∂H/∂A = G Bᵀ and ∂H/∂B = Aᵀ G, whatever mix of vectors and matrices. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return input == 0
          ? graph.matmul(adjoint, graph.transpose(node.input(1)))
          : graph.matmul(graph.transpose(node.input(0)), adjoint);
    }
  },
  TRANSPOSE("transpose", 1) {
    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      Shape operand = solver.decideTransposed(inputs.get(0));
      if (operand.rank() > 2) {
        throw new ShapeException("only vectors and matrices have a transpose, not " + ShapeSolver.describe(operand));
      }
      return operand.transposed();
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      Tensor a = inputs.get(0);
      int rows = a.rows();
      int columns = a.columns();
      double[] out = new double[a.size()];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < columns; j++) {
          out[j * rows + i] = a.get(i * columns + j);
        }
      }
      return new Tensor(shape, out);
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.transpose(adjoint);
    }
  },
  SOFTMAX("softmax", 1) {
    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return solver.expectVector(inputs.get(0));
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double[] logits = inputs.get(0).data();
      double logSumExp = logSumExp(logits);
      double[] out = new double[logits.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.exp(logits[i] - logSumExp);
      }
      return new Tensor(shape, out);
    }

    /** ∂H/∂z = y ⊙ (g − Σ g ⊙ y). */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.mul(node, graph.sub(adjoint, graph.sum(graph.mul(adjoint, node))));
    }
  },
  LOGSOFTMAX("logsoftmax", 1) {
    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return solver.expectVector(inputs.get(0));
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double[] logits = inputs.get(0).data();
      double logSumExp = logSumExp(logits);
      double[] out = new double[logits.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = logits[i] - logSumExp;
      }
      return new Tensor(shape, out);
    }

    /** The lesson's Jacobian I − 1·softmax(u)ᵀ, applied to g: g − softmax(u) Σ g. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      Node softmax = graph.structural(SOFTMAX, node.input(0));
      return graph.sub(adjoint, graph.mul(softmax, graph.sum(adjoint)));
    }
  },
  SUM("sum", 1) {
    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) {
      return Shape.SCALAR;
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double sum = 0;
      for (double value : inputs.get(0).data()) {
        sum += value;
      }
      return Tensor.scalar(sum);
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.broadcast(adjoint, node.input(0).shape());
    }
  },
  MEAN("mean", 1) {
    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) {
      return Shape.SCALAR;
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double sum = 0;
      for (double value : inputs.get(0).data()) {
        sum += value;
      }
      return Tensor.scalar(sum / inputs.get(0).size());
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      Shape shape = node.input(0).shape();
      return graph.broadcast(graph.div(adjoint, graph.size(shape)), shape);
    }
  };

  private final String spelling;
  private final int arity;

  Structural(String spelling, int arity) {
    this.spelling = spelling;
    this.arity = arity;
  }

  @Override
  public int arity() {
    return arity;
  }

  @Override
  public String toString() {
    return spelling;
  }

  /** log Σ e^x, shifted by the maximum so that no exponential overflows. */
  public static double logSumExp(double[] values) {
    double max = Double.NEGATIVE_INFINITY;
    for (double value : values) {
      max = Math.max(max, value);
    }
    if (Double.isInfinite(max)) {
      return max;
    }
    double sum = 0;
    for (double value : values) {
      sum += Math.exp(value - max);
    }
    return max + Math.log(sum);
  }
}
