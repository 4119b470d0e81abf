package dev.nabla.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The baseline: a straightforward hand-written MLP (relu hidden layers, logsoftmax + nll, SGD) with
 * plain loops over flat arrays, sample by sample, as one would write it without tuning (like the
 * runtime's test MlpModel, for any depth).
 */
public final class HandMlp {
  private final int[] widths;
  private final int layers;
  private final float[][] w;
  private final float[][] bias;
  private final float[][] gw;
  private final float[][] gb;
  private final float[][] act;
  private final float[][] delta;

  public HandMlp(int[] widths, int maxBatch) {
    this.widths = widths.clone();
    this.layers = widths.length - 1;
    w = new float[layers][];
    bias = new float[layers][];
    gw = new float[layers][];
    gb = new float[layers][];
    act = new float[layers + 1][];
    delta = new float[layers + 1][];
    for (int l = 0; l < layers; l++) {
      w[l] = new float[widths[l + 1] * widths[l]];
      bias[l] = new float[widths[l + 1]];
      gw[l] = new float[w[l].length];
      gb[l] = new float[bias[l].length];
    }
    for (int l = 1; l <= layers; l++) {
      act[l] = new float[maxBatch * widths[l]];
      delta[l] = new float[widths[l]];
    }
  }

  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int l = 0; l < layers; l++) {
      float bound = (float) (1 / Math.sqrt(widths[l]));
      for (int i = 0; i < w[l].length; i++) {
        w[l][i] = (float) random.nextDouble(-bound, bound);
      }
      for (int i = 0; i < bias[l].length; i++) {
        bias[l][i] = (float) random.nextDouble(-bound, bound);
      }
    }
  }

  /** Log-probabilities of every sample in {@code act[layers]}. */
  private void forward(float[] x, int n) {
    for (int s = 0; s < n; s++) {
      for (int l = 0; l < layers; l++) {
        float[] in = l == 0 ? x : act[l];
        int inSize = widths[l];
        int outSize = widths[l + 1];
        int io = s * inSize;
        int oo = s * outSize;
        float[] out = act[l + 1];
        for (int j = 0; j < outSize; j++) {
          float z = bias[l][j];
          int wo = j * inSize;
          for (int i = 0; i < inSize; i++) {
            z += w[l][wo + i] * in[io + i];
          }
          out[oo + j] = l < layers - 1 ? Math.max(z, 0) : z;
        }
      }
      float[] out = act[layers];
      int classes = widths[layers];
      int o = s * classes;
      float max = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) {
        max = Math.max(max, out[o + k]);
      }
      float sum = 0;
      for (int k = 0; k < classes; k++) {
        sum += (float) Math.exp(out[o + k] - max);
      }
      float logSum = max + (float) Math.log(sum);
      for (int k = 0; k < classes; k++) {
        out[o + k] -= logSum;
      }
    }
  }

  public void predict(float[] x, int n, float[] result) {
    forward(x, n);
    System.arraycopy(act[layers], 0, result, 0, n * widths[layers]);
  }

  public double trainStep(float[] x, int[] labels, int n, float lr) {
    forward(x, n);
    for (int l = 0; l < layers; l++) {
      Arrays.fill(gw[l], 0);
      Arrays.fill(gb[l], 0);
    }
    double loss = 0;
    float scale = 1f / n;
    int classes = widths[layers];
    for (int s = 0; s < n; s++) {
      loss -= act[layers][s * classes + labels[s]];
      for (int k = 0; k < classes; k++) {
        delta[layers][k] = ((float) Math.exp(act[layers][s * classes + k]) - (k == labels[s] ? 1 : 0)) * scale;
      }
      for (int l = layers - 1; l >= 0; l--) {
        float[] in = l == 0 ? x : act[l];
        int inSize = widths[l];
        int outSize = widths[l + 1];
        float[] d = delta[l + 1];
        for (int j = 0; j < outSize; j++) {
          gb[l][j] += d[j];
          int wo = j * inSize;
          for (int i = 0; i < inSize; i++) {
            gw[l][wo + i] += d[j] * in[s * inSize + i];
          }
        }
        if (l > 0) {
          float[] below = delta[l];
          Arrays.fill(below, 0);
          for (int j = 0; j < outSize; j++) {
            int wo = j * inSize;
            for (int i = 0; i < inSize; i++) {
              below[i] += w[l][wo + i] * d[j];
            }
          }
          for (int i = 0; i < inSize; i++) {
            if (act[l][s * inSize + i] <= 0) {
              below[i] = 0;
            }
          }
        }
      }
    }
    for (int l = 0; l < layers; l++) {
      for (int i = 0; i < w[l].length; i++) {
        w[l][i] -= lr * gw[l][i];
      }
      for (int i = 0; i < bias[l].length; i++) {
        bias[l][i] -= lr * gb[l][i];
      }
    }
    return loss / n;
  }
}
