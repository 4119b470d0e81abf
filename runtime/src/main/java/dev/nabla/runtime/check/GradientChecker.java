package dev.nabla.runtime.check;

import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Minibatch;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks a model's backward pass against central differences of its loss,
 * {@code ∂C/∂θᵢ ≈ (C(θ + hεᵢ) − C(θ − hεᵢ)) / 2h}, on randomly chosen coordinates of every parameter.
 *
 * <p>The error of a coordinate is {@code |analytic − numeric| / max(|analytic| + |numeric|, floor)}:
 * relative where the gradient is large, absolute (scaled by the floor) where both are near zero,
 * where a relative error would only measure rounding noise.
 *
 * <p>Kinks: where the step crosses a point at which the loss is not differentiable (a ReLU unit whose
 * input is within {@code h} of zero), the central difference averages two slopes and disagrees with
 * any correct gradient. The one-sided differences {@code (C(θ+h) − C(θ))/h} and
 * {@code (C(θ) − C(θ−h))/h} do not both straddle the kink, so a coordinate's error is the smallest of
 * the three comparisons. A wrong gradient matches none of them.
 *
 * <p>The model's parameters are restored exactly afterwards.
 */
public final class GradientChecker {

  /**
   * How to check.
   *
   * @param coordinatesPerParameter how many coordinates of each parameter to perturb (all, if it has fewer)
   * @param step the perturbation {@code h}
   * @param floor the smallest denominator of the relative error
   * @param tolerance the largest error that passes
   * @param seed chooses the coordinates
   */
  public record Options(int coordinatesPerParameter, double step, double floor, double tolerance, long seed) {

    /**
     * Settings that fit the model's arithmetic: in double, a tiny step and a tight tolerance; in
     * float, whose loss carries about 7 digits, a step large enough to rise above rounding and a
     * tolerance of 1%.
     */
    public static Options forPrecision(ModelInfo.Precision precision) {
      return precision == ModelInfo.Precision.DOUBLE
          ? new Options(20, 1e-6, 1e-8, 1e-6, 1)
          : new Options(20, 1e-2, 1e-2, 1e-2, 1);
    }
  }

  private GradientChecker() {}

  /** Checks {@code model} on {@code batch} with settings that fit its precision. */
  public static GradientReport check(Trainable model, Minibatch batch) {
    return check(model, batch, Options.forPrecision(model.info().precision()));
  }

  /** Checks {@code model} on {@code batch}. */
  public static GradientReport check(Trainable model, Minibatch batch, Options options) {
    double base = batch.computeGradients(model);
    SplittableRandom random = new SplittableRandom(options.seed());
    List<ParameterCheck> checks = new ArrayList<>();
    for (ModelInfo.Parameter parameter : model.info().parameters()) {
      String name = parameter.name();
      double[] analytic = model.gradient(name);
      double[] original = model.parameter(name);
      double[] values = original.clone();
      int[] coordinates = choose(original.length, options.coordinatesPerParameter(), random);
      double worst = 0;
      int worstIndex = coordinates.length == 0 ? -1 : coordinates[0];
      double worstAnalytic = 0;
      double worstNumeric = 0;
      boolean floats = model.info().precision() == ModelInfo.Precision.FLOAT;
      try {
        for (int i : coordinates) {
          // The step actually taken, after rounding to the model's precision.
          double up = floats ? (float) (original[i] + options.step()) : original[i] + options.step();
          double down = floats ? (float) (original[i] - options.step()) : original[i] - options.step();
          values[i] = up;
          model.setParameter(name, values);
          double lossUp = batch.loss(model);
          values[i] = down;
          model.setParameter(name, values);
          double lossDown = batch.loss(model);
          values[i] = original[i];
          double numeric = (lossUp - lossDown) / (up - down);
          double forward = (lossUp - base) / (up - original[i]);
          double backward = (base - lossDown) / (original[i] - down);
          double error = Math.min(relativeError(analytic[i], numeric, options.floor()),
              Math.min(relativeError(analytic[i], forward, options.floor()),
                  relativeError(analytic[i], backward, options.floor())));
          if (!(error <= worst)) {
            worst = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
            worstIndex = i;
            worstAnalytic = analytic[i];
            worstNumeric = numeric;
          }
        }
      } finally {
        model.setParameter(name, original);
      }
      checks.add(new ParameterCheck(parameter, coordinates.length, worst, worstIndex, worstAnalytic, worstNumeric));
    }
    return new GradientReport(checks, options.tolerance());
  }

  private static double relativeError(double analytic, double numeric, double floor) {
    return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), floor);
  }

  /** {@code count} distinct indices below {@code size}, in increasing order, or all of them. */
  private static int[] choose(int size, int count, SplittableRandom random) {
    if (count >= size) {
      int[] all = new int[size];
      for (int i = 0; i < size; i++) {
        all[i] = i;
      }
      return all;
    }
    // Floyd's algorithm: distinct samples without a size-long array.
    java.util.TreeSet<Integer> chosen = new java.util.TreeSet<>();
    for (int j = size - count; j < size; j++) {
      int t = random.nextInt(j + 1);
      if (!chosen.add(t)) {
        chosen.add(j);
      }
    }
    return chosen.stream().mapToInt(Integer::intValue).toArray();
  }
}
