package dev.nabla.symbolic;

import java.util.List;

/**
 * An operation of the expression graph, and everything about it in one place: how many operands it
 * takes, the shape it produces, how it is evaluated in double precision, and its derivative as a
 * vector-Jacobian product built from other nodes. The code writer and the printers dispatch on these
 * types; adding an operation means adding it here (or to one of the families below) with its tests.
 *
 * <p>Families: {@link Leaf} (inputs, labels, targets, parameters), {@link Constant}, {@link Size},
 * {@link Unary} (elementwise functions), {@link Binary} (elementwise arithmetic with scalar
 * broadcasting), {@link Power}, {@link Structural} (products, transposes, softmax, reductions,
 * one-hot), {@link Loss} and {@link Spatial} (convolution, pooling, flatten, dropout).
 */
public sealed interface Op permits Op.Leaf, Op.Constant, Op.Size, Op.Broadcast, Op.Power, Unary, Binary, Structural, Loss, Spatial {

  /** The name printers and messages use. */
  String name();

  int arity();

  /** The shape of the result, given the operands' shapes; a mismatch throws with the reason. */
  Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException;

  /** The value of the result in double precision; {@code shape} is the node's (known) shape. */
  Tensor evaluate(List<Tensor> inputs, Shape shape);

  /**
   * The vector-Jacobian product: given the adjoint {@code ∂H/∂node}, the contribution to
   * {@code ∂H/∂(input)}, built in {@code graph}; {@code null} where no gradient flows (a label, a
   * step function's almost-everywhere zero derivative).
   */
  Node vjp(Graph graph, Node node, int input, Node adjoint);

  /** A value fed from outside: the sample, its label or target, or a parameter. */
  record Leaf(Kind kind, String name, Dim classes) implements Op {
    public enum Kind { INPUT, LABEL, TARGET, PARAM }

    public static Leaf input(String name) {
      return new Leaf(Kind.INPUT, name, null);
    }

    public static Leaf param(String name) {
      return new Leaf(Kind.PARAM, name, null);
    }

    public static Leaf target(String name) {
      return new Leaf(Kind.TARGET, name, null);
    }

    /** A class index in {@code [0, classes)}; its value is a scalar, {@code onehot} makes it a vector. */
    public static Leaf label(String name, Dim classes) {
      return new Leaf(Kind.LABEL, name, classes);
    }

    @Override
    public int arity() {
      return 0;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) {
      throw new IllegalStateException("a leaf's shape is declared, not computed");
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      throw new IllegalStateException("leaf " + name + " is bound by the caller");
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return null;
    }
  }

  /** A scalar number; it broadcasts over tensors in elementwise operations. */
  record Constant(double value) implements Op {
    @Override
    public String name() {
      return Numbers.format(value);
    }

    @Override
    public int arity() {
      return 0;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) {
      return Shape.SCALAR;
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return Tensor.scalar(value);
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return null;
    }
  }

  /**
   * The number of elements of a shape, as a scalar: the {@code N} of a mean. Kept symbolic so that a
   * one-liner's {@code mean} differentiates to {@code g / n1} rather than to a number.
   */
  record Size(Shape of) implements Op {
    @Override
    public String name() {
      return "size";
    }

    @Override
    public int arity() {
      return 0;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) {
      return Shape.SCALAR;
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return Tensor.scalar(of.size());
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return null;
    }
  }

  /** A scalar spread over a shape: the adjoint of a sum. Printers write just the scalar. */
  record Broadcast(Shape to) implements Op {
    @Override
    public String name() {
      return "broadcast";
    }

    @Override
    public int arity() {
      return 1;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      if (!solver.resolve(inputs.get(0)).isScalar()) {
        throw new ShapeException("only a scalar can be broadcast, not " + inputs.get(0));
      }
      return to;
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double[] data = new double[Math.toIntExact(shape.size())];
      java.util.Arrays.fill(data, inputs.get(0).scalarValue());
      return new Tensor(shape, data);
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.sum(adjoint);
    }
  }

  /** {@code x ^ p} elementwise, for a constant exponent. */
  record Power(double exponent) implements Op {
    @Override
    public String name() {
      return "^" + Numbers.format(exponent);
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
        out[i] = exponent == 2 ? x.get(i) * x.get(i) : Math.pow(x.get(i), exponent);
      }
      return new Tensor(shape, out);
    }

    /** {@code d(x^p) = p x^(p-1)}: for p = 2 that is {@code 2 x}, for p = 1 just 1. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      Node x = node.input(0);
      Node slope = graph.mul(graph.constant(exponent), graph.power(x, exponent - 1));
      return graph.mul(adjoint, slope);
    }
  }
}
