package dev.nabla.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

  @TempDir Path dir;

  @Test
  void replacesTheFileAndCreatesParents() throws Exception {
    Path file = dir.resolve("a/b/out.txt");
    AtomicFile.write(file, "old".getBytes());
    AtomicFile.write(file, "new".getBytes());
    assertEquals("new", Files.readString(file));
    assertEquals(List.of(file), listing(file.getParent()));
  }

  @Test
  void aFailureMidWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
    Path file = dir.resolve("out.bin");
    AtomicFile.write(file, new byte[] {1, 2, 3});

    IOException e = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
      out.write(new byte[100_000]);
      throw new IOException("disk full");
    }));

    assertEquals("disk full", e.getMessage());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
    assertEquals(List.of(file), listing(dir));
  }

  @Test
  void theWriterMayCloseItsStream() throws Exception {
    Path file = dir.resolve("closed.txt");
    AtomicFile.write(file, out -> {
      out.write('x');
      out.close();
    });
    assertEquals("x", Files.readString(file));
  }

  private static List<Path> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }
}
