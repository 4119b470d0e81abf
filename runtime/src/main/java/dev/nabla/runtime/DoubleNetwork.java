package dev.nabla.runtime;

import dev.nabla.runtime.lanes.Lanes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The runtime half of a generated network computed in {@code double}: its parameters and gradients as
 * flat row-major arrays in {@link ModelInfo#parameters()} order, the per-sample arrays its passes keep,
 * and everything of {@link BaseNetwork}. The generated class declares its arrays from
 * {@link #parameter(int)}, {@link #gradient(int)} and {@link #perSample(int)}, and holds the passes.
 *
 * <p>Not thread-safe: the model owns the buffers of its passes; a batch is split over the model's own
 * threads ({@link Lanes}).
 */
public abstract class DoubleNetwork extends BaseNetwork {
  private final double[][] parameters;
  private final double[][] gradients;
  /** The per-sample arrays, in the order the class declares them: lanes take the model's. */
  private final List<double[]> perSample;
  private int perSampleTaken;
  /** The inputs in double, shared by the lanes: see {@link #inputs()}. */
  private final double[] inputs;

  /**
   * A model for batches of up to {@code maxBatch} samples on up to {@code threads} threads; a batch is
   * split into lanes of at least {@code minLaneBatch} samples ({@code Integer.MAX_VALUE}: never split).
   */
  protected DoubleNetwork(ModelInfo info, int maxBatch, int threads, int minLaneBatch) {
    super(info, maxBatch, threads, minLaneBatch);
    this.parameters = new double[info.parameters().size()][];
    for (int p = 0; p < parameters.length; p++) {
      parameters[p] = new double[info.parameters().get(p).size()];
    }
    this.gradients = newGradients(info);
    this.perSample = new ArrayList<>();
    this.inputs = perSample(info.inputSize());
  }

  /** A lane of {@code owner}: its parameters and per-sample arrays, gradients of its own. */
  protected DoubleNetwork(DoubleNetwork owner) {
    super(owner);
    this.parameters = owner.parameters;
    this.gradients = newGradients(owner.info);
    this.perSample = owner.perSample;
    this.inputs = perSample(owner.info.inputSize());
  }

  private static double[][] newGradients(ModelInfo info) {
    double[][] gradients = new double[info.parameters().size()][];
    for (int p = 0; p < gradients.length; p++) {
      gradients[p] = new double[info.parameters().get(p).size()];
    }
    return gradients;
  }

  /** Parameter {@code p}'s array, shared by the lanes. */
  protected final double[] parameter(int p) {
    return parameters[p];
  }

  /** This lane's gradient of parameter {@code p}. */
  protected final double[] gradient(int p) {
    return gradients[p];
  }

  /**
   * An array of {@code size} values per sample for a batch of {@code maxBatch}; a lane gets the model's
   * array declared in the same place.
   */
  protected final double[] perSample(int size) {
    if (owner != null) {
      return perSample.get(perSampleTaken++);
    }
    if ((long) maxBatch * size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxBatch must be between 1 and " + (Integer.MAX_VALUE / size) + ", not "
          + maxBatch);
    }
    double[] values = new double[maxBatch * size];
    perSample.add(values);
    return values;
  }

  @Override
  protected abstract DoubleNetwork newLane();

  @Override
  final void clearGradients() {
    for (double[] gradient : gradients) {
      Arrays.fill(gradient, 0.0);
    }
  }


  @Override
  final void sumShare(int share, int shares, int count, boolean step, double lr) {
    for (int p = 0; p < parameters.length; p++) {
      double[] own = gradients[p];
      int from = Lanes.split(own.length, shares, share);
      int to = Lanes.split(own.length, shares, share + 1);
      if (summedOverSamples(p)) {
        for (int t = 1; t < count; t++) {
          double[] lane = ((DoubleNetwork) lane(t)).gradients[p];
          for (int i = from; i < to; i++) {
            own[i] += lane[i];
          }
        }
      }
      if (step) {
        double[] values = parameters[p];
        for (int i = from; i < to; i++) {
          values[i] -= lr * own[i];
        }
      }
    }
  }

  /** The parameters' own arrays, in {@link ModelInfo#parameters()} order; writes change the model. */
  public final double[][] parameterArrays() {
    return parameters;
  }

  /** The gradients of the last backward pass, same order and sizes as {@link #parameterArrays()}. */
  public final double[][] gradientArrays() {
    return gradients;
  }

  @Override
  public final double[] parameter(String name) {
    return parameters[parameterIndex(name)].clone();
  }

  @Override
  public final double[] gradient(String name) {
    return gradients[parameterIndex(name)].clone();
  }

  @Override
  public final void setParameter(String name, double[] values) {
    double[] target = parameters[parameterIndex(name)];
    if (values.length != target.length) {
      throw new IllegalArgumentException(name + " holds " + target.length + " values, not " + values.length);
    }
    System.arraycopy(values, 0, target, 0, values.length);
  }

  /** The batch's inputs widened to double for samples {@code [lo, hi)}, which the passes read instead of {@code x}. */
  protected final double[] inputs() {
    return inputs;
  }

  @Override
  final void beforePass(float[] x, int lo, int hi) {
    int size = info.inputSize();
    for (int i = lo * size, end = hi * size; i < end; i++) {
      inputs[i] = x[i];
    }
  }
}
