package dev.nabla.runtime;

/**
 * Copies samples of a batch into the arrays a model is handed ({@code x}, and the labels or targets), at their
 * rows in the batch: what the trainer's minibatch does for the samples of a shuffled step. A model that splits a
 * batch over its threads has each thread copy its own rows right before its pass, so the gather runs on every
 * core at once and leaves the rows in that core's cache; see {@link Trainable#trainStep(BatchRows, float[], int[],
 * float[], int, float)}.
 */
@FunctionalInterface
public interface BatchRows {
  /** Copies samples {@code [lo, hi)} of the batch into rows {@code [lo, hi)}; called once per row, maybe from several threads for disjoint ranges. */
  void copy(int lo, int hi);
}
