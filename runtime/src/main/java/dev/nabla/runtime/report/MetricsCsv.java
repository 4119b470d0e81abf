package dev.nabla.runtime.report;

import dev.nabla.runtime.io.AtomicFile;
import dev.nabla.runtime.metrics.EpochMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The per-epoch metrics as CSV, one row an epoch:
 * {@code epoch,train_loss,test_loss,test_accuracy,lr,seconds,train_seconds,eval_seconds,samples_per_second}.
 * {@code seconds} is the epoch's wall time (training and evaluation); {@code samples_per_second} is the training
 * throughput, the epoch's samples over {@code train_seconds}. A value that was not measured (the timings of epochs
 * restored from a checkpoint) is empty. New columns are only ever appended, so readers by position keep working.
 */
public final class MetricsCsv {

  public static final String HEADER = "epoch,train_loss,test_loss,test_accuracy,lr,seconds,train_seconds,eval_seconds,samples_per_second";

  private MetricsCsv() {}

  /** The CSV text, with a header line; numbers in full precision, {@code .} as the decimal point. */
  public static String format(List<EpochMetrics> history) {
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    for (EpochMetrics m : history) {
      csv.append(m.epoch()).append(',')
          .append(number(m.trainLoss())).append(',')
          .append(number(m.testLoss())).append(',')
          .append(number(m.testAccuracy())).append(',')
          .append(number(m.learningRate())).append(',')
          .append(seconds(m.seconds())).append(',')
          .append(seconds(m.trainSeconds())).append(',')
          .append(seconds(m.evaluationSeconds())).append(',')
          .append(Double.isNaN(m.samplesPerSecond()) ? "" : String.format(Locale.ROOT, "%.0f", m.samplesPerSecond()))
          .append('\n');
    }
    return csv.toString();
  }

  /** Writes {@link #format} to {@code file}, atomically. */
  public static void write(Path file, List<EpochMetrics> history) throws IOException {
    AtomicFile.write(file, format(history).getBytes(StandardCharsets.UTF_8));
  }

  private static String seconds(double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.3f", value);
  }

  private static String number(double value) {
    return Double.isNaN(value) ? "" : Double.toString(value);
  }
}
