package dev.nabla.codegen;

import dev.nabla.runtime.Model;
import dev.nabla.runtime.io.AtomicFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compiled generated classes kept between runs, so that a spec trained again (other {@code --lr}, {@code --batch},
 * {@code --epochs}: the same source) skips javac, as ccache does for C.
 *
 * <p>An entry is one file per compile, named by a SHA-256 {@linkplain #key key} over everything that decides javac's
 * output: this format's version, the options, the JDK ({@link Runtime#version()}), every source and a fingerprint of
 * the runtime the classes link against. It holds every class of the compile (binary name and bytes) and a checksum
 * over them, is written atomically ({@link AtomicFile}: two runs at once each see a whole entry or none), and the
 * directory keeps the {@value #DEFAULT_ENTRIES} most recently used. The cache never fails a run: whatever goes wrong
 * with it (no directory, no room, a truncated or corrupt entry) makes a miss, and the caller compiles as without it.
 */
public final class ClassCache {
  /** Raised whenever the layout of an entry or of the key changes, so that old entries are misses. */
  static final int FORMAT = 1;

  /** How many entries the directory keeps: a few MB at most, for the specs a user trains in turn. */
  public static final int DEFAULT_ENTRIES = 64;

  /** The setting that turns the cache off, as {@code -Dnabla.cache=off} or {@code NABLA_CACHE=off}. */
  public static final String OFF = "off";

  static final String SUFFIX = ".classes";
  private static final byte[] MAGIC = "NABLA-CLASSES\n".getBytes(StandardCharsets.US_ASCII);
  private static final int CHECKSUM_BYTES = 32;
  private static final long MAX_ENTRY_BYTES = 64 << 20;

  private final Path directory;
  private final String runtimeFingerprint;
  private final int maxEntries;

  /**
   * A cache in {@code directory} (created when the first entry is written) for classes linked against the runtime
   * {@code runtimeFingerprint} names: a runtime built anew must have another fingerprint.
   */
  public ClassCache(Path directory, String runtimeFingerprint, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("a cache keeps at least one entry, not " + maxEntries);
    }
    this.directory = directory;
    this.runtimeFingerprint = runtimeFingerprint;
    this.maxEntries = maxEntries;
  }

  public ClassCache(Path directory, String runtimeFingerprint) {
    this(directory, runtimeFingerprint, DEFAULT_ENTRIES);
  }

  /**
   * The cache {@code nabla} uses, or none: in the directory the system property {@code nabla.cache} names, else
   * {@code $NABLA_CACHE}, else {@code $XDG_CACHE_HOME/nabla/classes}, else {@code ~/.cache/nabla/classes};
   * {@value #OFF} turns it off. None either when the runtime has no {@linkplain #runtimeFingerprint() fingerprint}.
   */
  public static Optional<ClassCache> forThisRuntime() {
    Optional<Path> directory = directory(System.getProperty("nabla.cache"), System.getenv("NABLA_CACHE"),
        System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"));
    Optional<String> fingerprint = runtimeFingerprint();
    if (directory.isEmpty() || fingerprint.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ClassCache(directory.get(), fingerprint.get()));
  }

  /** The directory of {@link #forThisRuntime()} from its settings, first given first; empty for {@value #OFF}. */
  static Optional<Path> directory(String property, String variable, String xdgCacheHome, String userHome) {
    for (String setting : new String[] {property, variable}) {
      if (setting != null && !setting.isBlank()) {
        return setting.strip().equals(OFF) ? Optional.empty() : Optional.of(Path.of(setting.strip()));
      }
    }
    // The XDG spec has relative values ignored.
    if (xdgCacheHome != null && !xdgCacheHome.isBlank() && Path.of(xdgCacheHome).isAbsolute()) {
      return Optional.of(Path.of(xdgCacheHome, "nabla", "classes"));
    }
    if (userHome != null && !userHome.isBlank() && Path.of(userHome).isAbsolute()) {
      return Optional.of(Path.of(userHome, ".cache", "nabla", "classes"));
    }
    return Optional.empty();
  }

  /**
   * What identifies the runtime this JVM loaded {@link Model} from, when it is a jar: its absolute path, size and
   * last-modified time (hashing the CLI's 6 MB jar would cost more in a cold JVM than it saves). Empty when the
   * runtime is a directory of classes (tests, an IDE), whose classes may change under the same name.
   */
  public static Optional<String> runtimeFingerprint() {
    try {
      return fingerprintOf(Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (RuntimeException | java.net.URISyntaxException e) {
      // No code source (a custom class loader): nothing to tie the entries to.
      return Optional.empty();
    }
  }

  /** The fingerprint of the runtime at {@code location}: its path, size and time when it is a file, else none. */
  static Optional<String> fingerprintOf(Path location) {
    try {
      Path absolute = location.toAbsolutePath();
      BasicFileAttributes attributes = Files.readAttributes(absolute, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        return Optional.empty();
      }
      return Optional.of(absolute + " " + attributes.size() + " " + attributes.lastModifiedTime());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public Path directory() {
    return directory;
  }

  /** The name of the entry for a compile of {@code sources} with {@code options}: hex SHA-256. */
  public String key(List<String> options, List<String> sources) {
    MessageDigest digest = sha256();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      // Lengths before contents, so that no two different lists give the same bytes.
      writeStrings(out, options);
      writeStrings(out, List.of(Runtime.version().toString(), runtimeFingerprint));
      writeStrings(out, sources);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return HexFormat.of().formatHex(digest.digest(bytes.toByteArray()));
  }

  private static void writeStrings(DataOutputStream out, List<String> strings) throws IOException {
    out.writeInt(strings.size());
    for (String string : strings) {
      byte[] utf8 = string.getBytes(StandardCharsets.UTF_8);
      out.writeInt(utf8.length);
      out.write(utf8);
    }
  }

  Path entry(String key) {
    return directory.resolve(key + SUFFIX);
  }

  /**
   * The classes stored under {@code key} (binary name to bytes), or empty when there is no entry or it is not whole
   * and right (truncated, another format or key, a wrong checksum). A hit marks the entry as recently used.
   */
  public Optional<Map<String, byte[]>> load(String key) {
    Path entry = entry(key);
    byte[] contents;
    try {
      // Not an entry of ours if it is that large (the lesson's network takes 6 KB): no need to read it to know.
      if (Files.size(entry) > MAX_ENTRY_BYTES) {
        return Optional.empty();
      }
      contents = Files.readAllBytes(entry);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    Optional<Map<String, byte[]>> classes = decode(key, contents);
    if (classes.isPresent()) {
      try {
        Files.setLastModifiedTime(entry, FileTime.from(java.time.Instant.now()));
      } catch (IOException | RuntimeException e) {
        // A read-only cache still serves its entries; only the pruning order suffers.
      }
    }
    return classes;
  }

  private static Optional<Map<String, byte[]>> decode(String key, byte[] contents) {
    int body = contents.length - CHECKSUM_BYTES;
    if (body < MAGIC.length || !Arrays.equals(contents, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return Optional.empty();
    }
    byte[] checksum = sha256().digest(Arrays.copyOf(contents, body));
    if (!Arrays.equals(checksum, 0, CHECKSUM_BYTES, contents, body, contents.length)) {
      return Optional.empty();
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(contents, MAGIC.length, body - MAGIC.length))) {
      if (in.readInt() != FORMAT || !in.readUTF().equals(key)) {
        return Optional.empty();
      }
      int count = in.readInt();
      if (count < 1 || count > body) {
        return Optional.empty();
      }
      Map<String, byte[]> classes = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
          return Optional.empty();
        }
        classes.put(name, in.readNBytes(length));
      }
      return in.available() == 0 ? Optional.of(classes) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Stores {@code classes} under {@code key}, replacing an entry there, then removes the least recently used entries
   * beyond the bound. Returns whether the entry was written; a cache that cannot be written is left as it is.
   */
  public boolean store(String key, Map<String, byte[]> classes) {
    byte[] contents = encode(key, classes);
    try {
      AtomicFile.write(entry(key), contents);
    } catch (IOException | RuntimeException e) {
      return false;
    }
    prune(entry(key));
    return true;
  }

  static byte[] encode(String key, Map<String, byte[]> classes) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(FORMAT);
      out.writeUTF(key);
      out.writeInt(classes.size());
      // Sorted, so that the same compile always gives the same file.
      for (Map.Entry<String, byte[]> entry : new TreeMap<>(classes).entrySet()) {
        out.writeUTF(entry.getKey());
        out.writeInt(entry.getValue().length);
        out.write(entry.getValue());
      }
      out.write(sha256().digest(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return bytes.toByteArray();
  }

  /**
   * Keeps the {@code maxEntries} most recently used entries, {@code written} always among them (its time may tie with
   * another's); another run may be pruning at the same time.
   */
  private void prune(Path written) {
    record Entry(Path path, FileTime used) {}
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path path : listing) {
        try {
          if (!path.equals(written)) {
            entries.add(new Entry(path, Files.getLastModifiedTime(path)));
          }
        } catch (NoSuchFileException gone) {
          // pruned by another run meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return;
    }
    int others = maxEntries - 1;
    if (entries.size() <= others) {
      return;
    }
    entries.sort(Comparator.comparing(Entry::used).reversed());
    for (Entry stale : entries.subList(others, entries.size())) {
      try {
        Files.deleteIfExists(stale.path());
      } catch (IOException | RuntimeException e) {
        // the next write tries again
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
