package dev.nabla.runtime.optim;

import dev.nabla.runtime.ParameterUpdate;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Minibatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Adam (Kingma and Ba, 2015), as PyTorch computes it: running means of the gradient and of its
 * square, bias-corrected, give each value its own step size
 * {@code θ ← θ − lr m̂ / (√v̂ + ε)}.
 */
public final class Adam implements Optimizer {

  private final ParameterSlots slots;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double[][] first;
  private final double[][] second;
  private final ParameterSlots.Rule rule;
  /** The rule over a range of a float model's live arrays, which the model's lanes share: see {@link ParameterUpdate}. */
  private final ParameterUpdate update;
  private double rate;
  private double correction1;
  private double correction2;
  private long steps;

  public Adam(Trainable model, double beta1, double beta2, double epsilon) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException("Adam needs 0 ≤ β1, β2 < 1 and ε > 0, got β1=" + beta1 + ", β2=" + beta2
          + ", ε=" + epsilon);
    }
    this.slots = new ParameterSlots(model);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.first = slots.newBuffers();
    this.second = slots.newBuffers();
    this.rule = (k, i, p, g) -> {
      double m = this.beta1 * first[k][i] + (1 - this.beta1) * g;
      double v = this.beta2 * second[k][i] + (1 - this.beta2) * g * g;
      first[k][i] = m;
      second[k][i] = v;
      return p - rate * (m / correction1) / (Math.sqrt(v / correction2) + this.epsilon);
    };
    float[][] values = slots.floatValues();
    float[][] gradients = slots.floatGradients();
    // The rule's arithmetic, in its order, in a loop of its own: the same numbers, faster.
    this.update = values == null ? null : (k, from, to) -> {
      float[] p = values[k];
      float[] g = gradients[k];
      double[] m1 = first[k];
      double[] m2 = second[k];
      for (int i = from; i < to; i++) {
        double gi = g[i];
        double m = this.beta1 * m1[i] + (1 - this.beta1) * gi;
        double v = this.beta2 * m2[i] + (1 - this.beta2) * gi * gi;
        m1[i] = m;
        m2[i] = v;
        p[i] = (float) (p[i] - rate * (m / correction1) / (Math.sqrt(v / correction2) + this.epsilon));
      }
    };
  }

  @Override
  public String name() {
    return "adam";
  }

  @Override
  public double step(Trainable model, Minibatch batch, float learningRate) {
    steps++;
    rate = learningRate;
    correction1 = 1 - Math.pow(beta1, steps);
    correction2 = 1 - Math.pow(beta2, steps);
    if (update != null) {
      return batch.trainStep(model, update);
    }
    double loss = batch.computeGradients(model);
    slots.apply(rule);
    return loss;
  }

  @Override
  public OptimizerState state() {
    List<double[]> buffers = new ArrayList<>(Arrays.asList(first));
    buffers.addAll(Arrays.asList(second));
    return new OptimizerState(name(), steps, buffers);
  }

  @Override
  public void restore(OptimizerState state) {
    ParameterSlots.checkState(this, state, first.length + second.length);
    slots.restoreBuffers(this, state.buffers(), 0, first);
    slots.restoreBuffers(this, state.buffers(), first.length, second);
    steps = state.steps();
  }
}
