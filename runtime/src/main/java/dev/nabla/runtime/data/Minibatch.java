package dev.nabla.runtime.data;

import dev.nabla.runtime.BatchRows;
import dev.nabla.runtime.ParameterUpdate;
import dev.nabla.runtime.Trainable;

/**
 * A reusable buffer holding one minibatch in the layout the generated train step takes. The trainer
 * copies each shuffled batch here instead of allocating, and hands it to the model with the labels
 * or the targets, whichever the data has.
 *
 * <p>A batch {@linkplain #select selected} but not yet copied is copied by the model that runs it: a generated
 * network has each of its threads copy its own samples right before its pass ({@link BatchRows}). It may read the
 * inputs where they lie in the data set instead, consecutive (an evaluation's batch of the test set) or through the
 * rows of a shuffled step, copying only their labels or targets; {@link #x()} copies the inputs here if they are asked
 * for afterwards.
 */
public final class Minibatch implements BatchRows {

  private final float[] x;
  private final int[] labels;
  private final float[] targets;
  private final int inputSize;
  private final int labelSize;
  private int size;
  /**
   * The samples selected and not copied yet, of {@code source}: {@code [from, from + size)} when consecutive, else
   * {@code rows[0 .. size)}.
   */
  private Dataset source;
  private boolean consecutive;
  private int from;
  private int[] rows;
  /**
   * After a model ran the selected batch, whose inputs it may have read where they lie: their data set, from which
   * {@link #x()} copies them if asked for them. The labels or targets are in place by then.
   */
  private Dataset inputsSource;

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
    select(data, order, from, count);
    copyPending();
  }

  /** Copies the consecutive samples {@code [from, from+count)} of {@code data} into this buffer. */
  public void fillRange(Dataset data, int from, int count) {
    select(data, null, from, count);
    copyPending();
  }

  /**
   * Makes this the batch of samples {@code order[from .. from+count)} of {@code data} ({@code [from, from+count)}
   * when {@code order} is null) without copying them: the model that runs it copies them (or reads them where they
   * lie), or the first read of {@link #x()} and the labels here does.
   */
  public void select(Dataset data, int[] order, int from, int count) {
    checkCapacity(count);
    if (data.inputSize() != inputSize || data.hasClasses() != (labels != null)) {
      throw new IllegalArgumentException("the " + data.name() + " set's samples do not fit this buffer");
    }
    // A model may read consecutive samples where they lie, so a range past the data is refused here, not in a kernel.
    int available = order == null ? data.size() : order.length;
    if (from < 0 || count < 0 || from > available - count) {
      throw new IllegalArgumentException("samples " + from + " to " + ((long) from + count) + " of the " + data.name()
          + " set" + (order == null ? "" : "'s order") + ": it has " + available);
    }
    this.source = data;
    this.consecutive = order == null;
    this.from = from;
    this.size = count;
    this.inputsSource = null;
    if (order != null) {
      if (rows == null) {
        rows = new int[capacity()];
      }
      for (int i = 0; i < count; i++) {
        int sample = order[from + i];
        if (sample < 0 || sample >= data.size()) {
          throw new IllegalArgumentException("sample " + sample + " of the " + data.name() + " set's order, at "
              + (from + i) + ": it has " + data.size());
        }
        rows[i] = sample;
      }
    }
  }

  /** Copies selected samples {@code [lo, hi)} of the batch to their rows: what each lane of a model does for its own. */
  @Override
  public void copy(int lo, int hi) {
    copyInputs(source, lo, hi);
    copyTruth(lo, hi);
  }

  private void copyInputs(Dataset data, int lo, int hi) {
    float[] inputs = data.x();
    if (consecutive) {
      System.arraycopy(inputs, (from + lo) * inputSize, x, lo * inputSize, (hi - lo) * inputSize);
      return;
    }
    for (int i = lo; i < hi; i++) {
      System.arraycopy(inputs, rows[i] * inputSize, x, i * inputSize, inputSize);
    }
  }

  /** The data set's inputs while the batch is selected and not copied: read them there, at {@link #inputRows()}. */
  @Override
  public float[] inputsInPlace() {
    return source != null ? source.x() : null;
  }

  @Override
  public int inputsOffset() {
    return consecutive ? from * inputSize : 0;
  }

  @Override
  public int[] inputRows() {
    return source != null && !consecutive ? rows : null;
  }

  /** Copies the labels or targets of selected samples {@code [lo, hi)}: a model reads their inputs in place. */
  @Override
  public void copyTruth(int lo, int hi) {
    Dataset data = source;
    if (consecutive) {
      int first = from + lo;
      if (labels != null) {
        System.arraycopy(data.labels(), first, labels, lo, hi - lo);
      } else {
        System.arraycopy(data.targets(), first * labelSize, targets, lo * labelSize, (hi - lo) * labelSize);
      }
      return;
    }
    for (int i = lo; i < hi; i++) {
      int sample = rows[i];
      if (labels != null) {
        labels[i] = data.labels()[sample];
      } else {
        System.arraycopy(data.targets(), sample * labelSize, targets, i * labelSize, labelSize);
      }
    }
  }

  /** After a model ran the selected batch: its rows are in place, but for inputs it may have read where they lie. */
  private void afterRun() {
    if (source != null) {
      inputsSource = source;
    }
    source = null;
  }

  /** Copies the selected samples not copied yet. */
  private void copyPending() {
    if (source != null) {
      copy(0, size);
      source = null;
    }
  }

  /** {@link #copyPending()}, and the inputs a model read where they lie: every row of the batch in this buffer. */
  private void copyAll() {
    copyPending();
    if (inputsSource != null) {
      copyInputs(inputsSource, 0, size);
      inputsSource = null;
    }
  }

  /** This, for the model to copy the selected samples (or read them where they lie), or null once they are all here. */
  private BatchRows rowsToCopy() {
    if (source != null) {
      return this;
    }
    copyAll();
    return null;
  }

  /** The fused forward, backward and SGD update of the model on this batch. */
  public double trainStep(Trainable model, float learningRate) {
    BatchRows rows = rowsToCopy();
    try {
      return model.trainStep(rows, x, labels, targets, size, learningRate);
    } finally {
      afterRun();
    }
  }

  /** The gradients of this batch, then {@code update} over every parameter: a step of another optimizer than SGD. */
  public double trainStep(Trainable model, ParameterUpdate update) {
    BatchRows rows = rowsToCopy();
    try {
      return model.trainStep(rows, x, labels, targets, size, update);
    } finally {
      afterRun();
    }
  }

  /** Forward and backward on this batch, leaving the gradients in the model. */
  public double computeGradients(Trainable model) {
    copyAll();
    return labels != null ? model.computeGradients(x, labels, size) : model.computeGradients(x, targets, size);
  }

  /** The mean loss on this batch, forward only. */
  public double loss(Trainable model) {
    copyAll();
    return labels != null ? model.loss(x, labels, size) : model.loss(x, targets, size);
  }

  /** The mean loss on this batch and each sample's output in {@code result}, from one forward pass. */
  public double evaluate(Trainable model, float[] result) {
    BatchRows rows = rowsToCopy();
    try {
      return model.evaluate(rows, x, labels, targets, size, result);
    } finally {
      afterRun();
    }
  }

  public float[] x() {
    copyAll();
    return x;
  }

  /** The labels, or {@code null} for targets. */
  public int[] labels() {
    copyPending();
    return labels;
  }

  /** The targets, or {@code null} for labels. */
  public float[] targets() {
    copyPending();
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
