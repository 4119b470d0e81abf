package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.data.FashionMnist;
import dev.nabla.runtime.data.Idx;
import dev.nabla.runtime.data.IdxData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla train} reads the loader's 784 values of an image into any input of 784 values, the image
 * {@code X[1, 28, 28]} of a convolutional network as well as the lesson's {@code X[784]}, and refuses an input of
 * another size saying what it needs; a network with dropout trains with it.
 */
class TrainImageInputTest {
  @TempDir
  Path directory;

  private Path data;

  @BeforeEach
  void writeSmallData() throws IOException {
    data = Files.createDirectories(directory.resolve("data"));
    write("train", 96, 1);
    write("t10k", 32, 2);
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

  private Path spec(String input) throws IOException {
    int side = input.equals("[1, 28, 28]") ? 14 : 12;
    String text = """
        model ShirtCnn
        input  picture%s
        label  garment : 10
        param  K[2, 1, 3, 3]
        param  c[2]
        param  W[10, %d]
        param  b[10]
        features = maxpool(relu(conv2d(K, picture, stride=2, padding=1) + c), 2)
        logits = W dropout(0.25, flatten(features)) + b
        loss = cross_entropy(logits, garment)
        """.formatted(input, 2 * (side / 2) * (side / 2));
    return Files.writeString(directory.resolve("shirt_cnn.nabla"), text);
  }

  @Test
  void anImageOf28By28TrainsWithDropout() throws IOException {
    CliTest.Run run = CliTest.run("train", spec("[1, 28, 28]").toString(), "--epochs", "1", "--batch", "16", "--optimizer", "adam",
        "--lr", "0.001", "--data", data.toString(), "--out", directory.resolve("out").toString());

    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("training ShirtCnn (1,010 parameters)"), run.out());
    assertTrue(run.out().contains("epoch 1/1  train loss "), run.out());
    assertTrue(Files.exists(directory.resolve("out/checkpoint.nckpt")));
  }

  @Test
  void anInputOfAnotherSizeIsRefusedSayingWhatItNeeds() throws IOException {
    CliTest.Run run = CliTest.run("train", spec("[1, 24, 24]").toString(), "--epochs", "1", "--data", data.toString(),
        "--out", directory.resolve("out").toString());

    assertEquals(2, run.exit(), run.out());
    assertEquals("nabla: nabla train trains on Fashion-MNIST: the spec needs one input of 784 values (the 28×28 image, as X[784]"
        + " or X[1, 28, 28]) and a label of 10 classes; ShirtCnn has [picture[1×24×24] (576 values)] and a label of 10 classes\n",
        run.err());
  }
}
