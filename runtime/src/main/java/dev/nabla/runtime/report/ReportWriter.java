package dev.nabla.runtime.report;

import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.metrics.Evaluation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a training run's report to a directory: {@code metrics.csv}, {@code loss.png},
 * {@code accuracy.png} and, for a classifier, {@code confusion.png}. Each file is written atomically.
 */
public final class ReportWriter {

  public static final String METRICS_CSV = "metrics.csv";
  public static final String LOSS_PNG = "loss.png";
  public static final String ACCURACY_PNG = "accuracy.png";
  public static final String CONFUSION_PNG = "confusion.png";

  private ReportWriter() {}

  /**
   * Writes the report and returns the files written.
   *
   * @param evaluation the last evaluation, for the confusion matrix; {@code null} or one without classes skips it
   */
  public static List<Path> write(Path dir, List<EpochMetrics> history, Evaluation evaluation, List<String> classNames)
      throws IOException {
    List<Path> written = new ArrayList<>();
    Path csv = dir.resolve(METRICS_CSV);
    MetricsCsv.write(csv, history);
    written.add(csv);
    if (!history.isEmpty()) {
      Path loss = dir.resolve(LOSS_PNG);
      Charts.writePng(loss, Charts.loss(history));
      written.add(loss);
      if (!Double.isNaN(history.get(0).testAccuracy())) {
        Path accuracy = dir.resolve(ACCURACY_PNG);
        Charts.writePng(accuracy, Charts.accuracy(history));
        written.add(accuracy);
      }
    }
    if (evaluation != null && evaluation.confusion().length > 0) {
      Path confusion = dir.resolve(CONFUSION_PNG);
      Charts.writePng(confusion, Charts.confusion(evaluation.confusion(), classNames));
      written.add(confusion);
    }
    return written;
  }
}
