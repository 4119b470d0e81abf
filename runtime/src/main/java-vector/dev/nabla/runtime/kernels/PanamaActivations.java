package dev.nabla.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The elementwise activations of float values, vectorized with nothing but adds, multiplies, fused multiply-adds
 * and divides, each value taken in double as the plain Java kernels take it ({@link ScalarKernels#tanh(float)}).
 *
 * <p>Not with the Vector API's {@code TANH} and {@code EXP}: JDK 17 compiles those to its SVML stubs, whose results
 * differ in the last bit from the {@code Math} functions that the same operators run before C2 has compiled them
 * (3 of 32,000 tanh values). A model's outputs then depended on how warm the JIT was, and two runs with one seed
 * and thread count trained different weights. Arithmetic is exact IEEE in every tier, so these give the same bits
 * interpreted, in C1 and in C2. The double kernels are the plain Java ones, for the same reason.
 */
final class PanamaActivations {
  private PanamaActivations() {}

  /** Doubles a vector, and the floats that fill the same number of lanes. */
  private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> FLOATS =
      VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));

  /** Above this, tanh of a float is 1 (tanh(9.01) = 1 − 3e-8) and sigmoid's e^{−v} is below its last bit. */
  private static final double TANH_SATURATES = 9.01;
  private static final double SIGMOID_SATURATES = 17.5;
  /** Below this, exp(−v) overflows nothing but sigmoid is 0 in float (the smallest subnormal is e^{−103.3}). */
  private static final double SIGMOID_VANISHES = -105;
  /** e^a as (e^{a/2^k})^{2^k}: a/2^k within ±0.57, where 11 terms of the series leave 4e-11, and k squarings. */
  private static final int SQUARINGS = 8;

  static void tanh(float[] x, int xFrom, float[] y, int yFrom, int length) {
    int step = FLOATS.length();
    int upper = FLOATS.loopBound(length);
    int i = 0;
    for (; i < upper; i += step) {
      DoubleVector v = (DoubleVector) FloatVector.fromArray(FLOATS, x, xFrom + i).convertShape(VectorOperators.F2D, DOUBLES, 0);
      ((FloatVector) tanh(v).convertShape(VectorOperators.D2F, FLOATS, 0)).intoArray(y, yFrom + i);
    }
    for (; i < length; i++) {
      y[yFrom + i] = ScalarKernels.tanh(x[xFrom + i]);
    }
  }

  /** As {@link ScalarKernels#tanh(float)}: the series below 0.01, 1 − 2 / (e^{2|v|} + 1) above, the sign of v. */
  private static DoubleVector tanh(DoubleVector v) {
    DoubleVector a = v.abs();
    DoubleVector e = exp(a.min(TANH_SATURATES).mul(2), 6);
    DoubleVector large = DoubleVector.broadcast(DOUBLES, 2).div(e.add(1)).neg().add(1);
    DoubleVector signed = large.blend(large.neg(), v.compare(VectorOperators.LT, 0));
    DoubleVector s = v.mul(v);
    DoubleVector series = v.mul(s.mul(2.0 / 15).neg().add(1.0 / 3).mul(s).neg().add(1));
    // NaN is not below 0.01: it takes the large branch, which carries it through.
    return signed.blend(series, a.compare(VectorOperators.LT, 0.01));
  }

  static void sigmoid(float[] x, int xFrom, float[] y, int yFrom, int length) {
    int step = FLOATS.length();
    int upper = FLOATS.loopBound(length);
    int i = 0;
    for (; i < upper; i += step) {
      DoubleVector v = (DoubleVector) FloatVector.fromArray(FLOATS, x, xFrom + i).convertShape(VectorOperators.F2D, DOUBLES, 0);
      DoubleVector clamped = v.max(SIGMOID_VANISHES).min(SIGMOID_SATURATES);
      DoubleVector sigmoid = DoubleVector.broadcast(DOUBLES, 1).div(exp(clamped.neg(), SQUARINGS).add(1));
      // Below the clamp sigmoid is 0 in float, and NaN stays NaN (max and min carry it).
      sigmoid = sigmoid.blend(0, v.compare(VectorOperators.LT, SIGMOID_VANISHES));
      ((FloatVector) sigmoid.convertShape(VectorOperators.D2F, FLOATS, 0)).intoArray(y, yFrom + i);
    }
    for (; i < length; i++) {
      y[yFrom + i] = 1f / (1f + (float) Math.exp(-x[xFrom + i]));
    }
  }

  /**
   * e^a for |a| ≤ 0.57 · 2^squarings: the series of e^{a/2^k} to its 11th term by Horner's rule, squared k times.
   * Each squaring doubles the relative error, 2^k · 4e-11 in all, far inside a float's 6e-8.
   */
  private static DoubleVector exp(DoubleVector a, int squarings) {
    DoubleVector r = a.mul(1.0 / (1 << squarings));
    DoubleVector sum = DoubleVector.broadcast(DOUBLES, 1.0 / 39916800); // 1/11!
    for (int n = 10; n >= 0; n--) {
      sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, INVERSE_FACTORIALS[n]));
    }
    for (int k = 0; k < squarings; k++) {
      sum = sum.mul(sum);
    }
    return sum;
  }

  /** 1/n! for n ≤ 10, the series' coefficients. */
  private static final double[] INVERSE_FACTORIALS = inverseFactorials(10);

  private static double[] inverseFactorials(int n) {
    double[] values = new double[n + 1];
    double factorial = 1;
    for (int i = 0; i <= n; i++) {
      factorial *= Math.max(i, 1);
      values[i] = 1 / factorial;
    }
    return values;
  }

  /** y = 1 / (1 + e^{−v}) in double, as the plain Java kernels give it: deterministic in every tier. */
  static void sigmoid(double[] x, int xFrom, double[] y, int yFrom, int length) {
    for (int i = 0; i < length; i++) {
      y[yFrom + i] = 1.0 / (1.0 + Math.exp(-x[xFrom + i]));
    }
  }

  /** tanh in double: {@code Math.tanh}, deterministic in every tier (SVML's is not; see the class comment). */
  static void tanh(double[] x, int xFrom, double[] y, int yFrom, int length) {
    for (int i = 0; i < length; i++) {
      y[yFrom + i] = Math.tanh(x[xFrom + i]);
    }
  }
}
