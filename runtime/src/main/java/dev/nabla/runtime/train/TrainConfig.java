package dev.nabla.runtime.train;

import dev.nabla.runtime.optim.OptimizerSpec;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to train: what a command line's options become.
 *
 * @param epochs passes over the training set
 * @param batchSize samples per minibatch (the last one of an epoch may be smaller)
 * @param learningRate the base rate the schedule scales
 * @param schedule how the rate changes over the run
 * @param optimizer which optimizer, with its settings
 * @param seed seeds the shuffling (the caller seeds the model's initialization)
 * @param outDir where the checkpoint goes after each epoch, or {@code null} for none
 * @param resumeFrom a checkpoint to continue from, or {@code null} to start afresh
 * @param progress where progress is shown
 * @param report whether to write the report to {@code outDir}, as {@code nabla train} does: {@code metrics.csv}
 *     after each epoch, and the charts ({@code loss.png}, {@code accuracy.png}, {@code confusion.png}) when the run
 *     ends and at most once a minute before
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    double learningRate,
    Schedule schedule,
    OptimizerSpec optimizer,
    long seed,
    Path outDir,
    Path resumeFrom,
    ProgressSink progress,
    boolean report) {

  public TrainConfig {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1, was " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("the batch size must be at least 1, was " + batchSize);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("the learning rate must be positive and finite, was " + learningRate);
    }
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(optimizer, "optimizer");
    progress = progress == null ? ProgressSink.none() : progress;
  }

  /** A configuration without a report. */
  public TrainConfig(int epochs, int batchSize, double learningRate, Schedule schedule, OptimizerSpec optimizer, long seed,
      Path outDir, Path resumeFrom, ProgressSink progress) {
    this(epochs, batchSize, learningRate, schedule, optimizer, seed, outDir, resumeFrom, progress, false);
  }

  /** Epochs of {@link #recommended()}: with the settings below, the lesson's 784-20-10 network reaches 85–86%. */
  public static final int RECOMMENDED_EPOCHS = 5;
  public static final int RECOMMENDED_BATCH = 32;
  public static final double RECOMMENDED_LEARNING_RATE = 0.02;
  public static final String RECOMMENDED_OPTIMIZER = "momentum:0.9";
  public static final String RECOMMENDED_SCHEDULE = "cosine";

  /**
   * What {@code nabla train} uses unless told otherwise: 5 epochs of batch 32, SGD with momentum 0.9
   * at 0.02 decaying to 0 on a cosine. Plain SGD at 0.1 swings between 78% and 84% from epoch to
   * epoch on Fashion-MNIST; momentum with a decaying rate settles at 85–86% for the lesson's network
   * (seeds 1–4 gave 85.9, 86.4, 85.9 and 86.0%).
   */
  public static TrainConfig recommended() {
    return new TrainConfig(RECOMMENDED_EPOCHS, RECOMMENDED_BATCH, RECOMMENDED_LEARNING_RATE,
        Schedule.parse(RECOMMENDED_SCHEDULE), OptimizerSpec.parse(RECOMMENDED_OPTIMIZER), 1, null, null, ProgressSink.none());
  }

  /** The lesson's setting: 1 epoch, batch 64, SGD at 0.1, constant, seed 1, no output, silent. */
  public static TrainConfig defaults() {
    return new TrainConfig(1, 64, 0.1, Schedule.constant(), OptimizerSpec.sgd(), 1, null, null, ProgressSink.none());
  }

  public TrainConfig withEpochs(int value) {
    return new TrainConfig(value, batchSize, learningRate, schedule, optimizer, seed, outDir, resumeFrom, progress, report);
  }

  public TrainConfig withBatchSize(int value) {
    return new TrainConfig(epochs, value, learningRate, schedule, optimizer, seed, outDir, resumeFrom, progress, report);
  }

  public TrainConfig withLearningRate(double value) {
    return new TrainConfig(epochs, batchSize, value, schedule, optimizer, seed, outDir, resumeFrom, progress, report);
  }

  public TrainConfig withSchedule(Schedule value) {
    return new TrainConfig(epochs, batchSize, learningRate, value, optimizer, seed, outDir, resumeFrom, progress, report);
  }

  public TrainConfig withOptimizer(OptimizerSpec value) {
    return new TrainConfig(epochs, batchSize, learningRate, schedule, value, seed, outDir, resumeFrom, progress, report);
  }

  public TrainConfig withSeed(long value) {
    return new TrainConfig(epochs, batchSize, learningRate, schedule, optimizer, value, outDir, resumeFrom, progress, report);
  }

  public TrainConfig withOutDir(Path value) {
    return new TrainConfig(epochs, batchSize, learningRate, schedule, optimizer, seed, value, resumeFrom, progress, report);
  }

  public TrainConfig withResumeFrom(Path value) {
    return new TrainConfig(epochs, batchSize, learningRate, schedule, optimizer, seed, outDir, value, progress, report);
  }

  /**
   * Shows what {@code nabla train} shows: a progress bar on standard error (plain lines every ten seconds when it is
   * not a terminal) and each epoch's line on standard output.
   */
  public TrainConfig withConsoleProgress() {
    return withProgress(ProgressSink.console());
  }

  /** With {@code true}, the report goes to {@link #outDir} as {@code nabla train} writes it (see {@link #report}). */
  public TrainConfig withReport(boolean value) {
    return new TrainConfig(epochs, batchSize, learningRate, schedule, optimizer, seed, outDir, resumeFrom, progress, value);
  }

  public TrainConfig withProgress(ProgressSink value) {
    return new TrainConfig(epochs, batchSize, learningRate, schedule, optimizer, seed, outDir, resumeFrom, value, report);
  }
}
