package dev.nabla.runtime;

import dev.nabla.runtime.lanes.Lanes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The runtime half of a generated network computed in {@code float}: its parameters and gradients as
 * flat row-major arrays in {@link ModelInfo#parameters()} order, the per-sample arrays its passes keep,
 * and everything of {@link BaseNetwork}. The generated class declares its arrays from
 * {@link #parameter(int)}, {@link #gradient(int)} and {@link #perSample(int)}, and holds the passes.
 *
 * <p>Not thread-safe: the model owns the buffers of its passes; a batch is split over the model's own
 * threads ({@link Lanes}). To predict from many threads at once, give each its own {@link #predictor()}.
 */
public abstract class FloatNetwork extends BaseNetwork implements FloatTrainable {
  private final float[][] parameters;
  private final float[][] gradients;
  /** The per-sample arrays, in the order the class declares them: lanes take the model's. */
  private final List<float[]> perSample;
  private int perSampleTaken;

  /**
   * A model for batches of up to {@code maxBatch} samples on up to {@code threads} threads; a batch is
   * split into lanes of at least {@code minLaneBatch} samples ({@code Integer.MAX_VALUE}: never split).
   */
  protected FloatNetwork(ModelInfo info, int maxBatch, int threads, int minLaneBatch) {
    super(info, maxBatch, threads, minLaneBatch);
    this.parameters = new float[info.parameters().size()][];
    for (int p = 0; p < parameters.length; p++) {
      parameters[p] = new float[info.parameters().get(p).size()];
    }
    this.gradients = newGradients(info);
    this.perSample = new ArrayList<>();
  }

  /**
   * A lane of {@code owner}: its parameters and per-sample arrays, gradients of its own. When
   * {@link #predictor()} makes it, a predictor's network: the parameters, per-sample arrays of its own and
   * no gradients.
   */
  protected FloatNetwork(FloatNetwork owner) {
    super(owner);
    this.parameters = owner.parameters;
    this.gradients = predictor ? new float[parameters.length][] : newGradients(owner.info);
    this.perSample = predictor ? new ArrayList<>() : owner.perSample;
  }

  private static float[][] newGradients(ModelInfo info) {
    float[][] gradients = new float[info.parameters().size()][];
    for (int p = 0; p < gradients.length; p++) {
      gradients[p] = new float[info.parameters().get(p).size()];
    }
    return gradients;
  }

  /** Parameter {@code p}'s array, shared by the lanes. */
  protected final float[] parameter(int p) {
    return parameters[p];
  }

  /** This lane's gradient of parameter {@code p}. */
  protected final float[] gradient(int p) {
    return gradients[p];
  }

  /**
   * An array of {@code size} values per sample for a batch of {@code maxBatch}; a lane gets the model's
   * array declared in the same place, a predictor one of its own.
   */
  protected final float[] perSample(int size) {
    if (owner != null && !predictor) {
      return perSample.get(perSampleTaken++);
    }
    if ((long) maxBatch * size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxBatch must be between 1 and " + (Integer.MAX_VALUE / size) + ", not "
          + maxBatch);
    }
    float[] values = new float[maxBatch * size];
    perSample.add(values);
    return values;
  }

  /** Copies samples {@code [lo, hi)} of an output kept per sample, {@code size} values each, to {@code result}. */
  protected static void copyOutput(float[] values, int size, int lo, int hi, float[] result) {
    System.arraycopy(values, lo * size, result, lo * size, (hi - lo) * size);
  }

  @Override
  protected abstract FloatNetwork newLane();

  @Override
  final void clearGradients() {
    for (float[] gradient : gradients) {
      Arrays.fill(gradient, 0f);
    }
  }


  @Override
  final void sumShare(int share, int shares, int count, boolean step, double lr, ParameterUpdate update) {
    float rate = (float) lr;
    for (int p = 0; p < parameters.length; p++) {
      float[] own = gradients[p];
      int from = Lanes.split(own.length, shares, share);
      int to = Lanes.split(own.length, shares, share + 1);
      if (summedOverSamples(p)) {
        for (int t = 1; t < count; t++) {
          add(((FloatNetwork) lane(t)).gradients[p], own, from, to);
        }
      }
      if (step && update != null) {
        update.update(p, from, to);
      } else if (step) {
        descend(parameters[p], own, rate, from, to);
      }
    }
  }

  /*
   * The loops of the sum and the step are methods of their own, so that C2 compiles each once, small, as a method. As
   * loops of sumShare they were compiled with it four times in a run's first second (two on-stack replacements, two
   * methods, 150 ms of the one C2 thread of a 2-core JVM while the first epoch ran): the warm-up's stand-in, on one
   * lane, never sums lanes, so the real run's first steps took paths its compile had not seen.
   */

  /** to[i] += from[i] for i in [lo, hi). */
  private static void add(float[] from, float[] to, int lo, int hi) {
    for (int i = lo; i < hi; i++) {
      to[i] += from[i];
    }
  }

  /** values[i] −= rate · gradient[i] for i in [lo, hi): plain SGD. */
  private static void descend(float[] values, float[] gradient, float rate, int lo, int hi) {
    for (int i = lo; i < hi; i++) {
      values[i] -= rate * gradient[i];
    }
  }

  @Override
  public final float[][] parameterArrays() {
    return parameters;
  }

  @Override
  public final float[][] gradientArrays() {
    return gradients;
  }

  @Override
  public final double[] parameter(String name) {
    return toDoubles(parameters[parameterIndex(name)]);
  }

  @Override
  public final double[] gradient(String name) {
    return toDoubles(gradients[parameterIndex(name)]);
  }

  @Override
  public final void setParameter(String name, double[] values) {
    float[] target = parameters[parameterIndex(name)];
    if (values.length != target.length) {
      throw new IllegalArgumentException(name + " holds " + target.length + " values, not " + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      target[i] = (float) values[i];
    }
  }

  private static double[] toDoubles(float[] values) {
    double[] copy = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      copy[i] = values[i];
    }
    return copy;
  }
}
