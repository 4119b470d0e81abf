package dev.nabla.runtime.kernels;

/**
 * The kernels written with the incubating Vector API ({@code jdk.incubator.vector}), compiled in a source
 * set of their own and loaded by {@link Kernels} only when the JVM has the module: nothing else in the
 * runtime refers to this class.
 */
public final class PanamaKernels implements KernelSupport {

  @Override
  public String name() {
    return "vector";
  }

  @Override
  public void dense(Workspace work, float[] w, int rows, int columns, float[] bias, float[] x, int xOffset,
      int xStride, int[] xRows, int lo, int hi, float[] out, int outOffset, int outStride) {
    PanamaFloat.dense(work, w, rows, columns, bias, x, xOffset, xStride, xRows, lo, hi, out, outOffset, outStride);
  }

  @Override
  public void dense(Workspace work, double[] w, int rows, int columns, double[] bias, double[] x, int xOffset,
      int xStride, int[] xRows, int lo, int hi, double[] out, int outOffset, int outStride) {
    PanamaDouble.dense(work, w, rows, columns, bias, x, xOffset, xStride, xRows, lo, hi, out, outOffset, outStride);
  }

  @Override
  public void weightGradient(Workspace work, float[] g, int rows, int columns, float[] d, int dOffset, int dStride,
      float[] x, int xOffset, int xStride, int[] xRows, int lo, int hi, float scale) {
    PanamaFloat.weightGradient(work, g, rows, columns, d, dOffset, dStride, x, xOffset, xStride, xRows, lo, hi, scale);
  }

  @Override
  public void weightGradient(Workspace work, double[] g, int rows, int columns, double[] d, int dOffset, int dStride,
      double[] x, int xOffset, int xStride, int[] xRows, int lo, int hi, double scale) {
    PanamaDouble.weightGradient(work, g, rows, columns, d, dOffset, dStride, x, xOffset, xStride, xRows, lo, hi, scale);
  }

  @Override
  public void transposedDense(Workspace work, float[] w, int rows, int columns, float[] d, int dOffset, int dStride,
      int lo, int hi, float[] out, int outOffset, int outStride) {
    PanamaFloat.transposedDense(work, w, rows, columns, d, dOffset, dStride, lo, hi, out, outOffset, outStride);
  }

  @Override
  public void transposedDense(Workspace work, double[] w, int rows, int columns, double[] d, int dOffset, int dStride,
      int lo, int hi, double[] out, int outOffset, int outStride) {
    PanamaDouble.transposedDense(work, w, rows, columns, d, dOffset, dStride, lo, hi, out, outOffset, outStride);
  }

  @Override
  public void tanh(float[] x, int xFrom, float[] y, int yFrom, int length) {
    PanamaActivations.tanh(x, xFrom, y, yFrom, length);
  }

  @Override
  public void tanh(double[] x, int xFrom, double[] y, int yFrom, int length) {
    PanamaActivations.tanh(x, xFrom, y, yFrom, length);
  }

  @Override
  public void sigmoid(float[] x, int xFrom, float[] y, int yFrom, int length) {
    PanamaActivations.sigmoid(x, xFrom, y, yFrom, length);
  }

  @Override
  public void sigmoid(double[] x, int xFrom, double[] y, int yFrom, int length) {
    PanamaActivations.sigmoid(x, xFrom, y, yFrom, length);
  }
}
