package dev.nabla.runtime.train;

import dev.nabla.runtime.metrics.EpochMetrics;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
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

  /** A bar on standard error when it is a terminal, plain lines every ten seconds otherwise; epoch lines there too. */
  static ProgressSink toStderr() {
    return toStderr(true);
  }

  private static ProgressSink toStderr(boolean summaries) {
    return System.console() != null
        ? new TerminalProgress(System.err, System::nanoTime, summaries)
        : new PlainProgress(System.err, System::nanoTime, 10, summaries);
  }

  /** What {@code nabla train} shows: {@link #console(PrintWriter)} onto standard output. */
  static ProgressSink console() {
    return console(new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true));
  }

  /**
   * What {@code nabla train} shows: the progress bar and notes on standard error (as {@link #toStderr()}), and each
   * epoch's line on {@code lines}, so that a pipe or a file gets the epochs and nothing else.
   */
  static ProgressSink console(PrintWriter lines) {
    ProgressSink bar = toStderr(false);
    return new ProgressSink() {
      @Override
      public void message(String text) {
        bar.message(text);
      }

      @Override
      public void epochStarted(int epoch, int epochs, int steps, int samples) {
        bar.epochStarted(epoch, epochs, steps, samples);
      }

      @Override
      public void stepDone(int epoch, int epochs, int step, int steps, double runningLoss, double samplesPerSecond,
          double etaSeconds) {
        bar.stepDone(epoch, epochs, step, steps, runningLoss, samplesPerSecond, etaSeconds);
      }

      @Override
      public void epochFinished(int epochs, EpochMetrics metrics) {
        bar.epochFinished(epochs, metrics);
        lines.println(summary(epochs, metrics));
        lines.flush();
      }
    };
  }

  /**
   * The summary line of an epoch, as both sinks print it: the losses, the accuracy, the rate, the training throughput
   * (samples per second of the minibatch steps alone) and the wall time split into training and test.
   */
  static String summary(int epochs, EpochMetrics m) {
    String accuracy = Double.isNaN(m.testAccuracy()) ? "" : String.format(Locale.ROOT, "  accuracy %.2f%%", 100 * m.testAccuracy());
    String speed = Double.isNaN(m.samplesPerSecond()) ? String.format(Locale.ROOT, "  %.1fs", m.seconds())
        : String.format(Locale.ROOT, "  %,.0f samples/s  %.1fs (train %.2fs, test %.2fs)", m.samplesPerSecond(),
            m.seconds(), m.trainSeconds(), m.evaluationSeconds());
    return String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  test loss %.4f%s  lr %.4g%s",
        m.epoch(), epochs, m.trainLoss(), m.testLoss(), accuracy, m.learningRate(), speed);
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
