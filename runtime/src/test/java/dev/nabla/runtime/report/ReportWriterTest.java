package dev.nabla.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.nabla.runtime.data.FashionMnist;
import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.metrics.Evaluation;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @TempDir Path dir;

  private static final List<EpochMetrics> HISTORY = List.of(
      new EpochMetrics(1, 0.75, 0.5, 0.8125, 0.1, 2.5),
      new EpochMetrics(2, 0.5, 0.45, 0.84, 0.05, 2.25, 2.0, 0.125, 30_000.4));

  @Test
  void csvHasOneRowPerEpoch() {
    assertEquals("""
        epoch,train_loss,test_loss,test_accuracy,lr,seconds,train_seconds,eval_seconds,samples_per_second
        1,0.75,0.5,0.8125,0.1,2.500,,,
        2,0.5,0.45,0.84,0.05,2.250,2.000,0.125,30000
        """, MetricsCsv.format(HISTORY), "a row restored from a checkpoint has no timings of its parts: empty cells");
  }

  @Test
  void writesTheCsvAndThreeCharts() throws Exception {
    int[][] confusion = new int[10][10];
    for (int i = 0; i < 10; i++) {
      confusion[i][i] = 90;
      confusion[i][(i + 1) % 10] = 10;
    }
    Evaluation evaluation = Evaluation.fromConfusion(0.45, confusion);

    List<Path> written = ReportWriter.write(dir.resolve("report"), HISTORY, evaluation, FashionMnist.CLASS_NAMES);

    assertEquals(List.of("metrics.csv", "loss.png", "accuracy.png", "confusion.png"),
        written.stream().map(p -> p.getFileName().toString()).toList());
    assertEquals(MetricsCsv.format(HISTORY), Files.readString(written.get(0)));
    for (Path png : written.subList(1, 4)) {
      BufferedImage image = ImageIO.read(png.toFile());
      assertNotNull(image, png + " is a PNG");
    }
    assertEquals(800, ImageIO.read(written.get(1).toFile()).getWidth());
  }
}
