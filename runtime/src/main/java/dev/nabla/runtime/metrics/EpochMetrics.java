package dev.nabla.runtime.metrics;

/**
 * One row of the training report: what an epoch achieved, and how fast.
 *
 * @param epoch 1-based
 * @param trainLoss the mean of the minibatch losses during the epoch (each weighted by its size),
 *     as PyTorch's running loss: cheap, and a little behind the model at the epoch's end
 * @param testLoss the mean loss on the test set after the epoch
 * @param testAccuracy the share of test samples classified right, in {@code [0, 1]}; NaN for targets
 * @param learningRate the rate of the epoch's last step
 * @param seconds the wall time of the epoch, training and evaluation
 * @param trainSeconds the wall time of the epoch's minibatch steps (gathering, the steps, the checks, the progress),
 *     evaluation and checkpoint excluded; NaN when not measured (a row restored from a checkpoint)
 * @param evaluationSeconds the wall time of the test-set evaluation; NaN when not measured
 * @param samplesPerSecond the training throughput: samples trained on in the epoch (by this run) over
 *     {@code trainSeconds}; NaN when not measured
 */
public record EpochMetrics(
    int epoch, double trainLoss, double testLoss, double testAccuracy, double learningRate, double seconds,
    double trainSeconds, double evaluationSeconds, double samplesPerSecond) {

  /** A row without timings of its parts (as checkpoints keep the history). */
  public EpochMetrics(int epoch, double trainLoss, double testLoss, double testAccuracy, double learningRate,
      double seconds) {
    this(epoch, trainLoss, testLoss, testAccuracy, learningRate, seconds, Double.NaN, Double.NaN, Double.NaN);
  }
}
