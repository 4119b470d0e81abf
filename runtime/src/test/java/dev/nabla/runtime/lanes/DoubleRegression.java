package dev.nabla.runtime.lanes;

import dev.nabla.runtime.DoubleNetwork;
import dev.nabla.runtime.Initializers;
import dev.nabla.runtime.ModelInfo;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A network written by hand as the generator writes a {@code --precision double} one: {@code z = W x + b},
 * {@code loss = ½ Σ (z − t)²}, reading its inputs from {@link #inputs()} and widening its float targets.
 */
final class DoubleRegression extends DoubleNetwork {
  static final int INPUTS = 6;
  static final int OUTPUTS = 2;
  static final ModelInfo INFO = new ModelInfo("DoubleRegression", "test", ModelInfo.Precision.DOUBLE, INPUTS, OUTPUTS,
      ModelInfo.Labels.TARGETS, OUTPUTS, List.of(new ModelInfo.Parameter("W", new int[] {OUTPUTS, INPUTS}),
          new ModelInfo.Parameter("b", new int[] {OUTPUTS})), 3 * OUTPUTS + 1);

  private final double[] W = parameter(0);
  private final double[] b = parameter(1);
  private final double[] x = inputs();
  private final double[] z = perSample(OUTPUTS);
  private final double[] delta = perSample(OUTPUTS);
  private final double[] loss = perSample(1);

  DoubleRegression(int maxBatch, int threads) {
    super(INFO, maxBatch, threads, 8);
  }

  private DoubleRegression(DoubleRegression owner) {
    super(owner);
  }

  @Override
  protected DoubleRegression newLane() {
    return new DoubleRegression(this);
  }

  @Override
  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Initializers.uniform(W, Initializers.linearBound(INPUTS), random);
    Initializers.uniform(b, Initializers.linearBound(INPUTS), random);
  }

  @Override
  protected void forward(float[] unused, int xOffset, int[] xRows, int[] labels, float[] targets, int lo, int hi,
      int n) {
    dense(W, OUTPUTS, INPUTS, b, x, 0, INPUTS, lo, hi, z, 0, OUTPUTS);
    for (int s = lo; s < hi; s++) {
      double sum = 0;
      for (int i = 0; i < OUTPUTS; i++) {
        delta[s * OUTPUTS + i] = z[s * OUTPUTS + i] - (double) targets[s * OUTPUTS + i];
        sum += delta[s * OUTPUTS + i] * delta[s * OUTPUTS + i];
      }
      loss[s] = 0.5 * sum;
    }
  }

  @Override
  protected void backward(float[] unused, int xOffset, int[] xRows, int[] labels, float[] targets, int lo, int hi,
      int n) {
    double[] dW = gradient(0);
    double[] db = gradient(1);
    double invN = 1.0 / n;
    for (int s = lo; s < hi; s++) {
      for (int i = 0; i < OUTPUTS; i++) {
        db[i] += invN * delta[s * OUTPUTS + i];
      }
    }
    weightGradient(dW, OUTPUTS, INPUTS, delta, 0, OUTPUTS, x, 0, INPUTS, lo, hi, invN);
  }

  @Override
  protected void predictSamples(float[] unused, int xOffset, int lo, int hi, float[] result) {
    dense(W, OUTPUTS, INPUTS, b, x, 0, INPUTS, lo, hi, z, 0, OUTPUTS);
    for (int i = lo * OUTPUTS; i < hi * OUTPUTS; i++) {
      result[i] = (float) z[i];
    }
  }

  @Override
  protected double meanLoss(int n) {
    return mean(loss, n);
  }
}
