package dev.nabla.symbolic;

import dev.nabla.grammar.diagnostic.Span;
import java.util.List;

/**
 * A value in an expression graph: an operation applied to other nodes. Nodes are made only by a
 * {@link Graph}, which hash-conses them, so two equal subexpressions are the same node and identity
 * is equality. The {@code id} orders nodes by creation, which is a topological order.
 */
public final class Node {
  private final int id;
  private final Op op;
  private final List<Node> inputs;
  private final Shape shape;
  private final Span span;

  Node(int id, Op op, List<Node> inputs, Shape shape, Span span) {
    this.id = id;
    this.op = op;
    this.inputs = List.copyOf(inputs);
    this.shape = shape;
    this.span = span;
  }

  public int id() {
    return id;
  }

  public Op op() {
    return op;
  }

  public List<Node> inputs() {
    return inputs;
  }

  public Node input(int index) {
    return inputs.get(index);
  }

  public Shape shape() {
    return shape;
  }

  /** Where the source text that first produced this node stands; {@link Span#NONE} for derived nodes. */
  public Span span() {
    return span;
  }

  public boolean is(Op kind) {
    return op.equals(kind);
  }

  /** A scalar constant with this value. */
  public boolean isConstant(double value) {
    return op instanceof Op.Constant constant && constant.value() == value;
  }

  public boolean isLeaf() {
    return op instanceof Op.Leaf;
  }

  @Override
  public String toString() {
    return "%" + id + " = " + op.name() + inputs.stream().map(in -> "%" + in.id).toList() + " : " + shape;
  }
}
