package dev.nabla.runtime.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * What a file is, told from its first bytes (never from its name), so that a command given the wrong
 * kind of file can say what it got: "is a nabla checkpoint (model FashionMlp), not a spec".
 */
public final class FileKind {

  /** The bytes looked at: enough for any header nabla reads, and for a text file's first lines. */
  static final int HEAD_BYTES = 8192;

  private static final byte[] CHECKPOINT_MAGIC = "NABLACKP".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern MODEL_LINE = Pattern.compile("(?m)^\\s*model\\s+([\\p{L}_][\\p{L}\\p{N}_]*)");

  private FileKind() {}

  /**
   * What {@code file} is, as a phrase to follow "is": {@code a nabla checkpoint (model FashionMlp)},
   * {@code a gzip-compressed IDX file (60000×28×28 unsigned bytes)}, {@code a binary file},
   * {@code a nabla spec (model Net)}, {@code a JSON file}, {@code a text file}; {@code null} when it cannot be read.
   */
  public static String describe(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return describe(in.readNBytes(HEAD_BYTES));
    } catch (IOException e) {
      return null;
    }
  }

  /** {@link #describe(Path)} of a file whose first bytes are {@code head} (only the first {@value #HEAD_BYTES} are looked at). */
  public static String describe(byte[] head) {
    head = head.length > HEAD_BYTES ? Arrays.copyOf(head, HEAD_BYTES) : head;
    String binary = describeBinary(head);
    if (binary != null) {
      return binary;
    }
    String text = new String(head, StandardCharsets.UTF_8);
    Matcher model = MODEL_LINE.matcher(text);
    if (model.find()) {
      return "a nabla spec (model " + model.group(1) + ")";
    }
    String start = text.strip();
    if (start.startsWith("{") || start.startsWith("[")) {
      return "a JSON file";
    }
    return start.isEmpty() ? "an empty file" : "a text file";
  }

  /** What a file that is not text is (a checkpoint, an IDX file, gzip data, other binary), or {@code null} for text. */
  public static String describeBinary(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return describeBinary(in.readNBytes(HEAD_BYTES));
    } catch (IOException e) {
      return null;
    }
  }

  /** {@link #describeBinary(Path)} from a file's first bytes. */
  public static String describeBinary(byte[] head) {
    head = head.length > HEAD_BYTES ? Arrays.copyOf(head, HEAD_BYTES) : head;
    if (startsWith(head, CHECKPOINT_MAGIC)) {
      String model = checkpointModel(head);
      return "a nabla checkpoint" + (model == null ? "" : " (model " + model + ")");
    }
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      String idx = idx(gunzipHead(head));
      return idx != null ? "a gzip-compressed " + idx : "a gzip-compressed file";
    }
    String idx = idx(head);
    if (idx != null) {
      return "an " + idx;
    }
    for (byte b : head) {
      if (b == 0) {
        return "a binary file";
      }
    }
    return null;
  }

  /** The model name a checkpoint's header carries after its magic and version, or {@code null} if cut short. */
  private static String checkpointModel(byte[] head) {
    ByteBuffer in = ByteBuffer.wrap(head);
    int nameAt = CHECKPOINT_MAGIC.length + 4;
    if (head.length < nameAt + 4) {
      return null;
    }
    int length = in.getInt(nameAt);
    if (length <= 0 || length > 200 || nameAt + 4 + length > head.length) {
      return null;
    }
    return new String(head, nameAt + 4, length, StandardCharsets.UTF_8);
  }

  /** "IDX file (60000×28×28 unsigned bytes)" when {@code bytes} start with a plausible IDX header. */
  private static String idx(byte[] bytes) {
    if (bytes.length < 8 || bytes[0] != 0 || bytes[1] != 0) {
      return null;
    }
    String type = switch (bytes[2] & 0xff) {
      case 0x08 -> "unsigned bytes";
      case 0x09 -> "signed bytes";
      case 0x0B -> "shorts";
      case 0x0C -> "ints";
      case 0x0D -> "floats";
      case 0x0E -> "doubles";
      default -> null;
    };
    int rank = bytes[3] & 0xff;
    if (type == null || rank < 1 || rank > 4 || bytes.length < 4 + 4 * rank) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    StringBuilder dims = new StringBuilder();
    for (int d = 0; d < rank; d++) {
      int dim = in.getInt(4 + 4 * d);
      if (dim < 0) {
        return null;
      }
      dims.append(d == 0 ? "" : "×").append(dim);
    }
    return "IDX file (" + dims + " " + type + ")";
  }

  private static byte[] gunzipHead(byte[] head) {
    byte[] out = new byte[64];
    int got = 0;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(head))) {
      for (int n; got < out.length && (n = in.read(out, got, out.length - got)) > 0; ) {
        got += n;
      }
    } catch (IOException e) {
      // a head cut off mid-stream still yields the bytes decompressed before the cut
    }
    return Arrays.copyOf(out, got);
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }
}
