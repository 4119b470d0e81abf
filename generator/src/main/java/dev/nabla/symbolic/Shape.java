package dev.nabla.symbolic;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The shape of a value of one sample: a scalar (rank 0), a column vector {@code [n]} (rank 1), a
 * matrix {@code [rows, columns]} (rank 2), an image {@code [channels, height, width]} (rank 3) or a
 * convolution kernel {@code [out channels, in channels, height, width]} (rank 4). A row vector is laid out as the matrix {@code [1, n]}
 * but marked as a row: it is what transposing a column vector gives, so that {@code δ Xᵀ} is an
 * outer product and {@code (Xᵀ)ᵀ} is {@code X} again, while a parameter declared {@code [1, n]}
 * stays a matrix whose transpose is {@code [n, 1]}.
 */
public record Shape(List<Dim> dims, int unknownId, boolean row) {

  public static final Shape SCALAR = new Shape(List.of());

  /** Kernels {@code [O, C, KH, KW]} are the highest rank. */
  public static final int MAX_RANK = 4;

  public Shape {
    dims = List.copyOf(dims);
    if (dims.size() > MAX_RANK) {
      throw new IllegalArgumentException("nabla handles ranks 0 to " + MAX_RANK + ", not rank " + dims.size());
    }
    if (row && (dims.size() != 2 || !dims.get(0).equals(new Dim.Size(1)))) {
      throw new IllegalArgumentException("a row has the shape [1, n], not " + dims);
    }
  }

  public Shape(List<Dim> dims) {
    this(dims, 0, false);
  }

  /** The transpose of the column vector {@code [n]}: one row of {@code n}. */
  public static Shape row(Dim n) {
    return new Shape(List.of(Dim.of(1), n), 0, true);
  }

  /** The same kind of shape (scalar, column, row or matrix) with other dimensions. */
  public Shape withDims(List<Dim> newDims) {
    return new Shape(newDims, 0, row);
  }

  /**
   * A shape not even known in rank: what a free name of a one-liner has until its uses tell.
   * Only {@link ShapeSolver} makes and resolves these; no finished graph holds one.
   */
  static Shape unknown(int id) {
    return new Shape(List.of(), id, false);
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

  /** Channels × height × width. */
  public boolean isImage() {
    return dims.size() == 3;
  }

  /** Out channels × in channels × kernel height × kernel width. */
  public boolean isKernel() {
    return dims.size() == 4;
  }

  /** A row vector {@code [1, n]}: the transpose of a column vector. */
  public boolean isRow() {
    return row;
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

  /** The transpose of a scalar, vector or matrix; images and kernels have none. */
  public Shape transposed() {
    return switch (rank()) {
      case 0 -> this;
      case 1 -> row(dims.get(0));
      case 2 -> row ? vector(dims.get(1)) : matrix(dims.get(1), dims.get(0));
      default -> throw new IllegalStateException("a rank-" + rank() + " value has no transpose");
    };
  }

  /** {@code scalar}, {@code 20}, {@code 20×784}, {@code n1×n0}: how messages and printers write shapes. */
  @Override
  public String toString() {
    if (isUnknown()) {
      return "?";
    }
    // A computed size (n1 − n3 + 1) is parenthesized among others: n0×(n1 − n3 + 1)×(n2 − n4 + 1).
    return dims.isEmpty() ? "scalar" : dims.stream()
        .map(dim -> dims.size() > 1 && (dim instanceof Dim.Window || dim instanceof Dim.Product) ? "(" + dim + ")" : dim.toString())
        .collect(Collectors.joining("×"));
  }
}
