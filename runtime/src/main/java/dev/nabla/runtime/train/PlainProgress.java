package dev.nabla.runtime.train;

import dev.nabla.runtime.metrics.EpochMetrics;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/** Progress for logs and pipes: a line every few seconds, and one per epoch. No control characters. */
public final class PlainProgress implements ProgressSink {

  private final PrintStream out;
  private final LongSupplier nanoClock;
  private final long intervalNanos;
  private final boolean summaries;
  private long lastLine;

  /** Lines at most every {@code intervalSeconds} (0: every step, for tests). */
  public PlainProgress(PrintStream out, LongSupplier nanoClock, double intervalSeconds) {
    this(out, nanoClock, intervalSeconds, true);
  }

  /** With {@code summaries} false, no line at an epoch's end (it is printed elsewhere). */
  public PlainProgress(PrintStream out, LongSupplier nanoClock, double intervalSeconds, boolean summaries) {
    this.summaries = summaries;
    this.out = out;
    this.nanoClock = nanoClock;
    this.intervalNanos = (long) (intervalSeconds * 1e9);
    this.lastLine = nanoClock.getAsLong();
  }

  @Override
  public void message(String text) {
    out.println(text);
  }

  @Override
  public void epochStarted(int epoch, int epochs, int steps, int samples) {
    lastLine = nanoClock.getAsLong();
  }

  @Override
  public void stepDone(int epoch, int epochs, int step, int steps, double runningLoss, double samplesPerSecond,
      double etaSeconds) {
    long now = nanoClock.getAsLong();
    if (now - lastLine < intervalNanos || step == steps) {
      return;
    }
    lastLine = now;
    out.println(String.format(Locale.ROOT, "epoch %d/%d  step %d/%d (%d%%)  loss %.4f  %,.0f samples/s  ETA %s",
        epoch, epochs, step, steps, 100L * step / Math.max(1, steps), runningLoss, samplesPerSecond,
        ProgressSink.duration(etaSeconds)));
  }

  @Override
  public void epochFinished(int epochs, EpochMetrics metrics) {
    if (summaries) {
      out.println(ProgressSink.summary(epochs, metrics));
    }
  }
}
