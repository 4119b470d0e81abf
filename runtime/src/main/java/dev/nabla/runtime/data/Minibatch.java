package dev.nabla.runtime.data;

import dev.nabla.runtime.Trainable;

/**
 * A reusable buffer holding one minibatch in the layout the generated train step takes. The trainer
 * copies each shuffled batch here instead of allocating, and hands it to the model with the labels
 * or the targets, whichever the data has.
 */
public final class Minibatch {

  private final float[] x;
  private final int[] labels;
  private final float[] targets;
  private final int inputSize;
  private final int labelSize;
  private int size;

  private Minibatch(float[] x, int[] labels, float[] targets, int inputSize, int labelSize, int size) {
    this.x = x;
    this.labels = labels;
    this.targets = targets;
    this.inputSize = inputSize;
    this.labelSize = labelSize;
    this.size = size;
  }

  /** An empty buffer for up to {@code capacity} samples of {@code data}'s kind. */
  public static Minibatch forData(Dataset data, int capacity) {
    return new Minibatch(
        new float[capacity * data.inputSize()],
        data.hasClasses() ? new int[capacity] : null,
        data.hasClasses() ? null : new float[capacity * data.labelSize()],
        data.inputSize(), data.labelSize(), 0);
  }

  /** Wraps {@code n} classified samples of {@code inputSize} values as they are (no copy). */
  public static Minibatch of(float[] x, int inputSize, int[] labels, int n) {
    return new Minibatch(x, labels, null, inputSize, 0, n);
  }

  /** Wraps {@code n} samples with {@code targetSize} targets each as they are (no copy). */
  public static Minibatch of(float[] x, int inputSize, float[] targets, int targetSize, int n) {
    return new Minibatch(x, null, targets, inputSize, targetSize, n);
  }

  /** Copies the samples {@code order[from .. from+count)} of {@code data} into this buffer. */
  public void fill(Dataset data, int[] order, int from, int count) {
    checkCapacity(count);
    float[] source = data.x();
    for (int i = 0; i < count; i++) {
      int sample = order[from + i];
      System.arraycopy(source, sample * inputSize, x, i * inputSize, inputSize);
      if (labels != null) {
        labels[i] = data.labels()[sample];
      } else {
        System.arraycopy(data.targets(), sample * labelSize, targets, i * labelSize, labelSize);
      }
    }
    size = count;
  }

  /** Copies the consecutive samples {@code [from, from+count)} of {@code data} into this buffer. */
  public void fillRange(Dataset data, int from, int count) {
    checkCapacity(count);
    System.arraycopy(data.x(), from * inputSize, x, 0, count * inputSize);
    if (labels != null) {
      System.arraycopy(data.labels(), from, labels, 0, count);
    } else {
      System.arraycopy(data.targets(), from * labelSize, targets, 0, count * labelSize);
    }
    size = count;
  }

  /** The fused forward, backward and SGD update of the model on this batch. */
  public double trainStep(Trainable model, float learningRate) {
    return labels != null ? model.trainStep(x, labels, size, learningRate) : model.trainStep(x, targets, size, learningRate);
  }

  /** Forward and backward on this batch, leaving the gradients in the model. */
  public double computeGradients(Trainable model) {
    return labels != null ? model.computeGradients(x, labels, size) : model.computeGradients(x, targets, size);
  }

  /** The mean loss on this batch, forward only. */
  public double loss(Trainable model) {
    return labels != null ? model.loss(x, labels, size) : model.loss(x, targets, size);
  }

  public float[] x() {
    return x;
  }

  /** The labels, or {@code null} for targets. */
  public int[] labels() {
    return labels;
  }

  /** The targets, or {@code null} for labels. */
  public float[] targets() {
    return targets;
  }

  /** Samples in the batch now. */
  public int size() {
    return size;
  }

  /** Samples the buffer holds at most. */
  public int capacity() {
    return labels != null ? labels.length : targets.length / Math.max(1, labelSize);
  }

  private void checkCapacity(int count) {
    if (count > capacity()) {
      throw new IllegalArgumentException("batch of " + count + " does not fit a buffer of " + capacity());
    }
  }
}
