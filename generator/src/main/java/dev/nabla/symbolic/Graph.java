package dev.nabla.symbolic;

import dev.nabla.grammar.diagnostic.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arena of nodes, which hash-conses them: asking twice for the same operation on the same
 * operands gives the same node, so a value used twice is one node (a DAG) and a derivative that
 * needs {@code softmax(Z2)} finds the forward pass's node.
 *
 * <p>The named constructors ({@link #add}, {@link #mul}, …) simplify as they build, so derivatives
 * come out in the form a person writes: no {@code * 1}, {@code + 0}, {@code ᵀᵀ} or {@code −(−x)},
 * {@code (−a) + b} becomes {@code b − a}, and {@code Σ t} of a one-hot label is 1. Building and
 * simplifying at once is also what keeps the gradient graph within a constant factor of the forward
 * graph: nothing is ever expanded.
 */
public final class Graph {
  private final Map<Key, Node> interned = new HashMap<>();
  private final List<Node> nodes = new ArrayList<>();
  private final ShapeSolver solver;

  private record Key(Op op, List<Integer> inputs) {}

  public Graph() {
    this(new ShapeSolver());
  }

  public Graph(ShapeSolver solver) {
    this.solver = solver;
  }

  public ShapeSolver solver() {
    return solver;
  }

  /** Every node made so far, in creation (and so topological) order. */
  public List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  public int size() {
    return nodes.size();
  }

  /** A leaf with its declared shape; the same name always gives the same leaf. */
  public Node leaf(Op.Leaf leaf, Shape shape, Span span) {
    Key key = new Key(leaf, List.of());
    Node existing = interned.get(key);
    if (existing != null) {
      return existing;
    }
    return intern(key, new Node(nodes.size(), leaf, List.of(), shape, span));
  }

  /**
   * The node for {@code op} applied to {@code inputs}, exactly as written (no simplification): what
   * the lowering of a spec uses, so that a spec's values keep the form the user gave them.
   *
   * @throws ShapeException when the operands' shapes do not fit the operation
   */
  public Node apply(Op op, List<Node> inputs, Span span) throws ShapeException {
    if (inputs.size() != op.arity()) {
      throw new IllegalArgumentException(op.name() + " takes " + op.arity() + " operands, not " + inputs.size());
    }
    List<Integer> ids = new ArrayList<>(inputs.size());
    for (Node input : inputs) {
      ids.add(input.id());
    }
    Key key = new Key(op, ids);
    Node existing = interned.get(key);
    if (existing != null) {
      return existing;
    }
    List<Shape> shapes = new ArrayList<>(inputs.size());
    for (Node input : inputs) {
      shapes.add(input.shape());
    }
    Shape shape = op.shape(shapes, solver);
    return intern(key, new Node(nodes.size(), op, inputs, shape, span));
  }

  private Node intern(Key key, Node node) {
    interned.put(key, node);
    nodes.add(node);
    return node;
  }

  /** {@link #apply} for nodes a derivation makes, whose shapes fit by construction. */
  private Node make(Op op, Node... inputs) {
    try {
      return apply(op, List.of(inputs), Span.NONE);
    } catch (ShapeException e) {
      throw new IllegalStateException("derived " + op.name() + " does not fit its operands: " + e.getMessage(), e);
    }
  }

  // ---- constants ----

  public Node constant(double value) {
    return make(new Op.Constant(value));
  }

  /** The element count of a shape: a number when the shape is known, the symbolic {@code n1} otherwise. */
  public Node size(Shape shape) {
    return shape.isKnown() ? constant(shape.size()) : make(new Op.Size(shape));
  }

  /** A zero of the given shape. */
  public Node zero(Shape shape) {
    return broadcast(constant(0), shape);
  }

  public static boolean isZero(Node node) {
    return node.isConstant(0) || (node.op() instanceof Op.Broadcast && node.input(0).isConstant(0));
  }

  private static Double constantValue(Node node) {
    return node.op() instanceof Op.Constant constant ? constant.value() : null;
  }

  // ---- elementwise ----

  public Node unary(Unary function, Node x) {
    if (function == Unary.NEG) {
      return neg(x);
    }
    Double value = constantValue(x);
    if (value != null) {
      return constant(function.apply(value));
    }
    return make(function, x);
  }

  public Node neg(Node x) {
    Double value = constantValue(x);
    if (value != null) {
      return constant(-value);
    }
    if (x.is(Unary.NEG)) {
      return x.input(0);
    }
    if (x.is(Binary.SUB)) {
      return sub(x.input(1), x.input(0));
    }
    if (x.op() instanceof Op.Broadcast to) {
      return broadcast(neg(x.input(0)), to.to());
    }
    return make(Unary.NEG, x);
  }

  public Node add(Node a, Node b) {
    if (isZero(a)) {
      return fit(b, a, b);
    }
    if (isZero(b)) {
      return fit(a, a, b);
    }
    Double left = constantValue(a);
    Double right = constantValue(b);
    if (left != null && right != null) {
      return constant(left + right);
    }
    if (b.is(Unary.NEG)) {
      return sub(a, b.input(0));
    }
    if (a.is(Unary.NEG)) {
      return sub(b, a.input(0));
    }
    Node factor = commonScalarFactor(a, b);
    if (factor != null) {
      return mul(factor, add(otherFactor(a, factor), otherFactor(b, factor)));
    }
    if (haveCommonDivisor(a, b)) {
      return div(add(a.input(0), b.input(0)), a.input(1));
    }
    return make(Binary.ADD, a, b);
  }

  public Node sub(Node a, Node b) {
    if (isZero(b)) {
      return fit(a, a, b);
    }
    if (isZero(a)) {
      return fit(neg(b), a, b);
    }
    Double left = constantValue(a);
    Double right = constantValue(b);
    if (left != null && right != null) {
      return constant(left - right);
    }
    if (b.is(Unary.NEG)) {
      return add(a, b.input(0));
    }
    Node factor = commonScalarFactor(a, b);
    if (factor != null) {
      return mul(factor, sub(otherFactor(a, factor), otherFactor(b, factor)));
    }
    if (haveCommonDivisor(a, b)) {
      return div(sub(a.input(0), b.input(0)), a.input(1));
    }
    return make(Binary.SUB, a, b);
  }

  /** The scalar {@code c} of {@code c x ± c y}, which a person factors out: {@code c (x ± y)}. */
  private static Node commonScalarFactor(Node a, Node b) {
    if (a.is(Binary.MUL) && b.is(Binary.MUL)) {
      Node factor = a.input(0);
      if (factor.shape().isScalar() && b.input(0) == factor && a.input(1).shape().equals(b.input(1).shape())) {
        return factor;
      }
    }
    return null;
  }

  /** {@code x / n ± y / n} for one scalar {@code n}: it becomes {@code (x ± y) / n}. */
  private static boolean haveCommonDivisor(Node a, Node b) {
    return a.is(Binary.DIV) && b.is(Binary.DIV) && a.input(1) == b.input(1) && a.input(1).shape().isScalar()
        && a.input(0).shape().equals(b.input(0).shape());
  }

  private static Node otherFactor(Node product, Node factor) {
    return product.input(0) == factor ? product.input(1) : product.input(0);
  }

  public Node mul(Node a, Node b) {
    if (isZero(a) || isZero(b)) {
      return zero(broadcastShape(a, b));
    }
    Double left = constantValue(a);
    Double right = constantValue(b);
    if (left != null && right != null) {
      return constant(left * right);
    }
    if (left != null && left == 1) {
      return fit(b, a, b);
    }
    if (right != null && right == 1) {
      return fit(a, a, b);
    }
    if (left != null && left == -1) {
      return fit(neg(b), a, b);
    }
    if (right != null && right == -1) {
      return fit(neg(a), a, b);
    }
    if (a.is(Unary.NEG)) {
      return neg(mul(a.input(0), b));
    }
    if (b.is(Unary.NEG)) {
      return neg(mul(a, b.input(0)));
    }
    if (a.op() instanceof Op.Broadcast) {
      return fit(mul(a.input(0), b), a, b);
    }
    // (1 / n) x reads better as x / n.
    if (a.is(Binary.DIV) && a.input(0).isConstant(1) && a.shape().isScalar() && !b.shape().isScalar()) {
      return div(b, a.input(1));
    }
    if (b.op() instanceof Op.Broadcast) {
      return fit(mul(a, b.input(0)), a, b);
    }
    // A constant factor goes first, as a person writes it: 2 x, not x 2.
    if (right != null) {
      return mul(b, a);
    }
    if (left != null && b.is(Binary.MUL) && constantValue(b.input(0)) != null) {
      return mul(constant(left * constantValue(b.input(0))), b.input(1));
    }
    return make(Binary.MUL, a, b);
  }

  public Node div(Node a, Node b) {
    Double left = constantValue(a);
    Double right = constantValue(b);
    if (right != null && right == 1) {
      return fit(a, a, b);
    }
    if (isZero(a)) {
      return zero(broadcastShape(a, b));
    }
    if (left != null && right != null) {
      return constant(left / right);
    }
    if (a.is(Unary.NEG)) {
      return neg(div(a.input(0), b));
    }
    return make(Binary.DIV, a, b);
  }

  public Node power(Node x, double exponent) {
    if (exponent == 1) {
      return x;
    }
    if (exponent == 0) {
      return fit(constant(1), x, x);
    }
    Double value = constantValue(x);
    if (value != null) {
      return constant(Math.pow(value, exponent));
    }
    return make(new Op.Power(exponent), x);
  }

  // ---- structural ----

  /** The product {@code a b}; a scalar operand makes it a scaling. */
  public Node matmul(Node a, Node b) {
    if (a.shape().isScalar() || b.shape().isScalar()) {
      return mul(a, b);
    }
    if (isZero(a) || isZero(b)) {
      try {
        return zero(solver.product(a.shape(), b.shape()));
      } catch (ShapeException e) {
        throw new IllegalStateException("derived product does not fit: " + e.getMessage(), e);
      }
    }
    return make(Structural.MATMUL, a, b);
  }

  public Node transpose(Node x) {
    if (x.shape().isScalar()) {
      return x;
    }
    if (x.is(Structural.TRANSPOSE)) {
      return x.input(0);
    }
    if (x.is(Unary.NEG)) {
      return neg(transpose(x.input(0)));
    }
    if (x.op() instanceof Op.Broadcast) {
      return broadcast(x.input(0), x.shape().transposed());
    }
    return make(Structural.TRANSPOSE, x);
  }

  public Node structural(Structural op, Node x) {
    return switch (op) {
      case MATMUL -> throw new IllegalArgumentException("matmul takes two operands");
      case TRANSPOSE -> transpose(x);
      case SUM -> sum(x);
      default -> make(op, x);
    };
  }

  public Node sum(Node x) {
    if (x.shape().isScalar()) {
      return x;
    }
    if (x.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.LABEL) {
      return constant(1); // a one-hot label sums to 1
    }
    if (x.is(Unary.NEG)) {
      return neg(sum(x.input(0)));
    }
    if (x.op() instanceof Op.Broadcast) {
      return mul(x.input(0), size(x.shape()));
    }
    if (x.is(Binary.MUL) && x.input(0).shape().isScalar()) {
      return mul(x.input(0), sum(x.input(1)));
    }
    return make(Structural.SUM, x);
  }

  /** A scalar spread over {@code shape}; a scalar shape needs no spreading. */
  public Node broadcast(Node scalar, Shape shape) {
    if (shape.isScalar()) {
      return scalar;
    }
    return make(new Op.Broadcast(shape), scalar);
  }

  /** An image operation (convolution, pooling, flatten, dropout) or one of their gradients, as it stands. */
  public Node spatial(Spatial op, Node... inputs) {
    return make(op, inputs);
  }

  public Node loss(Loss loss, Node prediction, Node labelOrTarget) {
    return make(loss, prediction, labelOrTarget);
  }

  /**
   * An adjoint brought to the shape of the operand it belongs to: summed where the operand was a
   * broadcast scalar, spread where a scalar adjoint meets a tensor operand.
   */
  public Node reduceTo(Node adjoint, Shape shape) {
    if (adjoint == null) {
      return null;
    }
    Shape current = adjoint.shape();
    if (current.equals(shape)) {
      return adjoint;
    }
    if (shape.isScalar()) {
      return sum(adjoint);
    }
    if (current.isScalar()) {
      return broadcast(adjoint, shape);
    }
    if (current.isImage() && shape.isVector()) {
      return make(new Spatial.ChannelSum(), adjoint); // the gradient of a bias per channel
    }
    throw new IllegalStateException("adjoint of shape " + current + " for an operand of shape " + shape);
  }

  /** The shape of an elementwise result: the operand of higher rank (a scalar or a bias per channel broadcasts). */
  private Shape broadcastShape(Node a, Node b) {
    return a.shape().rank() >= b.shape().rank() ? a.shape() : b.shape();
  }

  /** {@code result}, spread to the shape an elementwise operation on {@code a} and {@code b} has. */
  private Node fit(Node result, Node a, Node b) {
    Shape shape = broadcastShape(a, b);
    if (result.shape().equals(shape)) {
      return result;
    }
    if (result.shape().isVector() && shape.isImage()) {
      return make(Binary.ADD, zero(shape), result); // a bias per channel, spread over the image
    }
    return result.shape().isScalar() ? broadcast(result, shape) : result;
  }
}
