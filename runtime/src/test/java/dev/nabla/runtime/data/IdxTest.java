package dev.nabla.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void imagesAndLabelsRoundTrip(boolean gzip) throws Exception {
    IdxData images = TestData.images(7, 42);
    IdxData labels = TestData.labels(7);
    Path imageFile = dir.resolve("images");
    Path labelFile = dir.resolve("labels");

    Idx.write(imageFile, images, gzip);
    Idx.write(labelFile, labels, gzip);

    IdxData readImages = Idx.readImages(imageFile);
    assertArrayEquals(new int[] {7, 28, 28}, readImages.dims());
    assertArrayEquals(images.data(), readImages.data());
    assertArrayEquals(labels.data(), Idx.readLabels(labelFile).data());
  }

  @Test
  void compressionIsDetectedByContentNotName() throws Exception {
    Path misleading = dir.resolve("labels.gz");
    Idx.write(misleading, TestData.labels(5), false);
    assertEquals(5, Idx.readLabels(misleading).count());
  }

  @Test
  void missingFile() {
    DataException e = assertThrows(DataException.class, () -> Idx.readLabels(dir.resolve("nope")));
    assertEquals(dir.resolve("nope") + ": missing", e.getMessage());
  }

  @Test
  void directoryInsteadOfFile() {
    DataException e = assertThrows(DataException.class, () -> Idx.readLabels(dir));
    assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
  }

  @Test
  void notAnIdxFile() throws Exception {
    Path file = write("zip", "PK\u0003\u0004 something else".getBytes());
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertEquals(file, e.file());
    assertTrue(e.problem().startsWith("wrong magic 0x504B0304: not an IDX file (expected 0x00000803"), e.problem());
  }

  @Test
  void labelsWhereImagesAreExpected() throws Exception {
    Path file = dir.resolve("labels");
    Idx.write(file, TestData.labels(3), false);
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertEquals("wrong magic 0x00000801: 1 dimension(s), expected 0x00000803 (images, 3 dimensions)", e.problem());
  }

  @Test
  void unsupportedElementType() throws Exception {
    Path file = write("floats", header(0x00000D01, 1), new byte[4]);
    DataException e = assertThrows(DataException.class, () -> Idx.readLabels(file));
    assertTrue(e.problem().contains("element type 0x0D"), e.problem());
  }

  @Test
  void truncatedInsideTheMagic() throws Exception {
    Path file = write("tiny", new byte[] {0, 0});
    DataException e = assertThrows(DataException.class, () -> Idx.readLabels(file));
    assertEquals("truncated: 2 bytes, too short for the 4-byte IDX magic number", e.problem());
  }

  @Test
  void truncatedInsideTheHeader() throws Exception {
    Path file = write("short-header", Arrays.copyOf(header(Idx.IMAGES_MAGIC, 10, 28, 28), 10));
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertTrue(e.problem().startsWith("truncated: the file ends inside the header"), e.problem());
  }

  @Test
  void truncatedData() throws Exception {
    Path file = write("cut", header(Idx.IMAGES_MAGIC, 2, 28, 28), new byte[28 * 28 + 100]);
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertEquals("truncated or lying header: the header declares 2×28×28 = 1568 bytes of data, but the file holds"
        + " 884 bytes after its 16-byte header", e.problem());
  }

  @Test
  void lyingHeaderIsCaughtBeforeAllocating() throws Exception {
    // A billion 28×28 images would be 784 GB; the file is 16 bytes and nothing large is allocated.
    Path file = write("liar", header(Idx.IMAGES_MAGIC, 1_000_000_000, 28, 28));
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertTrue(e.problem().startsWith("lying header: it declares 1000000000×28×28 values, more than the 2 GiB"),
        e.problem());
  }

  @Test
  void lyingHeaderWithinLimitsOnARawFile() throws Exception {
    Path file = write("liar", header(Idx.IMAGES_MAGIC, 2_000_000, 28, 28), new byte[784]);
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertTrue(e.problem().contains("the header declares 2000000×28×28 = 1568000000 bytes of data, but the file holds 784"),
        e.problem());
  }

  @Test
  void moreDataThanTheHeaderSays() throws Exception {
    Path file = write("long", header(Idx.LABELS_MAGIC, 3), new byte[5]);
    DataException e = assertThrows(DataException.class, () -> Idx.readLabels(file));
    assertTrue(e.problem().startsWith("lying header: the header declares 3 = 3 bytes of data, but the file holds 5"),
        e.problem());
  }

  @Test
  void gzipStreamEndingEarly() throws Exception {
    // A complete gzip stream whose content is shorter than the header claims: 2 million images, one present.
    Path file = writeGzip("short.gz", header(Idx.IMAGES_MAGIC, 2_000_000, 28, 28), new byte[784]);
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertEquals("truncated: the header declares 2000000×28×28 = 1568000000 bytes of data, but the data ends after 784",
        e.problem());
  }

  @Test
  void gzipWithTrailingData() throws Exception {
    Path file = writeGzip("long.gz", header(Idx.LABELS_MAGIC, 2), new byte[3]);
    DataException e = assertThrows(DataException.class, () -> Idx.readLabels(file));
    assertTrue(e.problem().startsWith("lying header: the data continues past the 2 bytes"), e.problem());
  }

  @Test
  void gzipFileCutOff() throws Exception {
    Path whole = dir.resolve("whole.gz");
    Idx.write(whole, TestData.images(20, 1), true);
    byte[] bytes = Files.readAllBytes(whole);
    Path file = write("cut.gz", Arrays.copyOf(bytes, bytes.length / 2));
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertTrue(e.problem().startsWith("truncated"), e.problem());
  }

  @Test
  void corruptGzip() throws Exception {
    Path whole = dir.resolve("whole.gz");
    Idx.write(whole, TestData.images(20, 1), true);
    byte[] bytes = Files.readAllBytes(whole);
    for (int i = 20; i < 60; i++) {
      bytes[i] ^= (byte) 0x5A;
    }
    Path file = write("corrupt.gz", bytes);
    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));
    assertTrue(e.problem().startsWith("corrupt gzip data") || e.problem().startsWith("truncated")
        || e.problem().startsWith("wrong magic") || e.problem().contains("lying header"), e.problem());
  }

  private static byte[] header(int magic, int... dims) {
    ByteBuffer header = ByteBuffer.allocate(4 + 4 * dims.length);
    header.putInt(magic);
    for (int dim : dims) {
      header.putInt(dim);
    }
    return header.array();
  }

  private Path write(String name, byte[]... parts) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, concat(parts));
    return file;
  }

  private Path writeGzip(String name, byte[]... parts) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write(concat(parts));
    }
    return write(name, bytes.toByteArray());
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    return all.toByteArray();
  }
}
