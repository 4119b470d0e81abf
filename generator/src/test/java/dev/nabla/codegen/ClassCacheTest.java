package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Model;
import dev.nabla.runtime.Trainable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The cache of compiled classes that lets {@code nabla train} skip javac when it trains the same spec again. */
class ClassCacheTest {
  /** The runtime's fingerprint in these tests: the runtime is a directory of classes here, which gives none. */
  private static final String RUNTIME = "nabla-runtime.jar 6317941 2026-12-01T22:21:00Z";

  private static final String CLASS = Networks.PACKAGE + ".FashionMlp";

  @TempDir
  Path directory;

  private ClassCache cache() {
    return new ClassCache(directory.resolve("classes"), RUNTIME);
  }

  private static List<JavaFile> lesson() {
    return List.of(Networks.java(Networks.resource("FashionMlp"), Precision.FLOAT));
  }

  private static List<JavaFile> widerLesson() {
    String spec = Networks.read("/codegen/good/FashionMlp.nabla").replace("W1[20, 784]", "W1[32, 784]")
        .replace("b1[20]", "b1[32]").replace("W2[10, 20]", "W2[10, 32]");
    return List.of(Networks.java(Networks.parse("FashionMlp.nabla", spec), Precision.FLOAT));
  }

  /** Compiles through {@code cache} and says whether javac ran. */
  private static boolean compiledByJavac(List<JavaFile> files, ClassCache cache, ClassLoader[] loader) {
    int before = InMemoryCompiler.javacRuns();
    loader[0] = InMemoryCompiler.compile(files, cache);
    return InMemoryCompiler.javacRuns() > before;
  }

  private static ClassLoader compile(List<JavaFile> files, ClassCache cache, boolean expectJavac) {
    ClassLoader[] loader = new ClassLoader[1];
    assertEquals(expectJavac, compiledByJavac(files, cache, loader), expectJavac ? "expected a miss" : "expected a hit");
    return loader[0];
  }

  /** The losses of five SGD steps from seed 7 on fixed inputs, then the first layer's weights. */
  private static double[] trained(ClassLoader loader) {
    Trainable model = InMemoryCompiler.instantiate(loader, CLASS, 8, Trainable.class);
    model.initialize(7);
    float[] x = new float[8 * 784];
    int[] labels = new int[8];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i * 31 % 97) / 97f;
    }
    for (int b = 0; b < labels.length; b++) {
      labels[b] = b * 3 % 10;
    }
    double[] losses = new double[5];
    for (int step = 0; step < losses.length; step++) {
      losses[step] = model.trainStep(x, labels, 8, 0.1f);
    }
    double[] w1 = model.parameter("W1");
    double[] result = new double[losses.length + w1.length];
    System.arraycopy(losses, 0, result, 0, losses.length);
    System.arraycopy(w1, 0, result, losses.length, w1.length);
    return result;
  }

  private Path onlyEntry() throws IOException {
    try (Stream<Path> entries = Files.list(directory.resolve("classes"))) {
      List<Path> all = entries.toList();
      assertEquals(1, all.size(), "entries: " + all);
      return all.get(0);
    }
  }

  @Test
  void theSameSpecCompiledAgainIsAHitAndTrainsToTheSameBits() {
    ClassLoader first = compile(lesson(), cache(), true);
    // Another cache object on the same directory: what the next run of `nabla train` makes.
    ClassLoader again = compile(lesson(), cache(), false);
    assertNotSame(first, again);
    assertArrayEquals(trained(first), trained(again));
  }

  @Test
  void theEntryIsOneFileNamedByItsKeyHoldingEveryClassOfTheCompile() throws IOException {
    compile(lesson(), cache(), true);
    Path entry = onlyEntry();
    assertTrue(entry.getFileName().toString().matches("[0-9a-f]{64}\\.classes"), entry.toString());
    String key = entry.getFileName().toString().replace(ClassCache.SUFFIX, "");
    Map<String, byte[]> classes = cache().load(key).orElseThrow();
    assertTrue(classes.containsKey(CLASS), classes.keySet().toString());
    // A class file starts with 0xCAFEBABE.
    assertEquals((byte) 0xCA, classes.get(CLASS)[0]);
    assertEquals((byte) 0xBE, classes.get(CLASS)[3]);
  }

  enum Damage {
    /** One byte of a class flipped: the checksum no longer matches. */
    FLIPPED_BYTE {
      @Override
      void apply(Path entry) throws IOException {
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(entry, bytes);
      }
    },
    /** Cut off half way, as a copy that ran out of room would leave it. */
    TRUNCATED {
      @Override
      void apply(Path entry) throws IOException {
        byte[] bytes = Files.readAllBytes(entry);
        Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length / 2));
      }
    },
    EMPTY {
      @Override
      void apply(Path entry) throws IOException {
        Files.write(entry, new byte[0]);
      }
    },
    /** Not an entry at all. */
    TEXT {
      @Override
      void apply(Path entry) throws IOException {
        Files.writeString(entry, "model FashionMlp\n");
      }
    },
    /** A whole entry, checksum right, of bytes that are no class: the JVM refuses them (ClassFormatError). */
    NOT_A_CLASS {
      @Override
      void apply(Path entry) throws IOException {
        String key = entry.getFileName().toString().replace(ClassCache.SUFFIX, "");
        Files.write(entry, ClassCache.encode(key, Map.of(CLASS, "not a class file".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
      }
    },
    /** A whole entry holding the class of another spec under this spec's key: the JVM refuses it as of another name. */
    ANOTHER_CLASS {
      @Override
      void apply(Path entry) throws IOException {
        String key = entry.getFileName().toString().replace(ClassCache.SUFFIX, "");
        Map<String, byte[]> lesson = new ClassCache(entry.getParent(), RUNTIME).load(key).orElseThrow();
        Files.write(entry, ClassCache.encode(key, Map.of(CLASS.replace("FashionMlp", "Other"), lesson.get(CLASS))));
      }
    };

    abstract void apply(Path entry) throws IOException;
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aDamagedEntryIsCompiledAgainWorksAndIsRepaired(Damage damage) throws IOException {
    double[] expected = trained(compile(lesson(), cache(), true));
    Path entry = onlyEntry();
    byte[] good = Files.readAllBytes(entry);
    damage.apply(entry);
    assertFalse(java.util.Arrays.equals(good, Files.readAllBytes(entry)));

    ClassLoader recompiled = compile(lesson(), cache(), true);
    assertArrayEquals(expected, trained(recompiled));
    assertArrayEquals(good, Files.readAllBytes(onlyEntry()), "the entry is written anew");
    assertArrayEquals(expected, trained(compile(lesson(), cache(), false)));
  }

  @Test
  void anotherSpecAnotherRuntimeOrAnotherPrecisionMisses() throws IOException {
    compile(lesson(), cache(), true);
    compile(widerLesson(), cache(), true);
    compile(lesson(), new ClassCache(directory.resolve("classes"), RUNTIME.replace("22:21:00", "22:40:13")), true);
    compile(List.of(Networks.java(Networks.resource("FashionMlp"), Precision.DOUBLE)), cache(), true);
    try (Stream<Path> entries = Files.list(directory.resolve("classes"))) {
      assertEquals(4, entries.count());
    }
    // Each is a hit again.
    compile(lesson(), cache(), false);
    compile(widerLesson(), cache(), false);
  }

  @Test
  void theKeyCoversOptionsAndSourcesWithoutAmbiguity() {
    ClassCache cache = cache();
    String key = cache.key(List.of("--release", "17"), List.of("class A {}", "class B {}"));
    assertEquals(key, cache.key(List.of("--release", "17"), List.of("class A {}", "class B {}")));
    assertNotEquals(key, cache.key(List.of("--release", "17", "-Werror"), List.of("class A {}", "class B {}")));
    assertNotEquals(key, cache.key(List.of("--release", "17"), List.of("class A {}class B {}")));
    assertNotEquals(key, cache.key(List.of("--release", "17"), List.of("class B {}", "class A {}")));
    assertNotEquals(key, new ClassCache(cache.directory(), RUNTIME + "x").key(List.of("--release", "17"), List.of("class A {}", "class B {}")));
  }

  @Test
  void aCacheThatCannotBeWrittenCompilesEveryTimeAndStillWorks() throws IOException {
    // A regular file where the cache's parent directory would be: no directory can be made there, even by root.
    Path blocker = Files.writeString(directory.resolve("not-a-directory"), "");
    ClassCache unwritable = new ClassCache(blocker.resolve("classes"), RUNTIME);
    double[] expected = trained(compile(lesson(), unwritable, true));
    assertArrayEquals(expected, trained(compile(lesson(), unwritable, true)));
    assertTrue(Files.isRegularFile(blocker));
  }

  @Test
  void theDirectoryKeepsTheMostRecentlyUsedEntries() throws IOException {
    ClassCache small = new ClassCache(directory.resolve("classes"), RUNTIME, 2);
    compile(lesson(), small, true);
    Path lessonEntry = onlyEntry();
    compile(List.of(Networks.java(Networks.resource("FashionMlp"), Precision.DOUBLE)), small, true);
    // Times set apart whatever the file system's resolution: the lesson's entry is the older one ...
    long now = System.currentTimeMillis();
    try (Stream<Path> entries = Files.list(directory.resolve("classes"))) {
      for (Path entry : entries.toList()) {
        Files.setLastModifiedTime(entry, FileTime.fromMillis(now - (entry.equals(lessonEntry) ? 60_000 : 50_000)));
      }
    }
    // ... until a hit marks it as used.
    compile(lesson(), small, false);
    assertTrue(Files.getLastModifiedTime(lessonEntry).toMillis() > now - 30_000);
    compile(widerLesson(), small, true);
    try (Stream<Path> entries = Files.list(directory.resolve("classes"))) {
      assertEquals(2, entries.count());
    }
    compile(lesson(), small, false);
    compile(widerLesson(), small, false);
    compile(List.of(Networks.java(Networks.resource("FashionMlp"), Precision.DOUBLE)), small, true);
  }

  @Test
  void twoRunsAtOnceEachGetAWorkingModelAndLeaveOneWholeEntry() throws Exception {
    double[] expected = trained(InMemoryCompiler.compile(lesson()));
    Thread[] threads = new Thread[2];
    double[][] results = new double[2][];
    Throwable[] failures = new Throwable[2];
    for (int t = 0; t < threads.length; t++) {
      int index = t;
      threads[t] = new Thread(() -> {
        try {
          results[index] = trained(InMemoryCompiler.compile(lesson(), cache()));
        } catch (Throwable e) {
          failures[index] = e;
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    for (int t = 0; t < threads.length; t++) {
      assertEquals(null, failures[t]);
      assertArrayEquals(expected, results[t]);
    }
    try (Stream<Path> entries = Files.list(directory.resolve("classes"))) {
      assertEquals(1, entries.count(), "no temporary file is left");
    }
    compile(lesson(), cache(), false);
  }

  @Test
  void itsDirectoryComesFromThePropertyThenTheVariableThenXdgThenHome() {
    assertEquals(Optional.of(Path.of("/p")), ClassCache.directory("/p", "/v", "/xdg", "/home/u"));
    assertEquals(Optional.of(Path.of("/v")), ClassCache.directory(null, "/v", "/xdg", "/home/u"));
    assertEquals(Optional.of(Path.of("/v")), ClassCache.directory("", "/v", "/xdg", "/home/u"));
    assertEquals(Optional.of(Path.of("/xdg/nabla/classes")), ClassCache.directory(null, null, "/xdg", "/home/u"));
    assertEquals(Optional.of(Path.of("/home/u/.cache/nabla/classes")), ClassCache.directory(null, null, null, "/home/u"));
    // A relative XDG_CACHE_HOME is to be ignored, says the XDG spec.
    assertEquals(Optional.of(Path.of("/home/u/.cache/nabla/classes")), ClassCache.directory(null, null, "cache", "/home/u"));
    assertEquals(Optional.empty(), ClassCache.directory(null, null, null, null));
  }

  @Test
  void offTurnsItOffWhereverItIsSaid() {
    assertEquals(Optional.empty(), ClassCache.directory("off", "/v", "/xdg", "/home/u"));
    assertEquals(Optional.empty(), ClassCache.directory(null, "off", "/xdg", "/home/u"));
    // The property, read first, can turn back on a cache the variable turned off (the tests' setting).
    assertEquals(Optional.of(Path.of("/p")), ClassCache.directory("/p", "off", null, null));
  }

  @Test
  void theRuntimesFingerprintIsAJarsPathSizeAndTimeAndNoneForADirectory() throws Exception {
    Path jar = Files.write(directory.resolve("nabla-runtime.jar"), new byte[1234]);
    Files.setLastModifiedTime(jar, FileTime.fromMillis(1_700_000_000_000L));
    String fingerprint = ClassCache.fingerprintOf(jar).orElseThrow();
    assertTrue(fingerprint.startsWith(jar.toAbsolutePath() + " 1234 "), fingerprint);
    Files.setLastModifiedTime(jar, FileTime.fromMillis(1_700_000_000_001L));
    assertNotEquals(fingerprint, ClassCache.fingerprintOf(jar).orElseThrow(), "a jar built anew");
    assertEquals(Optional.empty(), ClassCache.fingerprintOf(directory));
    assertEquals(Optional.empty(), ClassCache.fingerprintOf(directory.resolve("missing.jar")));
    // The runtime of these tests: its classes directory under `mvn test` (no fingerprint, so no cache unless one is
    // given), its jar under `mvn verify`.
    assertEquals(ClassCache.fingerprintOf(Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI())),
        ClassCache.runtimeFingerprint());
  }
}
