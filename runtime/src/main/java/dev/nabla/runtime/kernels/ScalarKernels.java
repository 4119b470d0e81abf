package dev.nabla.runtime.kernels;

/** The kernels in plain Java 17: what every JVM runs, and the reference the Panama kernels are tested against. */
public final class ScalarKernels implements KernelSupport {

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void dense(Workspace work, float[] w, int rows, int columns, float[] bias, float[] x, int xOffset,
      int xStride, int lo, int hi, float[] out, int outOffset, int outStride) {
    ScalarFloat.dense(work, w, rows, columns, bias, x, xOffset, xStride, lo, hi, out, outOffset, outStride);
  }

  @Override
  public void dense(Workspace work, double[] w, int rows, int columns, double[] bias, double[] x, int xOffset,
      int xStride, int lo, int hi, double[] out, int outOffset, int outStride) {
    ScalarDouble.dense(work, w, rows, columns, bias, x, xOffset, xStride, lo, hi, out, outOffset, outStride);
  }

  @Override
  public void weightGradient(Workspace work, float[] g, int rows, int columns, float[] d, int dOffset, int dStride,
      float[] x, int xOffset, int xStride, int lo, int hi, float scale) {
    ScalarFloat.weightGradient(work, g, rows, columns, d, dOffset, dStride, x, xOffset, xStride, lo, hi, scale);
  }

  @Override
  public void weightGradient(Workspace work, double[] g, int rows, int columns, double[] d, int dOffset, int dStride,
      double[] x, int xOffset, int xStride, int lo, int hi, double scale) {
    ScalarDouble.weightGradient(work, g, rows, columns, d, dOffset, dStride, x, xOffset, xStride, lo, hi, scale);
  }

  @Override
  public void transposedDense(Workspace work, float[] w, int rows, int columns, float[] d, int dOffset, int dStride,
      int lo, int hi, float[] out, int outOffset, int outStride) {
    ScalarFloat.transposedDense(work, w, rows, columns, d, dOffset, dStride, lo, hi, out, outOffset, outStride);
  }

  @Override
  public void transposedDense(Workspace work, double[] w, int rows, int columns, double[] d, int dOffset, int dStride,
      int lo, int hi, double[] out, int outOffset, int outStride) {
    ScalarDouble.transposedDense(work, w, rows, columns, d, dOffset, dStride, lo, hi, out, outOffset, outStride);
  }

  @Override
  public void tanh(float[] x, int xFrom, float[] y, int yFrom, int length) {
    for (int i = 0; i < length; i++) {
      y[yFrom + i] = (float) Math.tanh(x[xFrom + i]);
    }
  }

  @Override
  public void tanh(double[] x, int xFrom, double[] y, int yFrom, int length) {
    for (int i = 0; i < length; i++) {
      y[yFrom + i] = Math.tanh(x[xFrom + i]);
    }
  }

  // The same expressions as the loops a generated class wrote before these kernels: the same results, bit for bit.
  @Override
  public void sigmoid(float[] x, int xFrom, float[] y, int yFrom, int length) {
    for (int i = 0; i < length; i++) {
      y[yFrom + i] = 1f / (1f + (float) Math.exp(-x[xFrom + i]));
    }
  }

  @Override
  public void sigmoid(double[] x, int xFrom, double[] y, int yFrom, int length) {
    for (int i = 0; i < length; i++) {
      y[yFrom + i] = 1.0 / (1.0 + Math.exp(-x[xFrom + i]));
    }
  }
}
