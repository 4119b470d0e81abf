package dev.nabla.runtime.kernels;

/**
 * Where sample {@code b}'s vector starts in an input the kernels read: at row {@code b} of the batch's own array, or at
 * row {@code rows[b]} of its data set when a shuffled batch is read where it lies (see {@link KernelSupport}).
 */
final class SampleRows {
  private SampleRows() {}

  static int start(int[] rows, int offset, int stride, int b) {
    return (rows == null ? b : rows[b]) * stride + offset;
  }
}
