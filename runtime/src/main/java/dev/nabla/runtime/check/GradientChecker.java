package dev.nabla.runtime.check;

import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Minibatch;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks a model's backward pass against differences of its loss, on randomly chosen coordinates of
 * every parameter.
 *
 * <p>Each coordinate's slope is estimated twice, by central differences at steps {@code h} and
 * {@code h/2} (on the coordinate's scale: {@code h·max(1, |θᵢ|)}), and the two are combined by
 * Richardson extrapolation, {@code (4·D(h/2) − D(h)) / 3}, whose error falls as {@code h⁴}: so the
 * step can be large enough to rise far above rounding, and a float model is checked to about 1e-4.
 *
 * <p>The error of a coordinate is {@code |analytic − numeric| / scale}, where the scale is the larger
 * of the two values, of a thousandth of the parameter's largest entry, and of the resolution of the
 * differences (the rounding of the loss, divided by the step and the tolerance): relative where the
 * gradient is large, absolute where it is zero or tiny, where a relative error would measure only
 * rounding. A gradient wrong by 1%, zeroed, or two entries swapped, fails.
 *
 * <p>Kinks: where the step crosses a point at which the loss is not differentiable (a ReLU unit whose
 * input is within {@code h} of zero), the two differences disagree with each other far more than
 * their truncation allows, and no difference says anything about the gradient there: such a
 * coordinate is skipped (and counted), never compared with whichever difference happens to fit. A
 * wrong gradient does not make the differences disagree, so it cannot hide there.
 *
 * <p>The model's parameters are restored exactly afterwards.
 */
public final class GradientChecker {

  /**
   * How to check.
   *
   * @param coordinatesPerParameter how many coordinates of each parameter to perturb (all, if it has fewer)
   * @param step the larger perturbation {@code h}, relative to the coordinate's scale
   * @param floor the smallest denominator of the error (on top of the resolution, which is computed)
   * @param tolerance the largest error that passes
   * @param seed chooses the coordinates
   */
  public record Options(int coordinatesPerParameter, double step, double floor, double tolerance, long seed) {

    /**
     * Settings that fit the model's arithmetic: in double, a step of 1e-3 and a tolerance of 1e-6
     * (a gradient 1e-5 off fails); in float, whose loss carries about 7 digits, a step of 1e-2 and a
     * tolerance of 1e-2: a step small enough that few ReLU kinks fall inside it, and an error that
     * rounding and the kinks it does cross stay below (a zeroed or swapped entry fails; for a
     * gradient 1% off, check the double class).
     */
    public static Options forPrecision(ModelInfo.Precision precision) {
      return precision == ModelInfo.Precision.DOUBLE
          ? new Options(20, 1e-3, 1e-12, 1e-6, 1)
          : new Options(20, 1e-2, 1e-9, 1e-2, 1);
    }
  }

  /** Units of rounding (of the unit roundoff, half an ulp of 1) the loss may carry: it is a sum over the batch and the classes. */
  private static final double ROUNDING = 8;

  /**
   * How far apart the two differences may be before the step is taken to straddle a kink: their
   * truncation errors are a few h² f‴, far below this share of the slope on a smooth loss.
   */
  private static final double KINK = 0.01;

  private GradientChecker() {}

  /** Checks {@code model} on {@code batch} with settings that fit its precision. */
  public static GradientReport check(Trainable model, Minibatch batch) {
    return check(model, batch, Options.forPrecision(model.info().precision()));
  }

  /** Checks {@code model} on {@code batch}. */
  public static GradientReport check(Trainable model, Minibatch batch, Options options) {
    double base = batch.computeGradients(model);
    SplittableRandom random = new SplittableRandom(options.seed());
    boolean floats = model.info().precision() == ModelInfo.Precision.FLOAT;
    double epsilon = (floats ? Math.ulp(1.0f) : Math.ulp(1.0)) / 2;
    List<ParameterCheck> checks = new ArrayList<>();
    for (ModelInfo.Parameter parameter : model.info().parameters()) {
      String name = parameter.name();
      double[] analytic = model.gradient(name);
      double[] original = model.parameter(name);
      double[] values = original.clone();
      int[] coordinates = choose(original.length, options.coordinatesPerParameter(), random);
      double largest = 0;
      for (int i : coordinates) {
        largest = Math.max(largest, Math.abs(analytic[i]));
      }
      double worst = 0;
      int worstIndex = coordinates.length == 0 ? -1 : coordinates[0];
      double worstAnalytic = coordinates.length == 0 ? 0 : analytic[coordinates[0]];
      double worstNumeric = worstAnalytic;
      int checked = 0;
      try {
        for (int i : coordinates) {
          double h = options.step() * Math.max(1, Math.abs(original[i]));
          double[] wide = difference(model, batch, name, values, original[i], i, h, floats, base);
          double[] narrow = difference(model, batch, name, values, original[i], i, h / 2, floats, base);
          double ratio = wide[1] / narrow[1];
          double numeric = (ratio * ratio * narrow[0] - wide[0]) / (ratio * ratio - 1);
          double resolution = ROUNDING * epsilon * Math.max(Math.abs(base), Math.max(wide[2], narrow[2])) / narrow[1];
          if (straddlesKink(wide, narrow, base, resolution)) {
            continue; // no difference measures the gradient here
          }
          checked++;
          double scale = Math.max(Math.max(Math.abs(analytic[i]), Math.abs(numeric)),
              Math.max(1e-3 * largest, Math.max(resolution / options.tolerance(), options.floor())));
          double error = Math.abs(analytic[i] - numeric) / scale;
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
      checks.add(new ParameterCheck(parameter, checked, worst, worstIndex, worstAnalytic, worstNumeric));
    }
    return new GradientReport(checks, options.tolerance());
  }

  /**
   * The differences of the loss along coordinate {@code i} at step {@code h}: {central slope, the
   * half step actually taken (after rounding to the model's precision), the larger |loss|, the
   * forward slope, the backward slope}.
   */
  private static double[] difference(Trainable model, Minibatch batch, String name, double[] values, double at, int i, double h,
      boolean floats, double base) {
    double up = floats ? (float) (at + h) : at + h;
    double down = floats ? (float) (at - h) : at - h;
    values[i] = up;
    model.setParameter(name, values);
    double lossUp = batch.loss(model);
    values[i] = down;
    model.setParameter(name, values);
    double lossDown = batch.loss(model);
    values[i] = at;
    return new double[] {(lossUp - lossDown) / (up - down), (up - down) / 2, Math.max(Math.abs(lossUp), Math.abs(lossDown)),
        (lossUp - base) / (up - at), (base - lossDown) / (at - down)};
  }

  /**
   * Whether the steps cross a kink. On a smooth loss the two central differences agree to their
   * truncation, and the gap between the forward and the backward slope is about {@code h·f″}, so it
   * halves with the step; across a kink the gap is the jump of the slope whatever the step.
   */
  private static boolean straddlesKink(double[] wide, double[] narrow, double base, double resolution) {
    double slope = Math.max(Math.abs(wide[0]), Math.abs(narrow[0]));
    if (Math.abs(wide[0] - narrow[0]) > KINK * slope + resolution) {
      return true;
    }
    double gapWide = Math.abs(wide[3] - wide[4]);
    double gapNarrow = Math.abs(narrow[3] - narrow[4]);
    return gapNarrow > 0.6 * gapWide + 2 * resolution;
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
