package dev.nabla.runtime.metrics;

import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.Minibatch;

/**
 * Measures a model on a whole data set in batches, reusing its buffers between calls: the trainer
 * evaluates the test set after every epoch. Each batch is one forward pass ({@link
 * dev.nabla.runtime.Trainable#evaluate(float[], int[], int, float[])}) for both the loss and the predictions.
 */
public final class Evaluator {

  private final Minibatch batch;
  private final float[] out;
  private final int outputSize;

  /** An evaluator for {@code data}'s kind of samples, in batches of at most {@code batchSize}. */
  public Evaluator(Trainable model, Dataset data, int batchSize) {
    int size = Math.max(1, Math.min(batchSize, model.maxBatch()));
    this.batch = Minibatch.forData(data, size);
    this.outputSize = model.info().outputSize();
    this.out = new float[size * outputSize];
  }

  /**
   * The mean loss over {@code data} and, when it has class labels, the confusion matrix of the
   * predictions (the largest output of each sample; the same for logits, probabilities and
   * log-probabilities).
   */
  public Evaluation evaluate(Trainable model, Dataset data) {
    int capacity = batch.capacity();
    boolean classes = data.hasClasses();
    int[][] confusion = new int[classes ? data.labelSize() : 0][classes ? data.labelSize() : 0];
    double lossSum = 0;
    for (int from = 0; from < data.size(); from += capacity) {
      int n = Math.min(capacity, data.size() - from);
      // One forward pass gives the loss and the outputs; the model's lanes copy their own samples of the batch.
      batch.select(data, null, from, n);
      lossSum += batch.evaluate(model, out) * n;
      if (classes) {
        int[] labels = batch.labels();
        for (int i = 0; i < n; i++) {
          confusion[labels[i]][argmax(out, i * outputSize, Math.min(outputSize, data.labelSize()))]++;
        }
      }
    }
    double loss = data.size() == 0 ? Double.NaN : lossSum / data.size();
    return classes ? Evaluation.fromConfusion(loss, confusion) : new Evaluation(loss, Double.NaN, new double[0], confusion);
  }

  private static int argmax(float[] values, int offset, int length) {
    int best = 0;
    for (int i = 1; i < length; i++) {
      if (values[offset + i] > values[offset + best]) {
        best = i;
      }
    }
    return best;
  }
}
