package dev.nabla.runtime.optim;

import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Minibatch;
import java.util.List;

/** Plain stochastic gradient descent, {@code θ ← θ − lr ∇C}: the generated model's own fused train step. */
public final class Sgd implements Optimizer {

  private long steps;

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public double step(Trainable model, Minibatch batch, float learningRate) {
    steps++;
    return batch.trainStep(model, learningRate);
  }

  @Override
  public OptimizerState state() {
    return new OptimizerState(name(), steps, List.of());
  }

  @Override
  public void restore(OptimizerState state) {
    ParameterSlots.checkState(this, state, 0);
    steps = state.steps();
  }
}
