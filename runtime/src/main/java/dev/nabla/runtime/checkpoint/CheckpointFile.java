package dev.nabla.runtime.checkpoint;

import dev.nabla.runtime.Model;
import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.io.AtomicFile;
import dev.nabla.runtime.io.FileKind;
import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.optim.OptimizerState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Reads and writes checkpoints in nabla's binary format, version 1 (also described in
 * {@code runtime/CHECKPOINT-FORMAT.md}).
 *
 * <p>All numbers are big-endian. A string is a {@code u32} byte length and that many UTF-8 bytes.
 * A value is an IEEE 754 {@code f32} or {@code f64}, as the precision byte says.
 *
 * <pre>
 * magic           8 bytes   "NABLACKP"
 * version         u32       1
 * model name      string    the spec's model name
 * spec hash       string    the hash of the spec's canonical form
 * precision       u8        0 = float (f32 values), 1 = double (f64 values)
 * parameter count u32       P
 * P times:
 *   name          string
 *   rank          u32       R (0 for a scalar)
 *   dims          R × u32
 *   values        product(dims) values, row-major
 * has training    u8        0 = parameters only, 1 = a training state follows
 * training state (if 1):
 *   seed              u64
 *   epochs completed  u32
 *   step in epoch     u32   minibatches done of the next epoch
 *   batch size        u32
 *   global step       u64
 *   epoch loss sum    f64   Σ batch loss × batch size so far in the unfinished epoch
 *   epoch samples     u64
 *   optimizer         string   sgd | momentum | adam
 *   optimizer steps   u64
 *   buffer count      u32   B
 *   B times:          u32 length, then length × f64   (always f64, so that a resumed run is exact)
 *   history rows      u32   H
 *   H times:          u32 epoch, f64 train loss, f64 test loss, f64 test accuracy, f64 learning rate, f64 seconds
 * checksum        u32       CRC32 of every byte before it
 * </pre>
 *
 * <p>Files are written atomically ({@link AtomicFile}): a crash mid-write leaves the previous
 * checkpoint as it was. Reading checks the magic, the version, the checksum, and every length
 * against the bytes that are left before allocating anything.
 */
public final class CheckpointFile {

  /** The first eight bytes of every checkpoint. */
  public static final byte[] MAGIC = "NABLACKP".getBytes(StandardCharsets.US_ASCII);

  /** The format version this class writes and reads. */
  public static final int VERSION = 1;

  /**
   * The extension of checkpoint files, unlike a spec's {@code .nabla}. Files are recognized by their
   * magic bytes, not by this: checkpoints written as {@code checkpoint.nabla} by earlier versions still read.
   */
  public static final String EXTENSION = ".nckpt";

  /** What a checkpoint file is called in a training run's output directory. */
  public static final String DEFAULT_NAME = "checkpoint" + EXTENSION;

  private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;

  private CheckpointFile() {}

  /** Writes {@code checkpoint} to {@code file} atomically. */
  public static void save(Path file, Checkpoint checkpoint) throws CheckpointException {
    boolean existed = java.nio.file.Files.exists(file);
    try {
      AtomicFile.write(file, out -> write(checkpoint, out));
    } catch (IOException e) {
      String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new CheckpointException(file, "cannot be written (" + reason + "); "
          + (existed ? "the previous checkpoint there is unchanged" : "no checkpoint was left there"), e);
    }
  }

  /** Writes {@code checkpoint} in the checkpoint format to {@code out} (which stays open). */
  public static void write(Checkpoint checkpoint, OutputStream out) throws IOException {
    // Buffered first: the checksum covers everything, and a model's parameters fit in memory anyway.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(bytes);
    boolean floats = checkpoint.precision() == ModelInfo.Precision.FLOAT;
    data.write(MAGIC);
    data.writeInt(VERSION);
    writeString(data, checkpoint.modelName());
    writeString(data, checkpoint.specHash());
    data.writeByte(floats ? 0 : 1);
    List<ModelInfo.Parameter> parameters = checkpoint.parameters();
    List<double[]> values = checkpoint.values();
    data.writeInt(parameters.size());
    for (int i = 0; i < parameters.size(); i++) {
      ModelInfo.Parameter parameter = parameters.get(i);
      writeString(data, parameter.name());
      int[] shape = parameter.shape();
      data.writeInt(shape.length);
      for (int dim : shape) {
        data.writeInt(dim);
      }
      for (double value : values.get(i)) {
        if (floats) {
          data.writeFloat((float) value);
        } else {
          data.writeDouble(value);
        }
      }
    }
    TrainingState training = checkpoint.training();
    data.writeByte(training == null ? 0 : 1);
    if (training != null) {
      writeTraining(data, training);
    }
    data.flush();
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    data.writeInt((int) crc.getValue());
    data.flush();
    bytes.writeTo(out);
    out.flush();
  }

  private static void writeTraining(DataOutputStream data, TrainingState training) throws IOException {
    data.writeLong(training.seed());
    data.writeInt(training.epochsCompleted());
    data.writeInt(training.stepInEpoch());
    data.writeInt(training.batchSize());
    data.writeLong(training.globalStep());
    data.writeDouble(training.epochLossSum());
    data.writeLong(training.epochSamples());
    OptimizerState optimizer = training.optimizer();
    writeString(data, optimizer.optimizer());
    data.writeLong(optimizer.steps());
    List<double[]> buffers = optimizer.buffers();
    data.writeInt(buffers.size());
    for (double[] buffer : buffers) {
      data.writeInt(buffer.length);
      for (double value : buffer) {
        data.writeDouble(value);
      }
    }
    data.writeInt(training.history().size());
    for (EpochMetrics row : training.history()) {
      data.writeInt(row.epoch());
      data.writeDouble(row.trainLoss());
      data.writeDouble(row.testLoss());
      data.writeDouble(row.testAccuracy());
      data.writeDouble(row.learningRate());
      data.writeDouble(row.seconds());
    }
  }

  private static void writeString(DataOutputStream data, String text) throws IOException {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    data.writeInt(utf8.length);
    data.write(utf8);
  }

  /** Reads a checkpoint, checking that it is whole and uncorrupted. */
  public static Checkpoint load(Path file) throws CheckpointException {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new CheckpointException(file, "too large for a checkpoint (" + size + " bytes)");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file, "missing", e);
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot be read: " + e, e);
    }
    return parse(file, bytes);
  }

  /** Reads a checkpoint from its bytes; {@code file} names it in messages. */
  public static Checkpoint parse(Path file, byte[] bytes) throws CheckpointException {
    int magicLength = Math.min(bytes.length, MAGIC.length);
    if (!Arrays.equals(bytes, 0, magicLength, MAGIC, 0, magicLength)) {
      String kind = FileKind.describe(bytes);
      throw new CheckpointException(file, "not a nabla checkpoint: it is " + kind
          + " (a checkpoint starts with \"NABLACKP\")");
    }
    if (bytes.length < MAGIC.length + 4 + 4) {
      throw new CheckpointException(file, "truncated: " + bytes.length + " bytes, too short for a checkpoint");
    }
    int version = ByteBuffer.wrap(bytes, MAGIC.length, 4).getInt();
    if (version != VERSION) {
      throw new CheckpointException(file, "format version " + version + ", this nabla reads version " + VERSION);
    }
    int body = bytes.length - 4;
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, body);
    int stored = ByteBuffer.wrap(bytes, body, 4).getInt();
    int computed = (int) crc.getValue();
    if (stored != computed) {
      // Say "truncated" when that is what happened: the body then ends before its own lengths say.
      try {
        parseBody(file, ByteBuffer.wrap(bytes, 0, body));
      } catch (Truncated e) {
        throw new CheckpointException(file, "truncated: the file ends while reading " + e.getMessage()
            + " (" + bytes.length + " bytes); it was cut off, use an earlier checkpoint");
      } catch (CheckpointException | RuntimeException e) {
        // corrupt in some other way: the checksum message below says it
      }
      throw new CheckpointException(file, String.format(Locale.ROOT,
          "checksum mismatch: stored CRC32 %08x, computed %08x; the file is corrupt", stored, computed));
    }
    try {
      ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, body);
      Checkpoint checkpoint = parseBody(file, buffer);
      if (buffer.hasRemaining()) {
        throw new CheckpointException(file, "corrupt: " + buffer.remaining() + " unexpected bytes after the data");
      }
      return checkpoint;
    } catch (Truncated e) {
      throw new CheckpointException(file, "corrupt: the data ends while reading " + e.getMessage());
    }
  }

  /** The body ran out while reading the named thing. */
  private static final class Truncated extends Exception {
    private static final long serialVersionUID = 1L;

    Truncated(String what) {
      super(what, null, false, false);
    }
  }

  private static Checkpoint parseBody(Path file, ByteBuffer in) throws Truncated, CheckpointException {
    in.position(MAGIC.length + 4);
    String modelName = readString(in, "the model name");
    String specHash = readString(in, "the spec hash");
    int precisionCode = readByte(in, "the precision");
    if (precisionCode != 0 && precisionCode != 1) {
      throw new CheckpointException(file, "corrupt: precision code " + precisionCode + " (0 = float, 1 = double)");
    }
    boolean floats = precisionCode == 0;
    int valueBytes = floats ? Float.BYTES : Double.BYTES;
    int count = readCount(in, 0, "the parameter count");
    List<ModelInfo.Parameter> parameters = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      String name = readString(in, "the name of parameter " + (p + 1));
      int rank = readCount(in, 4, "the rank of " + name);
      int[] shape = new int[rank];
      long size = 1;
      for (int d = 0; d < rank; d++) {
        shape[d] = readCount(in, 0, "the shape of " + name);
        size *= shape[d];
        if (size * valueBytes > in.remaining()) {
          throw new Truncated("the values of " + name);
        }
      }
      double[] data = new double[(int) size];
      need(in, size * valueBytes, "the values of " + name);
      for (int i = 0; i < data.length; i++) {
        data[i] = floats ? in.getFloat() : in.getDouble();
      }
      parameters.add(new ModelInfo.Parameter(name, shape));
      values.add(data);
    }
    int hasTraining = readByte(in, "the training flag");
    TrainingState training = null;
    if (hasTraining == 1) {
      training = parseTraining(in);
    } else if (hasTraining != 0) {
      throw new CheckpointException(file, "corrupt: training flag " + hasTraining + " (0 or 1)");
    }
    return new Checkpoint(modelName, specHash, floats ? ModelInfo.Precision.FLOAT : ModelInfo.Precision.DOUBLE,
        parameters, values, training);
  }

  private static TrainingState parseTraining(ByteBuffer in) throws Truncated {
    need(in, 8 + 4 + 4 + 4 + 8 + 8 + 8, "the training state");
    long seed = in.getLong();
    int epochs = in.getInt();
    int step = in.getInt();
    int batch = in.getInt();
    long globalStep = in.getLong();
    double lossSum = in.getDouble();
    long samples = in.getLong();
    String optimizer = readString(in, "the optimizer name");
    need(in, 8, "the optimizer steps");
    long optimizerSteps = in.getLong();
    int bufferCount = readCount(in, 4, "the optimizer buffer count");
    List<double[]> buffers = new ArrayList<>();
    for (int b = 0; b < bufferCount; b++) {
      int length = readCount(in, Double.BYTES, "optimizer buffer " + (b + 1));
      double[] buffer = new double[length];
      for (int i = 0; i < length; i++) {
        buffer[i] = in.getDouble();
      }
      buffers.add(buffer);
    }
    int rows = readCount(in, 4 + 5 * 8, "the history row count");
    List<EpochMetrics> history = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      history.add(new EpochMetrics(in.getInt(), in.getDouble(), in.getDouble(), in.getDouble(), in.getDouble(),
          in.getDouble()));
    }
    return new TrainingState(seed, epochs, step, batch, globalStep, lossSum, samples,
        new OptimizerState(optimizer, optimizerSteps, buffers), history);
  }

  /** Reads a non-negative count whose items take {@code bytesEach}, after checking that they fit what is left. */
  private static int readCount(ByteBuffer in, int bytesEach, String what) throws Truncated {
    need(in, 4, what);
    int count = in.getInt();
    if (count < 0 || (long) count * bytesEach > in.remaining()) {
      throw new Truncated(what + " (" + Integer.toUnsignedString(count) + ")");
    }
    return count;
  }

  private static int readByte(ByteBuffer in, String what) throws Truncated {
    need(in, 1, what);
    return in.get() & 0xff;
  }

  private static String readString(ByteBuffer in, String what) throws Truncated {
    int length = readCount(in, 1, what);
    byte[] utf8 = new byte[length];
    in.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  private static void need(ByteBuffer in, long bytes, String what) throws Truncated {
    if (bytes > in.remaining()) {
      throw new Truncated(what);
    }
  }

  /**
   * Reads the checkpoint in {@code file} and loads its parameters into {@code model}, after checking
   * that it was made for this model: {@link #load} and then {@link #restore(Path, Checkpoint, Model)}.
   *
   * @return the checkpoint read, with its training state if it has one
   */
  public static Checkpoint restore(Path file, Model model) throws CheckpointException {
    Checkpoint checkpoint = load(file);
    restore(file, checkpoint, model);
    return checkpoint;
  }

  /**
   * Loads {@code checkpoint}'s parameters into {@code model} after checking that it was made for
   * this model: same name and spec hash, same parameter names and shapes.
   */
  public static void restore(Path file, Checkpoint checkpoint, Model model) throws CheckpointException {
    checkFits(file, checkpoint, model);
    List<double[]> values = checkpoint.values();
    List<ModelInfo.Parameter> parameters = checkpoint.parameters();
    for (int i = 0; i < parameters.size(); i++) {
      model.setParameter(parameters.get(i).name(), values.get(i));
    }
  }

  /** Fails with a message naming both models when {@code checkpoint} was made for another spec or shape. */
  public static void checkFits(Path file, Checkpoint checkpoint, Model model) throws CheckpointException {
    ModelInfo info = model.info();
    if (!checkpoint.specHash().equals(info.specHash()) || !checkpoint.modelName().equals(info.name())) {
      throw new CheckpointException(file, "made for another model: the checkpoint is of " + checkpoint.modelName()
          + " (spec hash " + checkpoint.specHash() + "), this model is " + info.name() + " (spec hash "
          + info.specHash() + ")");
    }
    List<ModelInfo.Parameter> saved = checkpoint.parameters();
    List<ModelInfo.Parameter> wanted = info.parameters();
    for (int i = 0; i < Math.max(saved.size(), wanted.size()); i++) {
      ModelInfo.Parameter have = i < saved.size() ? saved.get(i) : null;
      ModelInfo.Parameter want = i < wanted.size() ? wanted.get(i) : null;
      if (have == null || want == null || !have.equals(want)) {
        throw new CheckpointException(file, "parameters do not fit " + info.name() + ": the checkpoint has "
            + (have == null ? "nothing" : have) + " where the model has " + (want == null ? "nothing" : want)
            + " (checkpoint: " + saved + ", model: " + wanted + ")");
      }
    }
  }
}
