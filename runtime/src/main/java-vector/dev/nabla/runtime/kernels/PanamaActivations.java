package dev.nabla.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
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

  private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
  /**
   * Values taken in double at a time, through a buffer: JDK 17's C2 does not compile the Vector API's float-to-double
   * {@code convertShape} on AVX2 (the call stays a boxed fallback, 10 times slower than this whole kernel), while a
   * plain loop's casts are vectorized.
   */
  private static final int CHUNK = 256;
  /** Each thread's buffer, so that a lane's step allocates nothing (AllocationTest). */
  private static final ThreadLocal<double[]> BUFFERS = ThreadLocal.withInitial(() -> new double[CHUNK]);

  /** Above this, tanh of a float is 1 (tanh(9.01) = 1 − 3e-8) and sigmoid's e^{−v} is below its last bit. */
  private static final double TANH_SATURATES = 9.01;
  private static final double SIGMOID_SATURATES = 17.5;
  /** Below this, sigmoid is 0 in float (the smallest subnormal is e^{−103.3}). */
  private static final double SIGMOID_VANISHES = -105;

  static void tanh(float[] x, int xFrom, float[] y, int yFrom, int length) {
    throughDoubles(false, x, xFrom, y, yFrom, length);
  }

  static void sigmoid(float[] x, int xFrom, float[] y, int yFrom, int length) {
    throughDoubles(true, x, xFrom, y, yFrom, length);
  }

  /**
   * y = tanh(x), or sigmoid(x), a chunk at a time through the thread's double buffer; the values past the last whole
   * vector take the plain Java kernels' expressions. The choice is a flag, not a function passed in, so that both
   * vector functions are inlined here and C2 keeps their vectors in registers.
   */
  private static void throughDoubles(boolean sigmoid, float[] x, int xFrom, float[] y, int yFrom, int length) {
    double[] buffer = BUFFERS.get();
    for (int from = 0; from < length; from += CHUNK) {
      int n = Math.min(CHUNK, length - from);
      int upper = DOUBLES.loopBound(n);
      for (int i = 0; i < upper; i++) {
        buffer[i] = x[xFrom + from + i];
      }
      for (int i = 0; i < upper; i += DOUBLES.length()) {
        DoubleVector v = DoubleVector.fromArray(DOUBLES, buffer, i);
        (sigmoid ? sigmoid(v) : tanh(v)).intoArray(buffer, i);
      }
      for (int i = upper; i < n; i++) {
        float value = x[xFrom + from + i];
        y[yFrom + from + i] = sigmoid ? 1f / (1f + (float) Math.exp(-value)) : ScalarKernels.tanh(value);
      }
      for (int i = 0; i < upper; i++) {
        y[yFrom + from + i] = (float) buffer[i];
      }
    }
  }

  /** As {@link ScalarKernels#tanh(float)}: the series below 0.01, 1 − 2 / (e^{2|v|} + 1) above, the sign of v. */
  private static DoubleVector tanh(DoubleVector v) {
    DoubleVector a = v.abs();
    // e^{2a} for 2a ≤ 18.02: the series of e^{2a/64}, squared 6 times.
    DoubleVector e = square(square(square(square(square(square(expSeries(a.min(TANH_SATURATES).mul(2.0 / 64))))))));
    DoubleVector large = DoubleVector.broadcast(DOUBLES, 2).div(e.add(1)).neg().add(1);
    DoubleVector signed = large.blend(large.neg(), v.compare(VectorOperators.LT, 0));
    DoubleVector s = v.mul(v);
    DoubleVector series = v.mul(s.mul(2.0 / 15).neg().add(1.0 / 3).mul(s).neg().add(1));
    // NaN is not below 0.01: it takes the large branch, which carries it through.
    return signed.blend(series, a.compare(VectorOperators.LT, 0.01));
  }

  /** 1 / (1 + e^{−v}), e^{−v} for |v| ≤ 105 the series of e^{−v/256} squared 8 times; 0 below −105, NaN for NaN. */
  private static DoubleVector sigmoid(DoubleVector v) {
    DoubleVector r = v.max(SIGMOID_VANISHES).min(SIGMOID_SATURATES).mul(-1.0 / 256);
    DoubleVector e = square(square(square(square(square(square(square(square(expSeries(r)))))))));
    DoubleVector sigmoid = DoubleVector.broadcast(DOUBLES, 1).div(e.add(1));
    // max and min carry NaN through.
    return sigmoid.blend(0, v.compare(VectorOperators.LT, SIGMOID_VANISHES));
  }

  /**
   * e^r for |r| ≤ 0.57, the series to its 11th term by Horner's rule (4e-11 of it at 0.57). Squared k times it is
   * e^{2^k r}, with 2^k times that relative error: at most 256 · 4e-11, far inside a float's 6e-8.
   */
  private static DoubleVector expSeries(DoubleVector r) {
    DoubleVector sum = r.mul(1.0 / 39916800).add(1.0 / 3628800);
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 362880));
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 40320));
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 5040));
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 720));
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 120));
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 24));
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 6));
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 0.5));
    sum = sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0));
    return sum.fma(r, DoubleVector.broadcast(DOUBLES, 1.0));
  }

  private static DoubleVector square(DoubleVector v) {
    return v.mul(v);
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
