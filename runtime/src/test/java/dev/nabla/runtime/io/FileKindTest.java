package dev.nabla.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.Idx;
import dev.nabla.runtime.testing.MlpModel;
import dev.nabla.runtime.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file's kind told from its first bytes, whatever its name. */
class FileKindTest {

  @TempDir Path dir;

  @Test
  void aCheckpointNamesItsModelWhateverItsExtension() throws Exception {
    MlpModel model = new MlpModel(4, 3, 2, 1);
    model.initialize(1);
    for (String name : new String[] {"checkpoint.nckpt", "checkpoint.nabla", "weights"}) {
      Path file = dir.resolve(name);
      CheckpointFile.save(file, Checkpoint.of(model, null));
      assertEquals("a nabla checkpoint (model TestMlp)", FileKind.describe(file), name);
      assertEquals("a nabla checkpoint (model TestMlp)", FileKind.describeBinary(file), name);
    }
  }

  @Test
  void idxFilesRawOrCompressedWithTheirDimensions() throws Exception {
    Path raw = dir.resolve("train-images-idx3-ubyte");
    Idx.write(raw, TestData.images(7, 1), false);
    assertEquals("an IDX file (7×28×28 unsigned bytes)", FileKind.describe(raw));
    Path gz = dir.resolve("labels.gz");
    Idx.write(gz, TestData.labels(60000), true);
    assertEquals("a gzip-compressed IDX file (60000 unsigned bytes)", FileKind.describe(gz));
    Path otherGz = dir.resolve("notes.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(otherGz))) {
      out.write("hello".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals("a gzip-compressed file", FileKind.describe(otherGz));
  }

  @Test
  void textIsASpecJsonOrText() throws Exception {
    assertEquals("a nabla spec (model FashionMlp)", FileKind.describe(
        Files.writeString(dir.resolve("a.nabla"), "# the lesson's network\nmodel FashionMlp\ninput X[784]\n")));
    assertEquals("a JSON file", FileKind.describe(Files.writeString(dir.resolve("v.json"), "  {\"params\": {}}")));
    assertEquals("a text file", FileKind.describe(Files.writeString(dir.resolve("r.txt"), "relu(W x)")));
    assertEquals("an empty file", FileKind.describe(Files.writeString(dir.resolve("e"), "")));
    assertNull(FileKind.describeBinary(dir.resolve("a.nabla")));
  }

  @Test
  void bytesWithNulAreBinary() throws Exception {
    Path file = Files.write(dir.resolve("picture.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
    assertEquals("a binary file", FileKind.describe(file));
    assertNull(FileKind.describe(dir.resolve("missing")));
  }
}
