package dev.nabla.runtime.metrics;

/**
 * One row of the training report: what an epoch achieved.
 *
 * @param epoch 1-based
 * @param trainLoss the mean of the minibatch losses during the epoch (each weighted by its size),
 *     as PyTorch's running loss: cheap, and a little behind the model at the epoch's end
 * @param testLoss the mean loss on the test set after the epoch
 * @param testAccuracy the share of test samples classified right, in {@code [0, 1]}; NaN for targets
 * @param learningRate the rate of the epoch's last step
 * @param seconds the wall time of the epoch, training and evaluation
 */
public record EpochMetrics(
    int epoch, double trainLoss, double testLoss, double testAccuracy, double learningRate, double seconds) {}
