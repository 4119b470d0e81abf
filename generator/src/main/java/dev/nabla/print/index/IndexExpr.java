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

    /**
     * A position computed from index variables, as convolutions address their input: {@code
     * Σ coefficient·var + shift}, divided by {@code divisor} when it is not 1 ({@code 2p+i−1},
     * {@code h+1−i}, {@code (h+1−i)/2}); with {@code flat}, the row-major position of the variables
     * in an image ({@code (c,h,w)}), as a flattened vector is addressed.
     */
    record Affine(List<Var> vars, List<Integer> coefficients, int shift, int divisor, boolean flat) implements Index {
      public Affine {
        vars = List.copyOf(vars);
        coefficients = List.copyOf(coefficients);
      }

      static Affine flat(List<Var> vars) {
        return new Affine(vars, vars.stream().map(v -> 1).toList(), 0, 1, true);
      }

      Affine withVars(List<Var> renamed) {
        return new Affine(renamed, coefficients, shift, divisor, flat);
      }

      @Override
      public String toString() {
        if (flat) {
          return "(" + String.join(",", vars.stream().map(Var::name).toList()) + ")";
        }
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < vars.size(); k++) {
          int c = coefficients.get(k);
          if (out.length() > 0 || c < 0) {
            out.append(c < 0 ? "−" : "+");
          }
          if (Math.abs(c) != 1) {
            out.append(Math.abs(c));
          }
          out.append(vars.get(k).name());
        }
        if (shift != 0) {
          out.append(shift < 0 ? "−" : "+").append(Math.abs(shift));
        }
        return divisor == 1 ? out.toString() : "(" + out + ")/" + divisor;
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

  /**
   * Pooling's indicators: max pooling's routing {@code 1{(h,w) = argmax of window (p,q) of a_c}}, 1
   * where the element {@code at} of {@code image} is the (first) maximum of the window at {@code
   * window}; with no image (average pooling), {@code 1{(h,w) ∈ window (p,q)}}.
   */
  record Routing(String image, List<Index> at, List<Index> window) implements IndexExpr {
    public Routing {
      at = List.copyOf(at);
      window = List.copyOf(window);
    }
  }

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
