package dev.nabla.runtime.optim;

import dev.nabla.runtime.ParameterUpdate;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Minibatch;
import java.util.Arrays;

/**
 * SGD with momentum as PyTorch does it: {@code v ← μ v + ∇C; θ ← θ − lr v}. The velocity smooths the
 * noise of minibatches and speeds travel along shallow, consistent directions.
 */
public final class Momentum implements Optimizer {

  private final ParameterSlots slots;
  private final double momentum;
  private final double[][] velocity;
  private final ParameterSlots.Rule rule;
  /** The rule over a range of a float model's live arrays, which the model's lanes share: see {@link ParameterUpdate}. */
  private final ParameterUpdate update;
  private double rate;
  private long steps;

  public Momentum(Trainable model, double momentum) {
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
    }
    this.slots = new ParameterSlots(model);
    this.momentum = momentum;
    this.velocity = slots.newBuffers();
    // One rule object for the optimizer's life: a lambda per step would allocate.
    this.rule = (k, i, p, g) -> {
      double v = this.momentum * velocity[k][i] + g;
      velocity[k][i] = v;
      return p - rate * v;
    };
    float[][] values = slots.floatValues();
    float[][] gradients = slots.floatGradients();
    // The rule's arithmetic, in its order, in a loop of its own: the same numbers, several times faster.
    this.update = values == null ? null : (k, from, to) -> {
      float[] p = values[k];
      float[] g = gradients[k];
      double[] v = velocity[k];
      for (int i = from; i < to; i++) {
        double next = this.momentum * v[i] + g[i];
        v[i] = next;
        p[i] = (float) (p[i] - rate * next);
      }
    };
  }

  @Override
  public String name() {
    return "momentum";
  }

  @Override
  public double step(Trainable model, Minibatch batch, float learningRate) {
    rate = learningRate;
    double loss;
    if (update != null) {
      loss = batch.trainStep(model, update);
    } else {
      loss = batch.computeGradients(model);
      slots.apply(rule);
    }
    steps++;
    return loss;
  }

  @Override
  public OptimizerState state() {
    return new OptimizerState(name(), steps, Arrays.asList(velocity));
  }

  @Override
  public void restore(OptimizerState state) {
    ParameterSlots.checkState(this, state, velocity.length);
    slots.restoreBuffers(this, state.buffers(), 0, velocity);
    steps = state.steps();
  }
}
