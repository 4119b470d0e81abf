package dev.nabla.codegen;

/**
 * The pass a method belongs to: what its statements may do (draw dropout's masks, or not) and what it takes
 * from its caller. A value, handed to each body, so that no writer keeps a flag that the order of calls sets.
 */
enum Pass {
  /** Training's forward pass, for the loss: dropout draws its masks. */
  FORWARD("forward", true),
  /** The backward pass, into the lane's gradients. */
  BACKWARD("backward", true),
  /** The prediction: dropout is the identity. */
  PREDICT("predict", false),
  /** The output after the forward pass of an evaluation, which predicts too: dropout is the identity. */
  OUTPUT("output", false);

  /** The name of the pass's helper methods, {@code forwardPart1}. */
  final String partName;

  /** Whether the pass runs over a batch of {@code n} (its methods take {@code n}) rather than sample by sample. */
  final boolean ofBatch;

  Pass(String partName, boolean ofBatch) {
    this.partName = partName;
    this.ofBatch = ofBatch;
  }

  /** Whether dropout is the identity here. */
  boolean predicts() {
    return !ofBatch;
  }
}
