package dev.nabla.runtime.train;

import dev.nabla.runtime.metrics.EpochMetrics;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/** A progress bar redrawn in place with {@code \r}, at most ten times a second. */
public final class TerminalProgress implements ProgressSink {

  private static final int BAR_WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final LongSupplier nanoClock;
  private final boolean summaries;
  private long lastDraw = Long.MIN_VALUE;
  private int lastWidth;

  public TerminalProgress(PrintStream out, LongSupplier nanoClock) {
    this(out, nanoClock, true);
  }

  /** With {@code summaries} false, an epoch's end only clears the bar (its line is printed elsewhere). */
  public TerminalProgress(PrintStream out, LongSupplier nanoClock, boolean summaries) {
    this.out = out;
    this.nanoClock = nanoClock;
    this.summaries = summaries;
  }

  @Override
  public void message(String text) {
    clear();
    out.println(text);
  }

  @Override
  public void epochStarted(int epoch, int epochs, int steps, int samples) {
    lastDraw = Long.MIN_VALUE;
  }

  @Override
  public void stepDone(int epoch, int epochs, int step, int steps, double runningLoss, double samplesPerSecond,
      double etaSeconds) {
    long now = nanoClock.getAsLong();
    if (step != steps && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    int filled = (int) ((long) BAR_WIDTH * step / Math.max(1, steps));
    String line = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %3d%%  %,.0f samples/s  loss %.4f  ETA %s",
        epoch, epochs, "=".repeat(filled), " ".repeat(BAR_WIDTH - filled), 100L * step / Math.max(1, steps),
        samplesPerSecond, runningLoss, ProgressSink.duration(etaSeconds));
    out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
    out.flush();
    lastWidth = line.length();
  }

  @Override
  public void epochFinished(int epochs, EpochMetrics metrics) {
    clear();
    if (summaries) {
      out.println(ProgressSink.summary(epochs, metrics));
    } else {
      out.flush();
    }
  }

  private void clear() {
    if (lastWidth > 0) {
      out.print("\r" + " ".repeat(lastWidth) + "\r");
      lastWidth = 0;
    }
  }
}
