package dev.nabla.runtime.data;

import dev.nabla.runtime.io.AtomicFile;
import dev.nabla.runtime.io.FileKind;
import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed.
 *
 * <p>An IDX file is a 4-byte magic number {@code 00 00 TT DD} (TT the element type, 0x08 for
 * unsigned bytes; DD the number of dimensions), then DD big-endian 32-bit sizes, then the values,
 * row-major. Only unsigned bytes are read: that is all Fashion-MNIST uses.
 *
 * <p>Compression is detected by the gzip magic ({@code 1f 8b}), not by the file name. A header is
 * never trusted before it is checked: for a raw file its counts are compared with the file's size
 * before anything is allocated; for a gzip stream, whose size is unknown up front, the data is read
 * in bounded, growing chunks, so a lying header fails when the stream ends instead of allocating
 * what the header claims.
 */
public final class Idx {

  /** The element type code of unsigned bytes. */
  public static final int UNSIGNED_BYTE = 0x08;

  /** The magic number of a file of images: unsigned bytes, three dimensions. */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** The magic number of a file of labels: unsigned bytes, one dimension. */
  public static final int LABELS_MAGIC = 0x00000801;

  /** Java arrays hold a little less than 2^31 elements; nothing larger is read. */
  static final long MAX_BYTES = Integer.MAX_VALUE - 16;

  private static final int FIRST_CHUNK = 1 << 20;

  private Idx() {}

  /** Reads an unsigned-byte IDX file with {@code expectedDims} dimensions. */
  public static IdxData read(Path file, int expectedDims) throws DataException {
    if (Files.isDirectory(file)) {
      throw new DataException(file, "is a directory, not an IDX file");
    }
    try (InputStream buffered = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      boolean gzip = startsWithGzipMagic(buffered);
      InputStream in = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
      return readBody(file, in, expectedDims, gzip ? -1 : Files.size(file));
    } catch (NoSuchFileException e) {
      throw new DataException(file, "missing");
    } catch (ZipException e) {
      throw new DataException(file, "corrupt gzip data (" + e.getMessage() + ")", e);
    } catch (EOFException e) {
      throw new DataException(file, "truncated: the compressed stream ends early (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new DataException(file, "cannot be read: " + e, e);
    }
  }

  /** Reads a file of images: three dimensions, {@code [count, rows, columns]}. */
  public static IdxData readImages(Path file) throws DataException {
    return read(file, 3);
  }

  /** Reads a file of labels: one dimension, {@code [count]}. */
  public static IdxData readLabels(Path file) throws DataException {
    return read(file, 1);
  }

  /** Writes {@code data} as an unsigned-byte IDX file, gzip-compressed if asked; atomically. */
  public static void write(Path file, IdxData data, boolean gzip) throws IOException {
    AtomicFile.write(file, out -> {
      if (gzip) {
        GZIPOutputStream compressed = new GZIPOutputStream(out, 1 << 16);
        writeTo(compressed, data);
        compressed.finish();
      } else {
        writeTo(out, data);
      }
    });
  }

  private static void writeTo(java.io.OutputStream out, IdxData data) throws IOException {
    DataOutputStream header = new DataOutputStream(out);
    int[] dims = data.dims();
    header.writeInt((UNSIGNED_BYTE << 8) | dims.length);
    for (int dim : dims) {
      header.writeInt(dim);
    }
    header.flush();
    out.write(data.data());
  }

  /** "; it is a nabla checkpoint (model …)", told from the file's own first bytes, or nothing. */
  private static String whatItIs(Path file) {
    String kind = FileKind.describe(file);
    return kind == null ? "" : "; it is " + kind;
  }

  private static boolean startsWithGzipMagic(InputStream in) throws IOException {
    in.mark(2);
    int first = in.read();
    int second = in.read();
    in.reset();
    return first == 0x1f && second == 0x8b;
  }

  private static IdxData readBody(Path file, InputStream in, int expectedDims, long fileSize)
      throws IOException, DataException {
    byte[] magicBytes = new byte[4];
    int got = in.readNBytes(magicBytes, 0, 4);
    if (got < 4) {
      throw new DataException(file, "truncated: " + got + " bytes, too short for the 4-byte IDX magic number");
    }
    int magic = ((magicBytes[0] & 0xff) << 24) | ((magicBytes[1] & 0xff) << 16)
        | ((magicBytes[2] & 0xff) << 8) | (magicBytes[3] & 0xff);
    int expectedMagic = (UNSIGNED_BYTE << 8) | expectedDims;
    if (magicBytes[0] != 0 || magicBytes[1] != 0) {
      throw new DataException(file, String.format(Locale.ROOT,
          "wrong magic 0x%08X: not an IDX file (expected 0x%08X, %s)%s", magic, expectedMagic, describe(expectedDims),
          whatItIs(file)));
    }
    if ((magicBytes[2] & 0xff) != UNSIGNED_BYTE) {
      throw new DataException(file, String.format(Locale.ROOT,
          "wrong magic 0x%08X: element type 0x%02X, but only unsigned bytes (0x08) are read", magic, magicBytes[2] & 0xff));
    }
    int dimCount = magicBytes[3] & 0xff;
    if (dimCount != expectedDims) {
      throw new DataException(file, String.format(Locale.ROOT,
          "wrong magic 0x%08X: %d dimension(s), expected 0x%08X (%s)", magic, dimCount, expectedMagic, describe(expectedDims)));
    }
    byte[] dimBytes = new byte[4 * dimCount];
    got = in.readNBytes(dimBytes, 0, dimBytes.length);
    if (got < dimBytes.length) {
      throw new DataException(file, "truncated: the file ends inside the header, which declares " + dimCount
          + " dimension(s) (" + (4 + dimBytes.length) + " bytes) but holds " + (4 + got));
    }
    int[] dims = new int[dimCount];
    for (int i = 0; i < dimCount; i++) {
      dims[i] = ((dimBytes[4 * i] & 0xff) << 24) | ((dimBytes[4 * i + 1] & 0xff) << 16)
          | ((dimBytes[4 * i + 2] & 0xff) << 8) | (dimBytes[4 * i + 3] & 0xff);
      if (dims[i] < 0) {
        throw new DataException(file, "lying header: dimension " + (i + 1) + " is " + Integer.toUnsignedString(dims[i])
            + ", more than any IDX file nabla reads");
      }
    }
    long total = 1;
    for (int dim : dims) {
      // Each factor is below 2^31 and the running product stays below MAX_BYTES: no overflow.
      total *= dim;
      if (total > MAX_BYTES) {
        throw new DataException(file, "lying header: it declares " + IdxData.shapeText(dims)
            + " values, more than the 2 GiB nabla reads");
      }
    }
    long headerBytes = 4 + 4L * dimCount;
    if (fileSize >= 0) {
      long available = fileSize - headerBytes;
      if (available != total) {
        throw new DataException(file, (available < total ? "truncated or lying header: " : "lying header: ")
            + "the header declares " + IdxData.shapeText(dims) + " = " + total + " bytes of data, but the file holds "
            + available + " bytes after its " + headerBytes + "-byte header");
      }
    }
    byte[] data = readExactly(file, in, (int) total, dims);
    if (in.read() != -1) {
      throw new DataException(file, "lying header: the data continues past the " + total + " bytes its header declares ("
          + IdxData.shapeText(dims) + ")");
    }
    return new IdxData(dims, data);
  }

  /** Reads {@code total} bytes, growing the buffer only as data actually arrives. */
  private static byte[] readExactly(Path file, InputStream in, int total, int[] dims) throws IOException, DataException {
    byte[] data = new byte[Math.min(total, FIRST_CHUNK)];
    int filled = 0;
    while (filled < total) {
      if (filled == data.length) {
        data = Arrays.copyOf(data, (int) Math.min(total, 2L * data.length));
      }
      int read = in.read(data, filled, data.length - filled);
      if (read < 0) {
        throw new DataException(file, "truncated: the header declares " + IdxData.shapeText(dims) + " = " + total
            + " bytes of data, but the data ends after " + filled);
      }
      filled += read;
    }
    return data;
  }

  private static String describe(int dims) {
    return switch (dims) {
      case 1 -> "labels, 1 dimension";
      case 3 -> "images, 3 dimensions";
      default -> dims + " dimensions";
    };
  }
}
