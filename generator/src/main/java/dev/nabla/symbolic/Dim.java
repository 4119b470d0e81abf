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

  /**
   * The number of positions a window of {@code kernel} takes over {@code in}, moved by {@code
   * stride} after {@code padding} zeros on both sides: {@code (in + 2·padding − kernel)/stride + 1}.
   * Only symbolic sizes stay in this form; {@link #window} computes known ones.
   */
  record Window(Dim in, Dim kernel, int stride, int padding) implements Dim {
    @Override
    public String toString() {
      String span = in + (padding == 0 ? "" : " + " + 2 * padding) + " − " + kernel;
      return stride == 1 ? span + " + 1" : "(" + span + ")/" + stride + " + 1";
    }
  }

  /** A product of sizes, one of them symbolic: the length {@code C·H·W} of a flattened image. */
  record Product(java.util.List<Dim> factors) implements Dim {
    public Product {
      factors = java.util.List.copyOf(factors);
    }

    @Override
    public String toString() {
      return factors.stream().map(f -> f instanceof Window ? "(" + f + ")" : f.toString())
          .collect(java.util.stream.Collectors.joining("·"));
    }
  }

  /** The window count, as a number when both sizes are known. */
  static Dim window(Dim in, Dim kernel, int stride, int padding) {
    if (in.isKnown() && kernel.isKnown()) {
      return of((in.size() + 2L * padding - kernel.size()) / stride + 1);
    }
    return new Window(in, kernel, stride, padding);
  }

  /** The product, as a number when every factor is known. */
  static Dim product(java.util.List<Dim> factors) {
    if (factors.stream().allMatch(Dim::isKnown)) {
      long size = 1;
      for (Dim factor : factors) {
        size = Math.multiplyExact(size, factor.size());
      }
      return of(size);
    }
    return factors.size() == 1 ? factors.get(0) : new Product(factors);
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
