package dev.nabla.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The elementwise activations with the Vector API's transcendental operators, which JDK 17 compiles to its
 * SVML stubs ({@code libjsvml}): a vector of tanh in about the time of one value of {@code Math.tanh}. The
 * values past the last whole vector take the scalar kernels' expressions.
 */
final class PanamaActivations {
  private PanamaActivations() {}

  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;

  static void tanh(float[] x, int xFrom, float[] y, int yFrom, int length) {
    int upper = FLOATS.loopBound(length);
    int i = 0;
    for (; i < upper; i += FLOATS.length()) {
      FloatVector.fromArray(FLOATS, x, xFrom + i).lanewise(VectorOperators.TANH).intoArray(y, yFrom + i);
    }
    for (; i < length; i++) {
      y[yFrom + i] = (float) Math.tanh(x[xFrom + i]);
    }
  }

  static void tanh(double[] x, int xFrom, double[] y, int yFrom, int length) {
    int upper = DOUBLES.loopBound(length);
    int i = 0;
    for (; i < upper; i += DOUBLES.length()) {
      DoubleVector.fromArray(DOUBLES, x, xFrom + i).lanewise(VectorOperators.TANH).intoArray(y, yFrom + i);
    }
    for (; i < length; i++) {
      y[yFrom + i] = Math.tanh(x[xFrom + i]);
    }
  }

  static void sigmoid(float[] x, int xFrom, float[] y, int yFrom, int length) {
    int upper = FLOATS.loopBound(length);
    FloatVector one = FloatVector.broadcast(FLOATS, 1f);
    int i = 0;
    for (; i < upper; i += FLOATS.length()) {
      FloatVector e = FloatVector.fromArray(FLOATS, x, xFrom + i).neg().lanewise(VectorOperators.EXP);
      one.div(e.add(one)).intoArray(y, yFrom + i);
    }
    for (; i < length; i++) {
      y[yFrom + i] = 1f / (1f + (float) Math.exp(-x[xFrom + i]));
    }
  }

  static void sigmoid(double[] x, int xFrom, double[] y, int yFrom, int length) {
    int upper = DOUBLES.loopBound(length);
    DoubleVector one = DoubleVector.broadcast(DOUBLES, 1.0);
    int i = 0;
    for (; i < upper; i += DOUBLES.length()) {
      DoubleVector e = DoubleVector.fromArray(DOUBLES, x, xFrom + i).neg().lanewise(VectorOperators.EXP);
      one.div(e.add(one)).intoArray(y, yFrom + i);
    }
    for (; i < length; i++) {
      y[yFrom + i] = 1.0 / (1.0 + Math.exp(-x[xFrom + i]));
    }
  }
}
