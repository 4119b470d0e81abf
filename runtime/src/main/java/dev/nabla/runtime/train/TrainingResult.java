package dev.nabla.runtime.train;

import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.metrics.Evaluation;
import java.nio.file.Path;
import java.util.List;

/**
 * How a training run ended.
 *
 * @param status whether all epochs ran, a stop was requested, or the checkpoint resumed from had done them all
 * @param history one row per completed epoch, including those of the run resumed from
 * @param lastEvaluation the test-set evaluation after the last epoch this run completed, or {@code null} if none
 * @param checkpoint the last checkpoint written, or {@code null}
 * @param steps minibatches trained on in all (including a resumed run's)
 */
public record TrainingResult(
    Status status, List<EpochMetrics> history, Evaluation lastEvaluation, Path checkpoint, long steps) {

  public enum Status {
    /** Every epoch asked for has run. */
    COMPLETED,
    /** A stop was requested; the checkpoint holds where the run stands. */
    STOPPED,
    /** The checkpoint resumed from had already done the epochs asked for: nothing was trained. */
    NOTHING_TO_DO
  }

  public TrainingResult {
    history = List.copyOf(history);
  }
}
