package dev.nabla.runtime.optim;

import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Minibatch;

/**
 * Updates a model's parameters from one minibatch. An optimizer belongs to one model (it holds
 * buffers shaped like its parameters) and allocates nothing per step.
 */
public interface Optimizer {

  /** {@code sgd}, {@code momentum} or {@code adam}: what checkpoints record. */
  String name();

  /** One training step on {@code batch}; returns the batch's mean loss before the update. */
  double step(Trainable model, Minibatch batch, float learningRate);

  /** A copy of the optimizer's memory, for a checkpoint. */
  OptimizerState state();

  /** Continues from a saved state; a state of another optimizer or shape is an {@link IllegalArgumentException}. */
  void restore(OptimizerState state);
}
