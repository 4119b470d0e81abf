package dev.nabla.runtime.kernels;

/**
 * The convolution with stride 1 as matrix products over shifted rows of the padded input, in place of
 * im2col's many short copies. Pad the sample to {@code [C, H + 2p, W + 2p]} (width {@code wp}) and
 * compute each output row over all {@code wp} columns, the last {@code wp − OW} of them junk: the
 * column of kernel position {@code (c, i, j)} over the output positions {@code p' = ph·wp + pw} is then
 * the padded input from {@code (c, i, j)} on, one contiguous copy. The junk columns are dropped from
 * the output, and enter the gradients only multiplied by δ's zeros. The products are the caller's. This class holds
 * the geometry; the passes are {@link ConvShiftedFloat}'s, and {@code ConvShiftedDouble}'s, generated from it.
 */
final class ConvShifted {
  private ConvShifted() {}

  /** Whether this form applies: stride 1. */
  static boolean applies(Conv2d g) {
    return g.stride() == 1;
  }

  static int paddedWidth(Conv2d g) {
    return g.width() + 2 * g.padding();
  }

  /** OH·wp: the output positions with the junk columns. */
  static int wide(Conv2d g) {
    return g.outHeight() * paddedWidth(g);
  }

  /** Where kernel position (c, i, j)'s shifted row starts in the padded sample. */
  static int shift(Conv2d g, int c, int i, int j) {
    return (c * (g.height() + 2 * g.padding()) + i) * paddedWidth(g) + j;
  }

  /** The padded sample and the slack its last shifted row reads past the end: KW − 1 values. */
  static int paddedLength(Conv2d g) {
    return g.channels() * (g.height() + 2 * g.padding()) * paddedWidth(g) + g.kernelWidth();
  }
}
