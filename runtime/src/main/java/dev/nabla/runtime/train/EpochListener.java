package dev.nabla.runtime.train;

import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.metrics.Evaluation;

/** Called after each epoch, once its checkpoint is written: to update a report, a UI, an early stop. */
@FunctionalInterface
public interface EpochListener {

  void epochFinished(EpochMetrics metrics, Evaluation evaluation);

  static EpochListener none() {
    return (metrics, evaluation) -> {};
  }
}
