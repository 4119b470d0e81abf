package dev.nabla.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @TempDir Path dir;

  @Test
  void directoryComesFromTheOptionThenTheEnvironmentThenTheDefault() {
    Map<String, String> env = Map.of("NABLA_DATA", "/from/env");
    assertEquals(Path.of("/from/option"), FashionMnist.resolveDirectory("/from/option", env));
    assertEquals(Path.of("/from/env"), FashionMnist.resolveDirectory(null, env));
    assertEquals(FashionMnist.DEFAULT_DIRECTORY, FashionMnist.resolveDirectory(null, Map.of()));
    assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), FashionMnist.DEFAULT_DIRECTORY);
  }

  @Test
  void loadsScaledPixelsAndLabels() throws Exception {
    TestData.writeFakeFashionMnist(dir, 30, 12, true);

    FashionMnist.Split split = FashionMnist.load(dir);

    Dataset train = split.train();
    assertEquals(30, train.size());
    assertEquals(784, train.inputSize());
    assertEquals(30 * 784, train.x().length);
    assertEquals(12, split.test().size());
    assertEquals("Ankle boot", train.classNames().get(9));
    byte[] pixels = TestData.images(30, 1).data();
    for (int i = 0; i < pixels.length; i++) {
      assertEquals((pixels[i] & 0xff) / 255f, train.x()[i]);
    }
    assertArrayEquals(new int[] {0, 1, 2, 3}, java.util.Arrays.copyOf(train.labels(), 4));
  }

  @Test
  void readsUncompressedFilesWhenThereIsNoGzip() throws Exception {
    TestData.writeFakeFashionMnist(dir, 10, 10, false);
    assertTrue(FashionMnist.isInstalled(dir));
    assertEquals(10, FashionMnist.load(dir).train().size());
  }

  @Test
  void missingDatasetSaysHowToGetIt() {
    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir.resolve("absent")));
    assertTrue(e.getMessage().contains("Fashion-MNIST not found: the directory does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
    assertTrue(e.getMessage().contains("NABLA_DATA"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() throws Exception {
    TestData.writeFakeFashionMnist(dir, 10, 10, true);
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    assertFalse(FashionMnist.isInstalled(dir));
    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
    assertTrue(e.problem().contains("t10k-labels-idx1-ubyte.gz is missing"), e.problem());
  }

  @Test
  void imageAndLabelCountsMustMatch() throws Exception {
    Path images = dir.resolve("images");
    Path labels = dir.resolve("labels");
    Idx.write(images, TestData.images(5, 1), false);
    Idx.write(labels, TestData.labels(4), false);
    DataException e = assertThrows(DataException.class, () -> FashionMnist.loadSet("train", images, labels));
    assertEquals(labels, e.file());
    assertEquals("image/label count mismatch: 4 labels for 5 images in images", e.problem());
  }

  @Test
  void labelsMustBeClasses() throws Exception {
    Path images = dir.resolve("images");
    Path labels = dir.resolve("labels");
    Idx.write(images, TestData.images(3, 1), false);
    Idx.write(labels, new IdxData(new int[] {3}, new byte[] {1, 12, 2}), false);
    DataException e = assertThrows(DataException.class, () -> FashionMnist.loadSet("train", images, labels));
    assertEquals("label 12 of sample 1 is out of range 0..9", e.problem());
  }

  @Test
  void imagesMustBe28By28() throws Exception {
    Path images = dir.resolve("images");
    Path labels = dir.resolve("labels");
    Idx.write(images, new IdxData(new int[] {2, 32, 32}, new byte[2 * 32 * 32]), false);
    Idx.write(labels, TestData.labels(2), false);
    DataException e = assertThrows(DataException.class, () -> FashionMnist.loadSet("train", images, labels));
    assertEquals(images, e.file());
    assertEquals("wrong image size: 32×32, Fashion-MNIST images are 28×28", e.problem());
  }

  @Test
  void standardizationUsesTheTrainingSetStatistics() {
    Dataset train = Dataset.ofClasses("train", new float[] {0, 1, 2, 3}, 2, new int[] {0, 1}, java.util.List.of("a", "b"));
    Dataset test = Dataset.ofClasses("test", new float[] {1.5f, 1.5f}, 2, new int[] {0}, java.util.List.of("a", "b"));

    Standardization standardization = Standardization.fit(train);
    standardization.applyInPlace(train);
    standardization.applyInPlace(test);

    assertEquals(1.5, standardization.mean(), 1e-12);
    assertEquals(Math.sqrt(1.25), standardization.std(), 1e-12);
    assertArrayEquals(new float[] {0, 0}, test.x());
    double sum = 0;
    for (float v : train.x()) {
      sum += v;
    }
    assertEquals(0, sum, 1e-6);
  }
}
