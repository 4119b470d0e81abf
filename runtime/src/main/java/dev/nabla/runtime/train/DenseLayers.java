package dev.nabla.runtime.train;

import dev.nabla.runtime.FloatNetwork;
import dev.nabla.runtime.Initializers;
import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.kernels.Activations;
import dev.nabla.runtime.kernels.Losses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A stand-in for a generated class that {@link WarmUp} trains while the real one is being compiled: a chain of dense
 * layers of the spec's shapes, each {@code z = W x + b} then its activation, and softmax cross-entropy on the last.
 * It calls the runtime exactly as a generated class does ({@code dense}, {@code weightGradient},
 * {@code transposedDense}, {@code addBatchMean}, the activations and the loss, the lanes and the trainer's step), so
 * that the JIT compiles that code for these shapes. A layer whose columns are not the previous layer's rows reads inputs of its own (zeros), and
 * the gradient flows back only along the chain: what matters is which kernels run on which shapes, not the math.
 */
final class DenseLayers extends FloatNetwork {
  private final List<WarmUp.Layer> layers;
  private final float[][] w;
  private final float[][] bias;
  private final float[][] dw;
  private final float[][] db;
  /** Per layer: its own inputs when it does not read the previous layer's outputs, else {@code null}. */
  private final float[][] ownInput;
  private final float[][] z;
  private final float[][] y;
  private final float[][] dz;
  private final float[][] dy;
  private final float[] loss;
  private final float[] softmax;
  private final int inputSize;

  DenseLayers(int inputSize, List<WarmUp.Layer> layers, int maxBatch, int threads, int minLaneBatch) {
    super(info(inputSize, layers), maxBatch, threads, minLaneBatch);
    this.layers = layers;
    this.inputSize = inputSize;
    int count = layers.size();
    w = new float[count][];
    bias = new float[count][];
    dw = new float[count][];
    db = new float[count][];
    ownInput = new float[count][];
    z = new float[count][];
    y = new float[count][];
    dz = new float[count][];
    dy = new float[count][];
    for (int l = 0; l < count; l++) {
      w[l] = parameter(2 * l);
      bias[l] = parameter(2 * l + 1);
      dw[l] = gradient(2 * l);
      db[l] = gradient(2 * l + 1);
    }
    takePerSampleArrays();
    loss = perSample(1);
    softmax = perSample(layers.get(count - 1).rows());
  }

  private DenseLayers(DenseLayers owner) {
    super(owner);
    this.layers = owner.layers;
    this.inputSize = owner.inputSize;
    int count = layers.size();
    w = owner.w;
    bias = owner.bias;
    dw = new float[count][];
    db = new float[count][];
    for (int l = 0; l < count; l++) {
      dw[l] = gradient(2 * l);
      db[l] = gradient(2 * l + 1);
    }
    ownInput = new float[count][];
    z = new float[count][];
    y = new float[count][];
    dz = new float[count][];
    dy = new float[count][];
    takePerSampleArrays();
    loss = perSample(1);
    softmax = perSample(layers.get(count - 1).rows());
  }

  /**
   * Each layer's per-sample arrays, asked for in one order by the model and by each lane, so that a lane (which gets
   * the model's arrays in the order it asks) gets the same ones.
   */
  private void takePerSampleArrays() {
    for (int l = 0; l < layers.size(); l++) {
      WarmUp.Layer layer = layers.get(l);
      ownInput[l] = chained(l) ? null : perSample(layer.columns());
      z[l] = perSample(layer.rows());
      y[l] = perSample(layer.rows());
      dz[l] = perSample(layer.rows());
      dy[l] = perSample(layer.rows());
    }
  }

  private static ModelInfo info(int inputSize, List<WarmUp.Layer> layers) {
    List<ModelInfo.Parameter> parameters = new ArrayList<>();
    int perSample = 1;
    for (int l = 0; l < layers.size(); l++) {
      WarmUp.Layer layer = layers.get(l);
      parameters.add(new ModelInfo.Parameter("W" + (l + 1), new int[] {layer.rows(), layer.columns()}));
      parameters.add(new ModelInfo.Parameter("b" + (l + 1), new int[] {layer.rows()}));
      perSample += 4 * layer.rows() + layer.columns();
    }
    int classes = layers.get(layers.size() - 1).rows();
    perSample += classes;
    return new ModelInfo("WarmUp", "", ModelInfo.Precision.FLOAT, inputSize, classes, ModelInfo.Labels.CLASSES, classes,
        parameters, perSample);
  }

  /** Whether layer {@code l} reads the previous layer's outputs (layer 0: the batch's inputs). */
  private boolean chained(int l) {
    int columns = layers.get(l).columns();
    return l == 0 ? columns == inputSize : columns == layers.get(l - 1).rows();
  }

  @Override
  protected DenseLayers newLane() {
    return new DenseLayers(this);
  }

  @Override
  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int l = 0; l < layers.size(); l++) {
      double bound = Initializers.linearBound(layers.get(l).columns());
      Initializers.uniform(w[l], bound, random);
      Initializers.uniform(bias[l], bound, random);
    }
  }

  /** Layer {@code l}'s inputs: the batch's, the previous layer's outputs, or its own. */
  private float[] input(float[] x, int l) {
    return !chained(l) ? ownInput[l] : l == 0 ? x : y[l - 1];
  }

  /** Where the batch starts in {@link #input}: the pass's {@code xOffset} in the batch's inputs, 0 in the others. */
  private int inputOffset(int xOffset, int l) {
    return chained(l) && l == 0 ? xOffset : 0;
  }

  /** The rows of {@link #input} that hold the samples: the pass's {@code xRows} in the batch's inputs, none in the others. */
  private int[] inputRows(int[] xRows, int l) {
    return chained(l) && l == 0 ? xRows : null;
  }

  /** As a generated class whose inputs only enter its first product: the trainer's shuffled batches are read in place. */
  @Override
  protected boolean readsInputRows() {
    return true;
  }

  @Override
  protected void forward(float[] x, int xOffset, int[] xRows, int[] labels, float[] targets, int lo, int hi, int n) {
    int last = layers.size() - 1;
    for (int l = 0; l <= last; l++) {
      WarmUp.Layer layer = layers.get(l);
      int rows = layer.rows();
      dense(w[l], rows, layer.columns(), bias[l], input(x, l), inputOffset(xOffset, l), layer.columns(),
          inputRows(xRows, l), lo, hi, z[l], 0, rows);
      activate(layer.activation(), z[l], y[l], lo * rows, (hi - lo) * rows);
    }
    int classes = layers.get(last).rows();
    Activations.softmax(y[last], 0, classes, softmax, classes, lo, hi);
    Losses.crossEntropy(y[last], 0, classes, classes, labels, loss, lo, hi);
  }

  private static void activate(WarmUp.Activation activation, float[] z, float[] y, int from, int length) {
    switch (activation) {
      case TANH -> Activations.tanh(z, from, y, from, length);
      case SIGMOID -> Activations.sigmoid(z, from, y, from, length);
      case RELU -> Activations.relu(z, from, y, from, length);
      case NONE -> System.arraycopy(z, from, y, from, length);
    }
  }

  @Override
  protected void backward(float[] x, int xOffset, int[] xRows, int[] labels, float[] targets, int lo, int hi, int n) {
    float invN = 1f / n;
    int last = layers.size() - 1;
    int classes = layers.get(last).rows();
    for (int b = lo; b < hi; b++) {
      for (int i = 0; i < classes; i++) {
        dy[last][b * classes + i] = softmax[b * classes + i] - (labels[b] == i ? 1f : 0f);
      }
    }
    for (int l = last; l >= 0; l--) {
      WarmUp.Layer layer = layers.get(l);
      int rows = layer.rows();
      for (int k = lo * rows; k < hi * rows; k++) {
        float slope = switch (layer.activation()) {
          case RELU -> z[l][k] >= 0 ? 1f : 0f;
          case TANH -> 1 - y[l][k] * y[l][k];
          case SIGMOID -> y[l][k] * (1 - y[l][k]);
          case NONE -> 1f;
        };
        dz[l][k] = dy[l][k] * slope;
      }
      addBatchMean(db[l], rows, dz[l], 0, rows, lo, hi, invN);
      weightGradient(dw[l], rows, layer.columns(), dz[l], 0, rows, input(x, l), inputOffset(xOffset, l), layer.columns(),
          inputRows(xRows, l), lo, hi, invN);
      if (l > 0 && chained(l)) {
        transposedDense(w[l], rows, layer.columns(), dz[l], 0, rows, lo, hi, dy[l - 1], 0, layer.columns());
      } else if (l > 0) {
        Arrays.fill(dy[l - 1], lo * layers.get(l - 1).rows(), hi * layers.get(l - 1).rows(), 0f);
      }
    }
  }

  @Override
  protected void predictSamples(float[] x, int xOffset, int lo, int hi, float[] result) {
    for (int l = 0; l < layers.size(); l++) {
      WarmUp.Layer layer = layers.get(l);
      int rows = layer.rows();
      dense(w[l], rows, layer.columns(), bias[l], input(x, l), inputOffset(xOffset, l), layer.columns(), lo, hi, z[l], 0,
          rows);
      activate(layer.activation(), z[l], y[l], lo * rows, (hi - lo) * rows);
    }
    outputSamples(x, xOffset, lo, hi, result);
  }

  /** The log-softmax of the last layer, the output of a classifier as the lesson writes it ({@code logsoftmax}). */
  @Override
  protected void outputSamples(float[] x, int xOffset, int lo, int hi, float[] result) {
    int classes = layers.get(layers.size() - 1).rows();
    Activations.logSoftmax(y[layers.size() - 1], 0, classes, softmax, classes, lo, hi);
    copyOutput(softmax, classes, lo, hi, result);
  }

  @Override
  protected double meanLoss(int n) {
    return mean(loss, n);
  }
}
