package dev.nabla.runtime.train;

import dev.nabla.runtime.metrics.EpochMetrics;
import java.util.Locale;

/**
 * Where the trainer reports progress. A terminal gets a redrawn bar, a log file periodic plain
 * lines, a test a recorder. Called on the training thread; implementations throttle themselves.
 */
public interface ProgressSink {

  /** A one-off note (resuming, stopping, a checkpoint written). */
  default void message(String text) {}

  /** An epoch begins ({@code epoch} is 1-based). */
  default void epochStarted(int epoch, int epochs, int steps, int samples) {}

  /**
   * A minibatch is done.
   *
   * @param step 1-based step within the epoch
   * @param runningLoss the mean loss of the epoch so far
   * @param samplesPerSecond training throughput since the run (or resume) began
   * @param etaSeconds estimated time to the end of the run, evaluation excluded
   */
  default void stepDone(int epoch, int epochs, int step, int steps, double runningLoss, double samplesPerSecond,
      double etaSeconds) {}

  /** An epoch ended and was evaluated. */
  default void epochFinished(int epochs, EpochMetrics metrics) {}

  /** Shows nothing. */
  static ProgressSink none() {
    return new ProgressSink() {};
  }

  /** A bar on standard error when it is a terminal, plain lines every ten seconds otherwise. */
  static ProgressSink toStderr() {
    return System.console() != null
        ? new TerminalProgress(System.err, System::nanoTime)
        : new PlainProgress(System.err, System::nanoTime, 10);
  }

  /** The summary line of an epoch, as both sinks print it. */
  static String summary(int epochs, EpochMetrics m) {
    String accuracy = Double.isNaN(m.testAccuracy()) ? "" : String.format(Locale.ROOT, "  accuracy %.2f%%", 100 * m.testAccuracy());
    return String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  test loss %.4f%s  lr %.4g  %.1fs",
        m.epoch(), epochs, m.trainLoss(), m.testLoss(), accuracy, m.learningRate(), m.seconds());
  }

  /** {@code 1h 02m}, {@code 3m 07s} or {@code 12s}. */
  static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "?";
    }
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh %02dm", s / 3600, (s % 3600) / 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }
    return s + "s";
  }
}
