package dev.nabla.runtime.optim;

import dev.nabla.runtime.FloatTrainable;
import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.Trainable;
import java.util.List;

/**
 * The parameters and gradients an optimizer updates. For a {@link FloatTrainable} they are the
 * model's live arrays, updated in place with no copy; any other {@link Trainable} (a double model)
 * is read and written through {@code gradient}/{@code parameter}/{@code setParameter}, which copies.
 */
final class ParameterSlots {

  /** One update rule applied to parameter {@code index}: {@code p[i]} given {@code g[i]}. */
  interface Rule {
    double update(int index, int i, double p, double g);
  }

  private final Trainable model;
  private final List<ModelInfo.Parameter> parameters;
  private final float[][] values;
  private final float[][] gradients;

  ParameterSlots(Trainable model) {
    this.model = model;
    this.parameters = model.info().parameters();
    if (model instanceof FloatTrainable floats) {
      this.values = floats.parameterArrays();
      this.gradients = floats.gradientArrays();
    } else {
      this.values = null;
      this.gradients = null;
    }
  }

  Trainable model() {
    return model;
  }

  /** The model's live parameter arrays, or {@code null} for a model that is not a {@link FloatTrainable}. */
  float[][] floatValues() {
    return values;
  }

  /** The model's live gradient arrays, or {@code null} for a model that is not a {@link FloatTrainable}. */
  float[][] floatGradients() {
    return gradients;
  }

  int count() {
    return parameters.size();
  }

  int size(int index) {
    return parameters.get(index).size();
  }

  /**
   * Applies {@code rule} to every value of every parameter, after the model computed its gradients. One call of the
   * rule per value: the optimizers take their own loops over {@link #floatValues()} where they can, since this call
   * site sees every optimizer's rule and the JIT then inlines none of them.
   */
  void apply(Rule rule) {
    for (int k = 0; k < parameters.size(); k++) {
      if (values != null) {
        float[] p = values[k];
        float[] g = gradients[k];
        for (int i = 0; i < p.length; i++) {
          p[i] = (float) rule.update(k, i, p[i], g[i]);
        }
      } else {
        String name = parameters.get(k).name();
        double[] p = model.parameter(name);
        double[] g = model.gradient(name);
        for (int i = 0; i < p.length; i++) {
          p[i] = rule.update(k, i, p[i], g[i]);
        }
        model.setParameter(name, p);
      }
    }
  }

  /** Buffers shaped like the parameters, {@code copies} of each. */
  double[][] newBuffers() {
    double[][] buffers = new double[parameters.size()][];
    for (int k = 0; k < buffers.length; k++) {
      buffers[k] = new double[parameters.get(k).size()];
    }
    return buffers;
  }

  static void checkState(Optimizer optimizer, OptimizerState state, int bufferCount) {
    if (!state.optimizer().equals(optimizer.name())) {
      throw new IllegalArgumentException("the saved optimizer state is " + state.optimizer() + "'s, this run uses "
          + optimizer.name());
    }
    if (state.buffers().size() != bufferCount) {
      throw new IllegalArgumentException(optimizer.name() + " keeps " + bufferCount + " buffers, the saved state has "
          + state.buffers().size());
    }
  }

  void restoreBuffers(Optimizer optimizer, List<double[]> saved, int from, double[][] into) {
    for (int k = 0; k < into.length; k++) {
      double[] buffer = saved.get(from + k);
      if (buffer.length != into[k].length) {
        throw new IllegalArgumentException(optimizer.name() + " state for " + parameters.get(k) + " holds "
            + buffer.length + " values, the parameter " + into[k].length);
      }
      System.arraycopy(buffer, 0, into[k], 0, buffer.length);
    }
  }
}
