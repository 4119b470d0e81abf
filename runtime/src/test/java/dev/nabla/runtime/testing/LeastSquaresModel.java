package dev.nabla.runtime.testing;

import dev.nabla.runtime.FloatTrainable;
import dev.nabla.runtime.ModelInfo;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Linear least squares, {@code C = (1/n) Σ ½‖W x + b − t‖²}: convex, with its minimum known when the
 * targets are an exact linear function of the inputs. Optimizers must find it.
 */
public class LeastSquaresModel implements FloatTrainable {

  private final int inputs;
  private final int outputs;
  private final int maxBatch;
  private final ModelInfo info;
  private final float[] w;
  private final float[] b;
  private final float[] gw;
  private final float[] gb;
  private final float[] residual;

  public LeastSquaresModel(int inputs, int outputs, int maxBatch) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.maxBatch = maxBatch;
    this.info = new ModelInfo("LeastSquares", "test-lsq-" + inputs + "-" + outputs, ModelInfo.Precision.FLOAT, inputs,
        outputs, ModelInfo.Labels.TARGETS, outputs,
        List.of(new ModelInfo.Parameter("W", new int[] {outputs, inputs}), new ModelInfo.Parameter("b", new int[] {outputs})),
        outputs);
    w = new float[outputs * inputs];
    b = new float[outputs];
    gw = new float[w.length];
    gb = new float[b.length];
    residual = new float[outputs];
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
  public void predict(float[] x, int n, float[] out) {
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < outputs; k++) {
        float y = b[k];
        for (int i = 0; i < inputs; i++) {
          y += w[k * inputs + i] * x[s * inputs + i];
        }
        out[s * outputs + k] = y;
      }
    }
  }

  @Override
  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian();
    }
    Arrays.fill(b, 0);
  }

  @Override
  public double computeGradients(float[] x, float[] targets, int n) {
    Arrays.fill(gw, 0);
    Arrays.fill(gb, 0);
    double loss = 0;
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < outputs; k++) {
        float y = b[k];
        for (int i = 0; i < inputs; i++) {
          y += w[k * inputs + i] * x[s * inputs + i];
        }
        residual[k] = y - targets[s * outputs + k];
        loss += 0.5 * residual[k] * residual[k];
      }
      for (int k = 0; k < outputs; k++) {
        float r = residual[k] / n;
        gb[k] += r;
        for (int i = 0; i < inputs; i++) {
          gw[k * inputs + i] += r * x[s * inputs + i];
        }
      }
    }
    return loss / n;
  }

  @Override
  public double loss(float[] x, float[] targets, int n) {
    double loss = 0;
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < outputs; k++) {
        float y = b[k];
        for (int i = 0; i < inputs; i++) {
          y += w[k * inputs + i] * x[s * inputs + i];
        }
        float r = y - targets[s * outputs + k];
        loss += 0.5 * r * r;
      }
    }
    return loss / n;
  }

  @Override
  public double trainStep(float[] x, float[] targets, int n, float lr) {
    double loss = computeGradients(x, targets, n);
    for (int i = 0; i < w.length; i++) {
      w[i] -= lr * gw[i];
    }
    for (int i = 0; i < b.length; i++) {
      b[i] -= lr * gb[i];
    }
    return loss;
  }

  @Override
  public double trainStep(float[] x, int[] labels, int n, float lr) {
    throw new IllegalArgumentException("LeastSquares takes targets, not labels");
  }

  @Override
  public double computeGradients(float[] x, int[] labels, int n) {
    throw new IllegalArgumentException("LeastSquares takes targets, not labels");
  }

  @Override
  public double loss(float[] x, int[] labels, int n) {
    throw new IllegalArgumentException("LeastSquares takes targets, not labels");
  }

  @Override
  public float[][] parameterArrays() {
    return new float[][] {w, b};
  }

  @Override
  public float[][] gradientArrays() {
    return new float[][] {gw, gb};
  }

  @Override
  public double[] parameter(String name) {
    return MlpModel.toDouble(array(name, parameterArrays()));
  }

  @Override
  public void setParameter(String name, double[] values) {
    float[] target = array(name, parameterArrays());
    for (int i = 0; i < target.length; i++) {
      target[i] = (float) values[i];
    }
  }

  @Override
  public double[] gradient(String name) {
    return MlpModel.toDouble(array(name, gradientArrays()));
  }

  private static float[] array(String name, float[][] arrays) {
    return switch (name) {
      case "W" -> arrays[0];
      case "b" -> arrays[1];
      default -> throw new IllegalArgumentException("no parameter " + name);
    };
  }
}
