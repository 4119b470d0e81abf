package dev.nabla.runtime.data;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The contents of an unsigned-byte IDX file: its dimensions and its values, row-major.
 *
 * @param dims the sizes the header declares, outermost first ({@code [count, rows, columns]} for images)
 * @param data {@code product(dims)} bytes; shared, not copied, because image sets are large
 */
public record IdxData(int[] dims, byte[] data) {

  public IdxData {
    dims = dims.clone();
    long expected = 1;
    for (int dim : dims) {
      if (dim < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
      }
      expected *= dim;
    }
    if (expected != data.length) {
      throw new IllegalArgumentException(
          "dimensions " + shapeText(dims) + " hold " + expected + " values, data has " + data.length);
    }
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  /** The outermost dimension: images or labels in the file. */
  public int count() {
    return dims.length == 0 ? 1 : dims[0];
  }

  /** {@code 60000×28×28}, as messages print shapes. */
  public static String shapeText(int[] dims) {
    return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("×"));
  }
}
