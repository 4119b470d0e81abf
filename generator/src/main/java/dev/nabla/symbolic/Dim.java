package dev.nabla.symbolic;

/**
 * One dimension of a shape: a known size, or a symbolic one ({@code n0}, {@code n1}) that shape
 * inference has not pinned to a number. One-liners such as {@code softmax(W2 relu(W1 X + b1) + b2)}
 * keep symbolic dimensions all the way to the printed formulas.
 */
public sealed interface Dim {

  record Size(long value) implements Dim {
    public Size {
      if (value < 1) {
        throw new IllegalArgumentException("a dimension is at least 1, not " + value);
      }
    }

    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  /** A dimension known only by name; two variables with the same id are the same dimension. */
  record Var(int id, String name) implements Dim {
    @Override
    public String toString() {
      return name;
    }
  }

  static Dim of(long size) {
    return new Size(size);
  }

  default boolean isKnown() {
    return this instanceof Size;
  }

  /** The size, for a known dimension. */
  default long size() {
    if (this instanceof Size known) {
      return known.value();
    }
    throw new IllegalStateException("dimension " + this + " is symbolic");
  }
}
