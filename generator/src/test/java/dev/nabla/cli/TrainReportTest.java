package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.FashionMnist;
import dev.nabla.runtime.data.Idx;
import dev.nabla.runtime.data.IdxData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla train} on a small Fashion-MNIST-shaped directory the test writes: what each epoch's line says, the
 * report after a resume, and a resumed run that has nothing left to do.
 */
class TrainReportTest {
  @TempDir
  Path directory;

  private Path data;
  private Path out;

  @BeforeEach
  void writeSmallData() throws IOException {
    data = Files.createDirectories(directory.resolve("data"));
    out = directory.resolve("out");
    write("train", 240, 1);
    write("t10k", 60, 2);
  }

  private void write(String prefix, int count, long seed) throws IOException {
    byte[] pixels = new byte[count * FashionMnist.PIXELS];
    new SplittableRandom(seed).nextBytes(pixels);
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) (i % 10);
    }
    Idx.write(data.resolve(prefix + "-images-idx3-ubyte.gz"),
        new IdxData(new int[] {count, FashionMnist.ROWS, FashionMnist.COLUMNS}, pixels), true);
    Idx.write(data.resolve(prefix + "-labels-idx1-ubyte.gz"), new IdxData(new int[] {count}, labels), true);
  }

  private CliTest.Run train(String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("train", "--batch", "16", "--data", data.toString(), "--out", out.toString()));
    args.addAll(List.of(more));
    return CliTest.run(args.toArray(String[]::new));
  }

  @Test
  void eachEpochLineGivesTheTrainingThroughputAndTheCsvKeepsIt() throws IOException {
    CliTest.Run run = train("--epochs", "2");

    assertEquals(0, run.exit(), run.err());
    Pattern line = Pattern.compile("epoch [12]/2  train loss \\d\\.\\d{4}  test loss \\d\\.\\d{4}  accuracy \\d+\\.\\d\\d%  lr \\S+"
        + "  [\\d,]+ samples/s  \\d+\\.\\ds \\(train \\d+\\.\\d\\ds, test \\d+\\.\\d\\ds\\)");
    assertEquals(2, run.out().lines().filter(l -> line.matcher(l).matches()).count(), run.out());
    List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals("epoch,train_loss,test_loss,test_accuracy,lr,seconds,train_seconds,eval_seconds,samples_per_second", csv.get(0));
    for (String row : csv.subList(1, 3)) {
      String[] cells = row.split(",", -1);
      assertEquals(9, cells.length, row);
      assertTrue(Double.parseDouble(cells[8]) > 0 && Double.parseDouble(cells[6]) > 0, row);
    }
  }

  @Test
  void resumingKeepsTheWholeHistoryAndAFinishedRunHasNothingToDo() throws IOException {
    assertEquals(0, train("--epochs", "2").exit());
    Path checkpoint = out.resolve(CheckpointFile.DEFAULT_NAME);

    CliTest.Run resumed = train("--epochs", "3", "--resume", checkpoint.toString());

    assertEquals(0, resumed.exit(), resumed.err());
    assertTrue(resumed.out().contains("epoch 3/3  train loss"), resumed.out());
    List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals(List.of("1", "2", "3"), csv.subList(1, csv.size()).stream().map(r -> r.substring(0, r.indexOf(','))).toList(),
        "metrics.csv holds the epochs before the resume too");

    byte[] saved = Files.readAllBytes(checkpoint);
    byte[] report = Files.readAllBytes(out.resolve("metrics.csv"));
    // Said before the data is read: the data directory may even be gone.
    CliTest.Run again = CliTest.run("train", "--epochs", "3", "--resume", checkpoint.toString(), "--data",
        directory.resolve("gone").toString(), "--out", out.toString());

    assertEquals(0, again.exit(), again.err());
    assertEquals("nothing to do: " + checkpoint + " has finished 3 epochs and this run asks for 3 in all; to train on, give"
        + " more (e.g. --epochs 6)\n", again.out().replace(System.lineSeparator(), "\n"));
    assertArrayEquals(saved, Files.readAllBytes(checkpoint));
    assertArrayEquals(report, Files.readAllBytes(out.resolve("metrics.csv")));
  }
}
