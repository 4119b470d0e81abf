package dev.nabla.runtime.lanes;

import dev.nabla.runtime.FloatNetwork;
import dev.nabla.runtime.Initializers;
import dev.nabla.runtime.ModelInfo;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A network written by hand as the generator writes one: {@code cross_entropy(W x + b, y)} on the
 * runtime's base class and kernels. A sample whose label is {@code failOn} makes its lane throw.
 */
final class SoftmaxRegression extends FloatNetwork {
  static final int INPUTS = 37;
  static final int CLASSES = 5;
  static final ModelInfo INFO = new ModelInfo("SoftmaxRegression", "test", ModelInfo.Precision.FLOAT, INPUTS, CLASSES,
      ModelInfo.Labels.CLASSES, CLASSES, List.of(new ModelInfo.Parameter("W", new int[] {CLASSES, INPUTS}),
          new ModelInfo.Parameter("b", new int[] {CLASSES})), 2 * CLASSES + 1);

  private final float[] W = parameter(0);
  private final float[] b = parameter(1);
  private final float[] z = perSample(CLASSES);
  private final float[] delta = perSample(CLASSES);
  private final float[] loss = perSample(1);
  /** Static: the lanes are instances of their own. */
  static volatile int failOn = -1;

  SoftmaxRegression(int maxBatch, int threads) {
    super(INFO, maxBatch, threads, 8);
  }

  private SoftmaxRegression(SoftmaxRegression owner) {
    super(owner);
  }

  @Override
  protected SoftmaxRegression newLane() {
    return new SoftmaxRegression(this);
  }

  @Override
  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Initializers.uniform(W, Initializers.linearBound(INPUTS), random);
    Initializers.uniform(b, Initializers.linearBound(INPUTS), random);
  }

  @Override
  protected void forward(float[] x, int xOffset, int[] xRows, int[] labels, float[] targets, int lo, int hi,
      int n) {
    dense(W, CLASSES, INPUTS, b, x, xOffset, INPUTS, xRows, lo, hi, z, 0, CLASSES);
    for (int s = lo; s < hi; s++) {
      if (labels[s] == failOn) {
        throw new IllegalStateException("sample " + s + " fails");
      }
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < CLASSES; i++) {
        max = Math.max(max, z[s * CLASSES + i]);
      }
      float sum = 0;
      for (int i = 0; i < CLASSES; i++) {
        delta[s * CLASSES + i] = (float) Math.exp(z[s * CLASSES + i] - max);
        sum += delta[s * CLASSES + i];
      }
      for (int i = 0; i < CLASSES; i++) {
        delta[s * CLASSES + i] /= sum;
      }
      delta[s * CLASSES + labels[s]] -= 1;
      loss[s] = max + (float) Math.log(sum) - z[s * CLASSES + labels[s]];
    }
  }

  @Override
  protected void backward(float[] x, int xOffset, int[] xRows, int[] labels, float[] targets, int lo, int hi,
      int n) {
    float[] dW = gradient(0);
    float[] db = gradient(1);
    float invN = 1f / n;
    for (int s = lo; s < hi; s++) {
      for (int i = 0; i < CLASSES; i++) {
        db[i] += invN * delta[s * CLASSES + i];
      }
    }
    weightGradient(dW, CLASSES, INPUTS, delta, 0, CLASSES, x, xOffset, INPUTS, xRows, lo, hi, invN);
  }

  /** Its inputs enter only the products, as in a generated dense network: a shuffled batch is read where it lies. */
  @Override
  protected boolean readsInputRows() {
    return true;
  }

  @Override
  protected void predictSamples(float[] x, int xOffset, int lo, int hi, float[] result) {
    // Through a per-sample array and then to result, as a generated pass does.
    dense(W, CLASSES, INPUTS, b, x, xOffset, INPUTS, lo, hi, z, 0, CLASSES);
    System.arraycopy(z, lo * CLASSES, result, lo * CLASSES, (hi - lo) * CLASSES);
  }

  @Override
  protected double meanLoss(int n) {
    return mean(loss, n);
  }
}
