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
 * <p>What a double class ({@code nabla generate --precision double}, the plugin's {@code <precision>double})
 * is for: checking and precision, not speed. Finite-difference gradient checks whose step float rounding
 * would swamp, small or ill-conditioned regressions, and comparisons with a reference computed in double.
 * It takes twice the memory and moves twice the bytes per value (half the values per vector) of the float class, the one to train
 * classifiers with. It is a {@link Model} and a {@link Trainable} like any class, so the {@code float[]}
 * API, {@link Models}, the {@code Trainer} and checkpoints work unchanged (inputs are then widened, exactly,
 * from float). It also takes batches in double, which are not rounded to float:
 * {@link #predict(double[], int, double[])}, and {@code trainStep}, {@code computeGradients} and
 * {@code loss} with {@code double[]} inputs (and targets), the step's rate in double. The parameters and
 * gradients are read and written in double ({@link #parameterArrays()}, {@link #gradientArrays()}). Two
 * roundings remain, in the passes this version of nabla generates: targets given in double are rounded to
 * float before the loss reads them, and {@code predict} rounds its output to float once, at its end; the
 * inputs, the parameters, every intermediate value, the loss and the gradients stay double.
 *
 * <p>Not thread-safe: the model owns the buffers of its passes; a batch is split over the model's own
 * threads ({@link Lanes}). To predict from many threads at once, give each its own {@link #predictor()}.
 */
public abstract class DoubleNetwork extends BaseNetwork {
  private final double[][] parameters;
  private final double[][] gradients;
  /** The per-sample arrays, in the order the class declares them: lanes take the model's. */
  private final List<double[]> perSample;
  private int perSampleTaken;
  /** The inputs in double, shared by the lanes: see {@link #inputs()}. */
  private final double[] inputs;
  /** The buffers between the API in double and the passes, which take targets and write the output in float; made at first use. */
  private float[] floatOutput;
  private float[] floatTargets;

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

  /**
   * A lane of {@code owner}: its parameters and per-sample arrays, gradients of its own. When
   * {@link #predictor()} makes it, a predictor's network: the parameters, per-sample arrays of its own and
   * no gradients.
   */
  protected DoubleNetwork(DoubleNetwork owner) {
    super(owner);
    this.parameters = owner.parameters;
    this.gradients = predictor ? new double[parameters.length][] : newGradients(owner.info);
    this.perSample = predictor ? new ArrayList<>() : owner.perSample;
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
   * array declared in the same place, a predictor one of its own.
   */
  protected final double[] perSample(int size) {
    if (owner != null && !predictor) {
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
  final void sumShare(int share, int shares, int count, boolean step, double lr, ParameterUpdate update) {
    for (int p = 0; p < parameters.length; p++) {
      double[] own = gradients[p];
      int from = Lanes.split(own.length, shares, share);
      int to = Lanes.split(own.length, shares, share + 1);
      if (summedOverSamples(p)) {
        for (int t = 1; t < count; t++) {
          add(((DoubleNetwork) lane(t)).gradients[p], own, from, to);
        }
      }
      if (step && update != null) {
        update.update(p, from, to);
      } else if (step) {
        descend(parameters[p], own, lr, from, to);
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
  private static void add(double[] from, double[] to, int lo, int hi) {
    for (int i = lo; i < hi; i++) {
      to[i] += from[i];
    }
  }

  /** values[i] −= rate · gradient[i] for i in [lo, hi): plain SGD. */
  private static void descend(double[] values, double[] gradient, double rate, int lo, int hi) {
    for (int i = lo; i < hi; i++) {
      values[i] -= rate * gradient[i];
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

  /** Samples {@code [lo, hi)} of an output kept per sample, {@code size} values each, rounded to float into {@code result}. */
  protected static void copyOutput(double[] values, int size, int lo, int hi, float[] result) {
    for (int i = lo * size, end = hi * size; i < end; i++) {
      result[i] = (float) values[i];
    }
  }

  /** The batch's inputs widened to double for samples {@code [lo, hi)}, which the passes read instead of {@code x}. */
  protected final double[] inputs() {
    return inputs;
  }

  @Override
  final void beforePass(float[] x, int xOffset, int lo, int hi) {
    if (x == null) {
      return; // given in double: inputs holds them already
    }
    int size = info.inputSize();
    for (int i = lo * size, end = hi * size; i < end; i++) {
      inputs[i] = x[xOffset + i];
    }
  }

  // ---- the API in double: the inputs as given, the step at the rate given ----

  /**
   * Writes the output for each of the {@code n} samples of {@code x} to {@code result},
   * {@code info().outputSize()} values per sample: {@link #predict(float[], int, float[])} with inputs
   * that are not rounded to float. The pass computes in double; a class of this version of nabla then
   * rounds its output to float once, at the end (see the class comment).
   */
  public final void predict(double[] x, int n, double[] result) {
    checkInputs(x.length, n);
    checkResult(result.length, n);
    takeInputs(x, n);
    float[] output = outputBuffer();
    run(PREDICT, null, null, null, null, output, n, 0, null);
    for (int i = 0, end = n * info.outputSize(); i < end; i++) {
      result[i] = output[i];
    }
  }

  /** {@link #trainStep(float[], int[], int, float)} with inputs in double and the step {@code θ ← θ − lr ∇C} at a rate in double. */
  public final double trainStep(double[] x, int[] labels, int n, double lr) {
    checkLabelled(x.length, labels, n);
    takeInputs(x, n);
    return run(STEP, null, null, labels, null, null, n, lr, null);
  }

  /** {@link #computeGradients(float[], int[], int)} with inputs in double. */
  public final double computeGradients(double[] x, int[] labels, int n) {
    checkLabelled(x.length, labels, n);
    takeInputs(x, n);
    return run(GRADIENTS, null, null, labels, null, null, n, 0, null);
  }

  /** {@link #loss(float[], int[], int)} with inputs in double. */
  public final double loss(double[] x, int[] labels, int n) {
    checkLabelled(x.length, labels, n);
    takeInputs(x, n);
    return run(LOSS, null, null, labels, null, null, n, 0, null);
  }

  /** {@link #trainStep(float[], float[], int, float)} with inputs and targets in double, at a rate in double. */
  public final double trainStep(double[] x, double[] targets, int n, double lr) {
    checkTargeted(x.length, targets.length, n);
    takeInputs(x, n);
    return run(STEP, null, null, null, targetsOf(targets, n), null, n, lr, null);
  }

  /** {@link #computeGradients(float[], float[], int)} with inputs and targets in double. */
  public final double computeGradients(double[] x, double[] targets, int n) {
    checkTargeted(x.length, targets.length, n);
    takeInputs(x, n);
    return run(GRADIENTS, null, null, null, targetsOf(targets, n), null, n, 0, null);
  }

  /** {@link #loss(float[], float[], int)} with inputs and targets in double. */
  public final double loss(double[] x, double[] targets, int n) {
    checkTargeted(x.length, targets.length, n);
    takeInputs(x, n);
    return run(LOSS, null, null, null, targetsOf(targets, n), null, n, 0, null);
  }

  /** The inputs of a batch given in double, as the passes read them: no rounding to float. */
  private void takeInputs(double[] x, int n) {
    System.arraycopy(x, 0, inputs, 0, n * info.inputSize());
  }

  /** The output of this version's passes, which write it in float. */
  private float[] outputBuffer() {
    if (floatOutput == null) {
      floatOutput = new float[maxBatch * info.outputSize()];
    }
    return floatOutput;
  }

  /** The targets of a batch as this version's passes take them, in float. */
  private float[] targetsOf(double[] targets, int n) {
    if (floatTargets == null) {
      floatTargets = new float[maxBatch * info.labelSize()];
    }
    for (int i = 0, end = n * info.labelSize(); i < end; i++) {
      floatTargets[i] = (float) targets[i];
    }
    return floatTargets;
  }
}
