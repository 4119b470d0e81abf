package dev.nabla.runtime;

/**
 * Copies samples of a batch into the arrays a model is handed ({@code x}, and the labels or targets), at their
 * rows in the batch: what the trainer's minibatch does for the samples of a shuffled step. A model that splits a
 * batch over its threads has each thread copy its own rows right before its pass, so the gather runs on every
 * core at once and leaves the rows in that core's cache; see {@link Trainable#trainStep(BatchRows, float[], int[],
 * float[], int, float)}. A model that can read the inputs where they lie ({@link #inputsInPlace()}) copies only the
 * labels or targets.
 */
@FunctionalInterface
public interface BatchRows {
  /** Copies samples {@code [lo, hi)} of the batch into rows {@code [lo, hi)}; called once per row, maybe from several threads for disjoint ranges. */
  void copy(int lo, int hi);

  /**
   * The array that holds the batch's inputs as they are, when they are samples of one array: sample {@code b}'s at
   * {@link #inputsOffset()} {@code + r · inputSize}, where {@code r} is {@code b} for consecutive samples (an
   * evaluation's batch of the test set) and {@code inputRows()[b]} for samples in another order (a shuffled step);
   * {@code null} when they must be copied. A model that reads them there copies only their labels or targets
   * ({@link #copyTruth}).
   */
  default float[] inputsInPlace() {
    return null;
  }

  /** Where the batch's first input is in {@link #inputsInPlace()}; 0 when the samples are {@link #inputRows()}. */
  default int inputsOffset() {
    return 0;
  }

  /**
   * The rows of {@link #inputsInPlace()} that hold the batch's samples, in the batch's order, when they are not
   * consecutive; {@code null} when they are. A model whose passes cannot read its inputs through them copies them.
   */
  default int[] inputRows() {
    return null;
  }

  /** {@link #copy} but for the inputs: the labels or targets of samples {@code [lo, hi)}, for a model that reads the inputs in place. */
  default void copyTruth(int lo, int hi) {
    copy(lo, hi);
  }
}
