package dev.nabla.runtime;

/**
 * A trainable model computed in single precision, exposing its live parameter and gradient arrays
 * so that optimizers (momentum, Adam) update them in place without copying.
 */
public interface FloatTrainable extends Trainable {

  /** The parameters' own arrays, in {@link ModelInfo#parameters()} order; writes change the model. */
  float[][] parameterArrays();

  /** The gradients of the last backward pass, same order and sizes as {@link #parameterArrays()}. */
  float[][] gradientArrays();
}
