package dev.nabla.symbolic;

import java.util.Arrays;

/**
 * A value of known shape in double precision, row-major: what the interpreter computes with. A
 * scalar holds one element, a vector {@code n}, a matrix {@code rows × columns}.
 */
public record Tensor(Shape shape, double[] data) {

  public Tensor {
    if (!shape.isKnown()) {
      throw new IllegalArgumentException("a tensor needs a known shape, not " + shape);
    }
    if (data.length != shape.size()) {
      throw new IllegalArgumentException("shape " + shape + " holds " + shape.size() + " values, not " + data.length);
    }
  }

  public static Tensor zeros(Shape shape) {
    return new Tensor(shape, new double[Math.toIntExact(shape.size())]);
  }

  public static Tensor scalar(double value) {
    return new Tensor(Shape.SCALAR, new double[] {value});
  }

  public int size() {
    return data.length;
  }

  public int rows() {
    return (int) shape.rows().size();
  }

  public int columns() {
    return (int) shape.columns().size();
  }

  public double get(int index) {
    return data[index];
  }

  public double get(int row, int column) {
    return data[row * columns() + column];
  }

  /** The single value of a scalar (or of any one-element tensor). */
  public double scalarValue() {
    if (data.length != 1) {
      throw new IllegalStateException("not a scalar: " + shape);
    }
    return data[0];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Tensor that && shape.equals(that.shape) && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return shape.hashCode() * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return shape + " " + Arrays.toString(data);
  }
}
