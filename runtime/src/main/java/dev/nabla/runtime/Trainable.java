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
 *
 * <p>A model with {@code dropout} is in one of two modes. Predicting (the default, and what {@link #predict} always
 * does): dropout is the identity, so losses and gradients are deterministic and a gradient check sees the network
 * as it predicts. Training ({@link #training(long, long)}): each pass for the loss or the gradients multiplies by the
 * masks of one training step, drawn from a seed and the step's number alone, so that a run is reproducible whatever
 * its thread count and a resumed run draws the masks the interrupted one would have; {@link #trainStep} then moves
 * on to the next step's masks. The trainer switches the mode: training for its steps, predicting to evaluate.
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

  /**
   * The mean loss over the batch and each sample's output, written to {@code result} as {@link #predict} writes
   * it, from one forward pass: what an evaluation of a test set needs (the loss and the confusion matrix).
   */
  default double evaluate(float[] x, int[] labels, int n, float[] result) {
    return evaluate(null, x, labels, null, n, result);
  }

  /** {@link #evaluate(float[], int[], int, float[])} for a model with real-valued targets. */
  default double evaluate(float[] x, float[] targets, int n, float[] result) {
    return evaluate(null, x, null, targets, n, result);
  }

  // ---- the trainer's calls: the batch's samples copied by {@code rows} (none when null), labels or targets ----

  /**
   * {@link #evaluate(float[], int[], int, float[])} on a batch whose samples {@code rows} copies into {@code x} and
   * {@code labels} or {@code targets} (the other is null) first. This default copies them all, then predicts and
   * takes the loss; a generated network has each of its threads copy its own rows and runs one pass.
   */
  default double evaluate(BatchRows rows, float[] x, int[] labels, float[] targets, int n, float[] result) {
    if (rows != null) {
      rows.copy(0, n);
    }
    predict(x, n, result);
    return labels != null ? loss(x, labels, n) : loss(x, targets, n);
  }

  /** {@link #trainStep(float[], int[], int, float)} on a batch whose samples {@code rows} copies first, as {@link #evaluate(BatchRows, float[], int[], float[], int, float[])} does. */
  default double trainStep(BatchRows rows, float[] x, int[] labels, float[] targets, int n, float lr) {
    if (rows != null) {
      rows.copy(0, n);
    }
    return labels != null ? trainStep(x, labels, n, lr) : trainStep(x, targets, n, lr);
  }

  /**
   * The gradients of a batch whose samples {@code rows} copies first, then {@code update} over every value of every
   * parameter. This default computes the gradients, then updates each parameter whole; a generated network has its
   * threads share the update as they share summing the gradients.
   */
  default double trainStep(BatchRows rows, float[] x, int[] labels, float[] targets, int n, ParameterUpdate update) {
    if (rows != null) {
      rows.copy(0, n);
    }
    double loss = labels != null ? computeGradients(x, labels, n) : computeGradients(x, targets, n);
    for (int p = 0; p < info().parameters().size(); p++) {
      update.update(p, 0, info().parameters().get(p).size());
    }
    return loss;
  }

  /**
   * Training mode: from now on the passes for the loss and the gradients apply dropout with the masks of training
   * step {@code step} of a run seeded {@code seed}, and each {@code trainStep} moves on to the next step's. Predicting
   * is unaffected. A model without dropout has nothing to switch.
   */
  default void training(long seed, long step) {}

  /** Prediction mode, the default: dropout is the identity in every pass. */
  default void predicting() {}

  /** Whether the model is in training mode ({@link #training(long, long)}). */
  default boolean isTraining() {
    return false;
  }

  /** The training step whose dropout masks the next pass draws (in training mode); 0 for a model without dropout. */
  default long trainingStep() {
    return 0;
  }
}
