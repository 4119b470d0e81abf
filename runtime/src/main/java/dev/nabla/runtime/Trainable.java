package dev.nabla.runtime;

/**
 * A model that computes its own gradients: the backward pass the generator derived by the chain rule.
 *
 * <p>Classifiers ({@link ModelInfo.Labels#CLASSES}) take {@code int[]} class labels; regression
 * models ({@link ModelInfo.Labels#TARGETS}) take {@code float[]} targets, {@code n * targetSize}
 * row-major. The overload that does not fit the model throws {@link IllegalArgumentException}.
 *
 * <p>Every loss and gradient here is the mean over the batch: the lesson's
 * {@code ∇C = (1/|batch|) Σ ∇H(X, t)}.
 */
public interface Trainable extends Model {

  /** Forward, backward, batch mean and the SGD update {@code θ ← θ − lr ∇C}; returns the mean loss. */
  double trainStep(float[] x, int[] labels, int n, float lr);

  /** {@link #trainStep(float[], int[], int, float)} for a model with real-valued targets. */
  double trainStep(float[] x, float[] targets, int n, float lr);

  /** Forward and backward without an update; the gradients are then read with {@link #gradient}. */
  double computeGradients(float[] x, int[] labels, int n);

  /** {@link #computeGradients(float[], int[], int)} for a model with real-valued targets. */
  double computeGradients(float[] x, float[] targets, int n);

  /** The mean loss over the batch, forward only. */
  double loss(float[] x, int[] labels, int n);

  /** {@link #loss(float[], int[], int)} for a model with real-valued targets. */
  double loss(float[] x, float[] targets, int n);

  /** A copy of the gradient of a parameter from the last {@code computeGradients} or {@code trainStep}. */
  double[] gradient(String name);
}
