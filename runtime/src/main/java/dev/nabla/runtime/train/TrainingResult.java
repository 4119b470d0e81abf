package dev.nabla.runtime.train;

import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.metrics.Evaluation;
import java.nio.file.Path;
import java.util.List;

/**
 * How a training run ended.
 *
 * @param status whether all epochs ran or a stop was requested
 * @param history one row per completed epoch, including those of the run resumed from
 * @param lastEvaluation the test-set evaluation after the last completed epoch, or {@code null} if none completed
 * @param checkpoint the last checkpoint written, or {@code null}
 * @param steps minibatches trained on in all (including a resumed run's)
 */
public record TrainingResult(
    Status status, List<EpochMetrics> history, Evaluation lastEvaluation, Path checkpoint, long steps) {

  public enum Status { COMPLETED, STOPPED }

  public TrainingResult {
    history = List.copyOf(history);
  }
}
