package dev.nabla.symbolic;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The shape of a value of one sample: a scalar (rank 0), a column vector {@code [n]} (rank 1) or a
 * matrix {@code [rows, columns]} (rank 2). A row vector is the matrix {@code [1, n]}: it is what
 * transposing a column vector gives, so that {@code δ Xᵀ} is an outer product.
 */
public record Shape(List<Dim> dims, int unknownId) {

  public static final Shape SCALAR = new Shape(List.of());

  public Shape {
    dims = List.copyOf(dims);
    if (dims.size() > 2) {
      throw new IllegalArgumentException("nabla handles scalars, vectors and matrices, not rank " + dims.size());
    }
  }

  public Shape(List<Dim> dims) {
    this(dims, 0);
  }

  /**
   * A shape not even known in rank: what a free name of a one-liner has until its uses tell.
   * Only {@link ShapeSolver} makes and resolves these; no finished graph holds one.
   */
  static Shape unknown(int id) {
    return new Shape(List.of(), id);
  }

  public boolean isUnknown() {
    return unknownId != 0;
  }

  public static Shape vector(Dim n) {
    return new Shape(List.of(n));
  }

  public static Shape matrix(Dim rows, Dim columns) {
    return new Shape(List.of(rows, columns));
  }

  public static Shape of(long... sizes) {
    return new Shape(java.util.Arrays.stream(sizes).mapToObj(Dim::of).toList());
  }

  public int rank() {
    return dims.size();
  }

  public boolean isScalar() {
    return dims.isEmpty() && unknownId == 0;
  }

  public boolean isVector() {
    return dims.size() == 1;
  }

  public boolean isMatrix() {
    return dims.size() == 2;
  }

  /** A row vector {@code [1, n]}: the transpose of a column vector. */
  public boolean isRow() {
    return isMatrix() && dims.get(0).equals(Dim.of(1));
  }

  public Dim dim(int index) {
    return dims.get(index);
  }

  /** Rows of a matrix, length of a vector, 1 for a scalar. */
  public Dim rows() {
    return dims.isEmpty() ? Dim.of(1) : dims.get(0);
  }

  /** Columns of a matrix; 1 for vectors and scalars. */
  public Dim columns() {
    return dims.size() == 2 ? dims.get(1) : Dim.of(1);
  }

  public boolean isKnown() {
    return unknownId == 0 && dims.stream().allMatch(Dim::isKnown);
  }

  /** The number of elements, for a fully known shape. */
  public long size() {
    long size = 1;
    for (Dim dim : dims) {
      size = Math.multiplyExact(size, dim.size());
    }
    return size;
  }

  public Shape transposed() {
    return switch (rank()) {
      case 0 -> this;
      case 1 -> matrix(Dim.of(1), dims.get(0));
      default -> isRow() ? vector(dims.get(1)) : matrix(dims.get(1), dims.get(0));
    };
  }

  /** {@code scalar}, {@code 20}, {@code 20×784}, {@code n1×n0}: how messages and printers write shapes. */
  @Override
  public String toString() {
    if (isUnknown()) {
      return "?";
    }
    return dims.isEmpty() ? "scalar" : dims.stream().map(Object::toString).collect(Collectors.joining("×"));
  }
}
