package dev.nabla.runtime;

/**
 * A network that nabla generated: it knows its parameters and computes its output for a batch of
 * samples. Generated classes implement this (through {@link Trainable}) and depend on nothing but
 * this package's API types.
 *
 * <p>Batches are row-major: sample {@code i}'s input is {@code x[i * inputSize .. (i+1) * inputSize)}.
 * A model is not thread-safe: it owns the buffers of its forward and backward passes. A generated class's
 * {@code predictor()} gives a thread a {@link Predictor} that shares the parameters and owns its buffers.
 */
public interface Model {

  /** What the model is: its name, the hash of its spec, its inputs, outputs and parameters. */
  ModelInfo info();

  /** The largest batch the preallocated buffers hold; larger batches are refused. */
  int maxBatch();

  /**
   * The network's output for {@code n} samples, written to {@code out} ({@code n * outputSize}
   * values, row-major). For a classifier this is what the spec names {@code out}: for the lesson's
   * network, the log-probabilities {@code logsoftmax(z2)}.
   */
  void predict(float[] x, int n, float[] out);

  /** Sets every parameter as its spec's {@code init} says, drawing from a generator seeded with {@code seed}. */
  void initialize(long seed);

  /** A copy of a parameter's values, row-major. Unknown names are an {@link IllegalArgumentException}. */
  double[] parameter(String name);

  /** Replaces a parameter's values (row-major, exactly as many as its shape holds). */
  void setParameter(String name, double[] values);
}
