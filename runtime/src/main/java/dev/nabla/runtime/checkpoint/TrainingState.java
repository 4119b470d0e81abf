package dev.nabla.runtime.checkpoint;

import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.optim.OptimizerState;
import java.util.List;

/**
 * Where a training run stands, so that a resumed run continues exactly as if it had not stopped.
 *
 * <p>The shuffle order of an epoch is a function of the seed and the epoch's number alone, so the
 * position in the data is just (epochs completed, steps into the next); no random generator state
 * needs saving.
 *
 * @param seed the run's seed
 * @param epochsCompleted full epochs done
 * @param stepInEpoch minibatches done of the next epoch (0 at an epoch boundary)
 * @param batchSize the minibatch size those steps used
 * @param globalStep minibatches done in all
 * @param epochLossSum the running loss of the unfinished epoch: the sum of batch loss × batch size
 * @param epochSamples samples trained on in the unfinished epoch
 * @param optimizer the optimizer's memory
 * @param history the metrics of the completed epochs, for the report
 */
public record TrainingState(
    long seed,
    int epochsCompleted,
    int stepInEpoch,
    int batchSize,
    long globalStep,
    double epochLossSum,
    long epochSamples,
    OptimizerState optimizer,
    List<EpochMetrics> history) {

  public TrainingState {
    history = List.copyOf(history);
  }
}
