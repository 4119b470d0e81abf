package dev.nabla.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.io.AtomicFile;
import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.optim.OptimizerState;
import dev.nabla.runtime.testing.LeastSquaresModel;
import dev.nabla.runtime.testing.MlpModel;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {

  @TempDir Path dir;

  private static TrainingState someTraining() {
    return new TrainingState(7, 2, 5, 16, 45, 12.5, 80,
        new OptimizerState("momentum", 45, List.of(new double[] {0.1, -0.2}, new double[] {1e-300})),
        List.of(new EpochMetrics(1, 0.9, 0.8, 0.7, 0.1, 1.5), new EpochMetrics(2, 0.5, 0.6, Double.NaN, 0.05, 1.25)));
  }

  @Test
  void roundTripOfAFloatModelWithTrainingState() throws Exception {
    MlpModel model = new MlpModel(6, 4, 3, 8);
    model.initialize(3);
    Checkpoint saved = Checkpoint.of(model, someTraining());
    Path file = dir.resolve("model.nabla");

    CheckpointFile.save(file, saved);
    Checkpoint loaded = CheckpointFile.load(file);

    assertEquals(saved, loaded);
    assertEquals(someTraining(), loaded.training());
    MlpModel other = new MlpModel(6, 4, 3, 8);
    CheckpointFile.restore(file, loaded, other);
    for (ModelInfo.Parameter p : model.info().parameters()) {
      assertArrayEquals(model.parameter(p.name()), other.parameter(p.name()), p.name());
    }
  }

  @Test
  void roundTripOfDoubleValuesWithoutTrainingState() throws Exception {
    Checkpoint saved = new Checkpoint("Tiny", "hash-1", ModelInfo.Precision.DOUBLE,
        List.of(new ModelInfo.Parameter("s", new int[0]), new ModelInfo.Parameter("v", new int[] {3})),
        List.of(new double[] {Math.PI}, new double[] {1e-310, -0.0, Double.MAX_VALUE}), null);
    Path file = dir.resolve("tiny.nabla");

    CheckpointFile.save(file, saved);
    Checkpoint loaded = CheckpointFile.load(file);

    assertEquals(saved, loaded);
    assertNull(loaded.training());
    assertArrayEquals(new double[] {Math.PI}, loaded.values("s"));
  }

  @Test
  void theFileStartsWithMagicAndVersion() throws Exception {
    Path file = saveSome();
    byte[] bytes = Files.readAllBytes(file);
    assertEquals("NABLACKP", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
    assertArrayEquals(new byte[] {0, 0, 0, 1}, Arrays.copyOfRange(bytes, 8, 12));
  }

  @Test
  void missingFile() {
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.load(dir.resolve("none")));
    assertEquals("missing", e.problem());
  }

  @Test
  void wrongMagic() throws Exception {
    Path file = dir.resolve("other.bin");
    Files.write(file, "GIF89a and the rest of a picture".getBytes());
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.load(file));
    assertEquals(file, e.file());
    assertEquals("not a nabla checkpoint: it is a text file (a checkpoint starts with \"NABLACKP\")", e.problem());
  }

  @Test
  void newerFormatVersion() throws Exception {
    Path file = saveSome();
    byte[] bytes = Files.readAllBytes(file);
    bytes[11] = 9;
    Files.write(file, bytes);
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.load(file));
    assertEquals("format version 9, this nabla reads version 1", e.problem());
  }

  @Test
  void truncatedAnywhere() throws Exception {
    Path file = saveSome();
    byte[] bytes = Files.readAllBytes(file);
    for (int length : new int[] {0, 5, 8, 13, 40, bytes.length / 2, bytes.length - 5, bytes.length - 1}) {
      Path cut = dir.resolve("cut-" + length);
      Files.write(cut, Arrays.copyOf(bytes, length));
      CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.load(cut));
      assertTrue(e.problem().startsWith("truncated") || e.problem().startsWith("checksum mismatch"),
          length + ": " + e.problem());
    }
    // Header: magic 8, version 4, name 4+7, hash 4+15, precision 1, count 4, "W1" 4+2, rank 4, dims 8 = 65 bytes.
    Path inW1 = dir.resolve("cut-in-W1");
    Files.write(inW1, Arrays.copyOf(bytes, 65 + 40));
    String problem = assertThrows(CheckpointException.class, () -> CheckpointFile.load(inW1)).problem();
    assertTrue(problem.startsWith("truncated: the file ends while reading the values of W1"), problem);
  }

  @Test
  void aFlippedByteFailsTheChecksum() throws Exception {
    Path file = saveSome();
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.load(file));
    assertTrue(e.problem().startsWith("checksum mismatch: stored CRC32"), e.problem());
    assertTrue(e.problem().endsWith("the file is corrupt"), e.problem());
  }

  @Test
  void aCheckpointOfAnotherSpecIsRefusedNamingBothModels() throws Exception {
    Path file = saveSome();
    Checkpoint checkpoint = CheckpointFile.load(file);
    LeastSquaresModel other = new LeastSquaresModel(6, 3, 4);
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.restore(file, checkpoint, other));
    assertEquals("made for another model: the checkpoint is of TestMlp (spec hash test-mlp-6-4-3), this model is"
        + " LeastSquares (spec hash test-lsq-6-3)", e.problem());
  }

  @Test
  void aCheckpointWithOtherShapesIsRefused() throws Exception {
    MlpModel model = new MlpModel(6, 4, 3, 8);
    Checkpoint real = Checkpoint.of(model, null);
    Checkpoint reshaped = new Checkpoint(real.modelName(), real.specHash(), real.precision(),
        List.of(new ModelInfo.Parameter("W1", new int[] {6, 4}), real.parameters().get(1), real.parameters().get(2),
            real.parameters().get(3)), real.values(), null);
    Path file = dir.resolve("reshaped.nabla");
    CheckpointFile.save(file, reshaped);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> CheckpointFile.restore(file, CheckpointFile.load(file), model));
    assertTrue(e.problem().startsWith("parameters do not fit TestMlp: the checkpoint has W1[6×4] where the model has W1[4×6]"),
        e.problem());
  }

  @Test
  void anInterruptedWriteLeavesTheOldCheckpointIntact() throws Exception {
    Path file = saveSome();
    byte[] before = Files.readAllBytes(file);
    MlpModel changed = new MlpModel(6, 4, 3, 8);
    changed.initialize(99);
    Checkpoint next = Checkpoint.of(changed, someTraining());

    IOException e = assertThrows(IOException.class,
        () -> AtomicFile.write(file, out -> CheckpointFile.write(next, new FailingAfter(out, 100))));

    assertEquals("simulated: disk full after 100 bytes", e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file left behind");
    }
  }

  @Test
  void saveReportsWhereItCannotWrite() throws Exception {
    Path blocker = dir.resolve("file");
    Files.writeString(blocker, "not a directory");
    Path file = blocker.resolve("checkpoint.nabla");
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> CheckpointFile.save(file, Checkpoint.of(new MlpModel(2, 2, 2, 1), null)));
    assertEquals(file, e.file());
    assertTrue(e.problem().startsWith("cannot be written"), e.problem());
  }

  private Path saveSome() throws CheckpointException {
    MlpModel model = new MlpModel(6, 4, 3, 8);
    model.initialize(5);
    Path file = dir.resolve("checkpoint.nabla");
    CheckpointFile.save(file, Checkpoint.of(model, someTraining()));
    return file;
  }

  /** A stream that fails like a full disk after {@code limit} bytes. */
  private static final class FailingAfter extends FilterOutputStream {
    private final int limit;
    private int written;

    FailingAfter(OutputStream out, int limit) {
      super(out);
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      int allowed = Math.min(len, limit - written);
      out.write(b, off, allowed);
      written += allowed;
      if (allowed < len) {
        throw new IOException("simulated: disk full after " + limit + " bytes");
      }
    }
  }
}
