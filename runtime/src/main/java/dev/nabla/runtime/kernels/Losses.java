package dev.nabla.runtime.kernels;

/**
 * What a generated class calls for a classifier's loss over a lane's samples {@code [lo, hi)}: the labels as one-hot
 * rows, and the cross-entropy of each sample's scores, its row {@code z[zOffset + b·zStride ..]} of {@code width},
 * against its label.
 */
public final class Losses {
  private Losses() {}

  /** Sample {@code b}'s row {@code t[b·classes ..]} the one-hot row of {@code labels[b]}. */
  public static void oneHot(int[] labels, int lo, int hi, float[] t, int classes) {
    RowsFloat.oneHot(labels, lo, hi, t, classes);
  }

  /** {@link #oneHot(int[], int, int, float[], int)} in double. */
  public static void oneHot(int[] labels, int lo, int hi, double[] t, int classes) {
    RowsDouble.oneHot(labels, lo, hi, t, classes);
  }

  /** {@code loss[b] = log Σ_i exp(z_b,i) − z_b,labels[b]}, shifted by the row's maximum. */
  public static void crossEntropy(float[] z, int zOffset, int zStride, int width, int[] labels, float[] loss, int lo, int hi) {
    RowsFloat.crossEntropy(z, zOffset, zStride, width, labels, loss, lo, hi);
  }

  /** {@link #crossEntropy(float[], int, int, int, int[], float[], int, int)} in double. */
  public static void crossEntropy(double[] z, int zOffset, int zStride, int width, int[] labels, double[] loss, int lo, int hi) {
    RowsDouble.crossEntropy(z, zOffset, zStride, width, labels, loss, lo, hi);
  }
}
