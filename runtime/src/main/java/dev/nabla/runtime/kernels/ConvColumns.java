package dev.nabla.runtime.kernels;

/**
 * The convolution as matrix products over im2col columns, one sample at a time: with {@code R = C·KH·KW}
 * kernel positions and {@code P = OH·OW} output positions, the forward pass is {@code y = K col}
 * ({@code O × R} by {@code R × P}), the input gradient scatters {@code Kᵀ δ} back through the columns
 * (col2im), and the kernel gradient sums {@code col δᵀ} ({@code R × P} by {@code P × O}, kept transposed
 * in the workspace and added to {@code dk} once). {@link ConvShifted} does stride 1 with fewer copies;
 * this is the general form. The products are the caller's (Conv2d's: {@link ConvProducts#get()}). This class holds the
 * geometry; the passes are {@link ConvColumnsFloat}'s, and {@code ConvColumnsDouble}'s, generated from it.
 */
final class ConvColumns {
  private ConvColumns() {}

  /** R = C·KH·KW: the kernel positions, the rows of the columns. */
  static int reach(Conv2d g) {
    return g.channels() * g.kernelHeight() * g.kernelWidth();
  }

  /**
   * A row stride for n values that does not map rows onto a few L1 sets: rows 16·2ᵏ values apart share
   * sets, and a product streaming 196 such rows (a 14×14 δ, transposed) evicts its own panel.
   */
  static int skewed(int n) {
    return n % 16 == 0 ? n + 8 : n;
  }

  /** C·(H + 2 pad)·(W + 2 pad): a sample with its zero border. */
  static int paddedSize(Conv2d g) {
    return g.channels() * (g.height() + 2 * g.padding()) * (g.width() + 2 * g.padding());
  }

}
