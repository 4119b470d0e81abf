package dev.nabla.runtime.report;

import dev.nabla.runtime.io.AtomicFile;
import dev.nabla.runtime.metrics.EpochMetrics;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart without a display: loss and accuracy per epoch, and the
 * confusion matrix as a heat map with the class names.
 */
public final class Charts {

  static {
    // Rendering to an image needs no screen; without this a server without X11 would fail.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static final int WIDTH = 800;
  private static final int HEIGHT = 500;

  private Charts() {}

  /** Training and test loss per epoch. */
  public static BufferedImage loss(List<EpochMetrics> history) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Loss").xAxisTitle("epoch")
        .yAxisTitle("mean loss").build();
    style(chart);
    List<Integer> epochs = epochs(history);
    chart.addSeries("train", epochs, values(history, EpochMetrics::trainLoss)).setMarker(SeriesMarkers.CIRCLE);
    chart.addSeries("test", epochs, values(history, EpochMetrics::testLoss)).setMarker(SeriesMarkers.DIAMOND);
    return BitmapEncoder.getBufferedImage(chart);
  }

  /** Test accuracy per epoch, in percent. */
  public static BufferedImage accuracy(List<EpochMetrics> history) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Test accuracy").xAxisTitle("epoch")
        .yAxisTitle("accuracy (%)").build();
    style(chart);
    chart.getStyler().setLegendVisible(false);
    chart.addSeries("test accuracy", epochs(history), values(history, m -> 100 * m.testAccuracy()))
        .setMarker(SeriesMarkers.CIRCLE);
    return BitmapEncoder.getBufferedImage(chart);
  }

  /** The confusion matrix: rows the true class, columns the predicted one, each cell's count written in it. */
  public static BufferedImage confusion(int[][] confusion, List<String> classNames) {
    int classes = confusion.length;
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH + 200).height(WIDTH).title("Confusion matrix (test set)")
        .xAxisTitle("predicted").yAxisTitle("true class").build();
    chart.getStyler().setShowValue(true);
    chart.getStyler().setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
    chart.getStyler().setXAxisLabelRotation(30);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < classes; i++) {
      names.add(i < classNames.size() ? classNames.get(i) : Integer.toString(i));
    }
    // XChart draws the first y category at the bottom; reversed, the matrix reads top-down as printed.
    List<String> rows = new ArrayList<>(names);
    java.util.Collections.reverse(rows);
    List<Number[]> cells = new ArrayList<>();
    for (int truth = 0; truth < classes; truth++) {
      for (int predicted = 0; predicted < classes; predicted++) {
        cells.add(new Number[] {predicted, classes - 1 - truth, confusion[truth][predicted]});
      }
    }
    chart.addSeries("confusion", names, rows, cells);
    return BitmapEncoder.getBufferedImage(chart);
  }

  /** Writes {@code image} as a PNG, atomically. */
  public static void writePng(Path file, BufferedImage image) throws IOException {
    AtomicFile.write(file, out -> {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer in this JVM");
      }
    });
  }

  private static void style(XYChart chart) {
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setDecimalPattern("#0.###");
    chart.getStyler().setXAxisDecimalPattern("0");
  }

  private static List<Integer> epochs(List<EpochMetrics> history) {
    return history.stream().map(EpochMetrics::epoch).toList();
  }

  private static List<Double> values(List<EpochMetrics> history, java.util.function.ToDoubleFunction<EpochMetrics> f) {
    return history.stream().map(m -> f.applyAsDouble(m)).toList();
  }
}
