package dev.nabla.runtime.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old contents or the complete new ones, never a
 * half-written file: even if the process dies or the disk fills up mid-write.
 *
 * <p>The contents go to a temporary file in the same directory (so the final rename stays on one
 * file system), which is flushed to the disk ({@link FileChannel#force}) and then atomically moved
 * over the target. The directory is then synced, best-effort, so that the rename itself survives
 * a crash. On any failure the temporary file is deleted and the target is left as it was.
 */
public final class AtomicFile {

  /** What writes the contents; it may throw, in which case nothing is replaced. */
  @FunctionalInterface
  public interface ContentWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFile() {}

  /** Replaces {@code target} with what {@code writer} writes, atomically. Creates missing parent directories. */
  public static void write(Path target, ContentWriter writer) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Files.createDirectories(dir);
    Path temp = createTemp(dir, absolute.getFileName().toString());
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        // The writer may close what it gets; the channel must stay open until it is forced.
        OutputStream unclosable = new FilterOutputStream(Channels.newOutputStream(channel)) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush();
          }
        };
        BufferedOutputStream out = new BufferedOutputStream(unclosable, 1 << 16);
        writer.writeTo(out);
        out.flush();
        channel.force(true);
      }
      move(temp, absolute);
      moved = true;
      syncDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Replaces {@code target} with {@code bytes}, atomically. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  private static Path createTemp(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      // A dot name, so that directory listings and globs skip it; CREATE_NEW, so two writers never share one.
      Path temp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
      try {
        return Files.createFile(temp);
      } catch (FileAlreadyExistsException e) {
        if (attempt > 10) {
          throw e;
        }
      }
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // Some file systems cannot rename atomically; a plain replace is the best they offer.
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Best-effort: some platforms (Windows) cannot open a directory; the rename is done anyway.
    }
  }
}
