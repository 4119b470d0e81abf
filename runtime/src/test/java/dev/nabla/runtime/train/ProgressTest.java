package dev.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.metrics.EpochMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private long now;

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void plainProgressPrintsALineEveryIntervalAndOnePerEpoch() {
    PlainProgress progress = new PlainProgress(out, () -> now, 10);
    progress.epochStarted(1, 2, 100, 6400);
    now = 5_000_000_000L;
    progress.stepDone(1, 2, 10, 100, 0.9, 1234.5, 125);
    now = 11_000_000_000L;
    progress.stepDone(1, 2, 20, 100, 0.75, 1234.5, 125);
    progress.epochFinished(2, new EpochMetrics(1, 0.5, 0.6, 0.8123, 0.1, 12.34));

    assertEquals("""
        epoch 1/2  step 20/100 (20%)  loss 0.7500  1,235 samples/s  ETA 2m 05s
        epoch 1/2  train loss 0.5000  test loss 0.6000  accuracy 81.23%  lr 0.1000  12.3s
        """, output().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void terminalProgressRedrawsABarInPlace() {
    TerminalProgress progress = new TerminalProgress(out, () -> now);
    progress.epochStarted(1, 1, 10, 640);
    progress.stepDone(1, 1, 5, 10, 0.5, 100, 3);
    now += 1_000_000; // too soon to redraw
    progress.stepDone(1, 1, 6, 10, 0.5, 100, 3);
    progress.epochFinished(1, new EpochMetrics(1, 0.5, 0.6, 0.8, 0.1, 1));

    String text = output();
    assertTrue(text.startsWith("\repoch 1/1 [===============               ]  50%  100 samples/s  loss 0.5000  ETA 3s"), text);
    assertTrue(!text.contains(" 60%"), "redraws at most ten times a second: " + text);
    assertTrue(text.endsWith("epoch 1/1  train loss 0.5000  test loss 0.6000  accuracy 80.00%  lr 0.1000  1.0s"
        + System.lineSeparator()), text);
  }

  @Test
  void anEpochLineGivesTheTrainingThroughputAndTheTimeOfTheTest() {
    EpochMetrics measured = new EpochMetrics(3, 0.5, 0.6, 0.8123, 0.1, 1.5, 1.2, 0.25, 50_000);

    assertEquals("epoch 3/5  train loss 0.5000  test loss 0.6000  accuracy 81.23%  lr 0.1000  50,000 samples/s  1.5s"
        + " (train 1.20s, test 0.25s)", ProgressSink.summary(5, measured));
  }

  @Test
  void theConsoleSinkPrintsEpochLinesWhereItIsTold() {
    java.io.StringWriter lines = new java.io.StringWriter();
    ProgressSink console = ProgressSink.console(new java.io.PrintWriter(lines));

    console.epochFinished(2, new EpochMetrics(1, 0.5, 0.6, 0.8, 0.1, 1));

    assertEquals("epoch 1/2  train loss 0.5000  test loss 0.6000  accuracy 80.00%  lr 0.1000  1.0s" + System.lineSeparator(),
        lines.toString());
  }

  @Test
  void durationsReadLikeAClock() {
    assertEquals("12s", ProgressSink.duration(12.4));
    assertEquals("3m 07s", ProgressSink.duration(187));
    assertEquals("1h 02m", ProgressSink.duration(3720));
    assertEquals("?", ProgressSink.duration(Double.POSITIVE_INFINITY));
  }
}
