package dev.nabla.runtime.testing;

import dev.nabla.runtime.FloatTrainable;
import dev.nabla.runtime.Initializers;
import dev.nabla.runtime.ModelInfo;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The lesson's network written by hand, {@code logsoftmax(W2 relu(W1 x + b1) + b2)} with the loss
 * {@code nll(out, y)}, as the generator will emit it: flat float arrays, preallocated buffers, the
 * batch-mean gradient. It stands in for the generated class until the generator exists.
 */
public final class MlpModel implements FloatTrainable {

  private final int inputs;
  private final int hidden;
  private final int classes;
  private final int maxBatch;
  private final ModelInfo info;

  private final float[] w1;
  private final float[] b1;
  private final float[] w2;
  private final float[] b2;
  private final float[] gw1;
  private final float[] gb1;
  private final float[] gw2;
  private final float[] gb2;

  private final float[] h;
  private final float[] logp;
  private final float[] dh;
  private final float[] dz2;

  public MlpModel(int inputs, int hidden, int classes, int maxBatch) {
    this.inputs = inputs;
    this.hidden = hidden;
    this.classes = classes;
    this.maxBatch = maxBatch;
    this.info = new ModelInfo("TestMlp", "test-mlp-" + inputs + "-" + hidden + "-" + classes, ModelInfo.Precision.FLOAT,
        inputs, classes, ModelInfo.Labels.CLASSES, classes,
        List.of(new ModelInfo.Parameter("W1", new int[] {hidden, inputs}), new ModelInfo.Parameter("b1", new int[] {hidden}),
            new ModelInfo.Parameter("W2", new int[] {classes, hidden}), new ModelInfo.Parameter("b2", new int[] {classes})),
        hidden + classes);
    w1 = new float[hidden * inputs];
    b1 = new float[hidden];
    w2 = new float[classes * hidden];
    b2 = new float[classes];
    gw1 = new float[w1.length];
    gb1 = new float[b1.length];
    gw2 = new float[w2.length];
    gb2 = new float[b2.length];
    h = new float[maxBatch * hidden];
    logp = new float[maxBatch * classes];
    dh = new float[hidden];
    dz2 = new float[classes];
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Initializers.uniform(w1, Initializers.linearBound(inputs), random);
    Initializers.uniform(b1, Initializers.linearBound(inputs), random);
    Initializers.uniform(w2, Initializers.linearBound(hidden), random);
    Initializers.uniform(b2, Initializers.linearBound(hidden), random);
  }

  private void forward(float[] x, int n) {
    if (n > maxBatch) {
      throw new IllegalArgumentException("batch " + n + " > " + maxBatch);
    }
    for (int s = 0; s < n; s++) {
      int xo = s * inputs;
      int ho = s * hidden;
      for (int j = 0; j < hidden; j++) {
        float z = b1[j];
        int wo = j * inputs;
        for (int i = 0; i < inputs; i++) {
          z += w1[wo + i] * x[xo + i];
        }
        h[ho + j] = z > 0 ? z : 0;
      }
      int lo = s * classes;
      float max = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) {
        float z = b2[k];
        int wo = k * hidden;
        for (int j = 0; j < hidden; j++) {
          z += w2[wo + j] * h[ho + j];
        }
        logp[lo + k] = z;
        max = Math.max(max, z);
      }
      float sum = 0;
      for (int k = 0; k < classes; k++) {
        sum += (float) Math.exp(logp[lo + k] - max);
      }
      float logSum = max + (float) Math.log(sum);
      for (int k = 0; k < classes; k++) {
        logp[lo + k] -= logSum;
      }
    }
  }

  private double nll(int[] labels, int n) {
    double total = 0;
    for (int s = 0; s < n; s++) {
      total -= logp[s * classes + labels[s]];
    }
    return total / n;
  }

  @Override
  public void predict(float[] x, int n, float[] out) {
    forward(x, n);
    System.arraycopy(logp, 0, out, 0, n * classes);
  }

  @Override
  public double computeGradients(float[] x, int[] labels, int n) {
    forward(x, n);
    java.util.Arrays.fill(gw1, 0);
    java.util.Arrays.fill(gb1, 0);
    java.util.Arrays.fill(gw2, 0);
    java.util.Arrays.fill(gb2, 0);
    float scale = 1f / n;
    for (int s = 0; s < n; s++) {
      int ho = s * hidden;
      int lo = s * classes;
      for (int k = 0; k < classes; k++) {
        dz2[k] = ((float) Math.exp(logp[lo + k]) - (k == labels[s] ? 1 : 0)) * scale;
      }
      java.util.Arrays.fill(dh, 0);
      for (int k = 0; k < classes; k++) {
        float d = dz2[k];
        gb2[k] += d;
        int wo = k * hidden;
        for (int j = 0; j < hidden; j++) {
          gw2[wo + j] += d * h[ho + j];
          dh[j] += d * w2[wo + j];
        }
      }
      int xo = s * inputs;
      for (int j = 0; j < hidden; j++) {
        if (h[ho + j] <= 0) {
          continue;
        }
        float d = dh[j];
        gb1[j] += d;
        int wo = j * inputs;
        for (int i = 0; i < inputs; i++) {
          gw1[wo + i] += d * x[xo + i];
        }
      }
    }
    return nll(labels, n);
  }

  @Override
  public double trainStep(float[] x, int[] labels, int n, float lr) {
    double loss = computeGradients(x, labels, n);
    float[][] p = parameterArrays();
    float[][] g = gradientArrays();
    for (int k = 0; k < p.length; k++) {
      for (int i = 0; i < p[k].length; i++) {
        p[k][i] -= lr * g[k][i];
      }
    }
    return loss;
  }

  @Override
  public double loss(float[] x, int[] labels, int n) {
    forward(x, n);
    return nll(labels, n);
  }

  @Override
  public double trainStep(float[] x, float[] targets, int n, float lr) {
    throw new IllegalArgumentException("TestMlp takes class labels, not targets");
  }

  @Override
  public double computeGradients(float[] x, float[] targets, int n) {
    throw new IllegalArgumentException("TestMlp takes class labels, not targets");
  }

  @Override
  public double loss(float[] x, float[] targets, int n) {
    throw new IllegalArgumentException("TestMlp takes class labels, not targets");
  }

  @Override
  public float[][] parameterArrays() {
    return new float[][] {w1, b1, w2, b2};
  }

  @Override
  public float[][] gradientArrays() {
    return new float[][] {gw1, gb1, gw2, gb2};
  }

  @Override
  public double[] parameter(String name) {
    return toDouble(parameterArrays()[index(name)]);
  }

  @Override
  public void setParameter(String name, double[] values) {
    float[] target = parameterArrays()[index(name)];
    if (values.length != target.length) {
      throw new IllegalArgumentException(name + " holds " + target.length + " values, got " + values.length);
    }
    for (int i = 0; i < target.length; i++) {
      target[i] = (float) values[i];
    }
  }

  @Override
  public double[] gradient(String name) {
    return toDouble(gradientArrays()[index(name)]);
  }

  private int index(String name) {
    for (int i = 0; i < info.parameters().size(); i++) {
      if (info.parameters().get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no parameter " + name);
  }

  static double[] toDouble(float[] values) {
    double[] copy = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      copy[i] = values[i];
    }
    return copy;
  }
}
