package dev.nabla.runtime;

/**
 * An optimizer's update of the parameters from the gradients the step computed, for one range of one parameter's
 * values: {@code Momentum} and {@code Adam} over a model's live arrays ({@link FloatTrainable}). A model that
 * splits its batch over threads has each thread update its share of every parameter, right after it summed the
 * lanes' gradients there; every value is updated once, by a rule of that value alone, so the result does not
 * depend on the split.
 */
@FunctionalInterface
public interface ParameterUpdate {
  /** Updates values {@code [from, to)} of parameter {@code parameter} (in {@link ModelInfo#parameters()} order). */
  void update(int parameter, int from, int to);
}
