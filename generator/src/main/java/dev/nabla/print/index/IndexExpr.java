package dev.nabla.print.index;

import dev.nabla.symbolic.Dim;
import java.util.List;

/**
 * A formula for one element of a tensor, written with indices as the lesson writes gradients:
 * {@code (y2_p − t_p) · y1_q}, {@code Σ_k w2_{k,m} · (y2_k − t_k)}. Made by {@link IndexTranslator}
 * from a node, tidied by {@link IndexSimplifier}, printed by {@link IndexFormatter}.
 */
public sealed interface IndexExpr {

  /** An index: a variable such as {@code p} or a summation index, or a fixed position such as 0. */
  sealed interface Index {
    record Var(String name) implements Index {
      @Override
      public String toString() {
        return name;
      }
    }

    record At(long position) implements Index {
      @Override
      public String toString() {
        return Long.toString(position);
      }
    }

    static Index var(String name) {
      return new Var(name);
    }

    static Index at(long position) {
      return new At(position);
    }
  }

  /** The element {@code name_{indices}} of a named value; a scalar has no indices. */
  record Element(String name, List<Index> indices) implements IndexExpr {
    public Element {
      indices = List.copyOf(indices);
    }
  }

  record Number(double value) implements IndexExpr {}

  /** {@code Σ_index body}, the index running over {@code range}. */
  record Sum(Index.Var index, Dim range, IndexExpr body) implements IndexExpr {}

  record Add(List<IndexExpr> terms) implements IndexExpr {
    public Add {
      terms = List.copyOf(terms);
    }
  }

  record Subtract(IndexExpr left, IndexExpr right) implements IndexExpr {}

  record Multiply(List<IndexExpr> factors) implements IndexExpr {
    public Multiply {
      factors = List.copyOf(factors);
    }
  }

  record Divide(IndexExpr left, IndexExpr right) implements IndexExpr {}

  record Negate(IndexExpr operand) implements IndexExpr {}

  record Power(IndexExpr base, double exponent) implements IndexExpr {}

  /** A function applied to one element: {@code relu(z1_m)}; {@code step} prints as {@code 1{z1_m ≥ 0}}. */
  record Apply(String function, IndexExpr argument) implements IndexExpr {}

  /** The Kronecker delta {@code 1{left=right}}. */
  record Delta(Index left, Index right) implements IndexExpr {}

  static IndexExpr number(double value) {
    return new Number(value);
  }

  static IndexExpr multiply(IndexExpr... factors) {
    return new Multiply(List.of(factors));
  }

  default boolean isNumber(double value) {
    return this instanceof Number number && number.value() == value;
  }
}
