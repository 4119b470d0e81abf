package dev.nabla.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions.Backend;
import dev.nabla.codegen.CodegenOptions.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mojo's logic without Maven: scanning, staleness, generation, deletion, the state file, errors. */
class SpecGeneratorTest {

  private static final String TINY = """
      # a 4-3-2 classifier
      model Tiny
      input  x[4]
      label  y : 2
      param  W1[3, 4]
      param  b1[3]
      param  W2[2, 3]
      param  b2[2]
      out  = logsoftmax(W2 relu(W1 x + b1) + b2)
      loss = nll(out, y)
      """;

  private static final String REGRESSION = """
      model Line
      input  x[2]
      target t[1]
      param  w[1, 2]
      param  b[1]
      out  = w x + b
      loss = mse(out, t)
      """;

  @TempDir
  Path project;

  private Path sources;
  private Path out;
  private Path testOut;
  private Path state;
  private final List<String> logged = new ArrayList<>();

  @BeforeEach
  void layout() {
    sources = project.resolve("src/main/nabla");
    out = project.resolve("target/generated-sources/nabla");
    testOut = project.resolve("target/generated-test-sources/nabla");
    state = project.resolve("target/nabla-maven-plugin/default.state");
  }

  private GenerationRequest request(String version, String packageName, boolean tests, List<String> includes, List<String> excludes) {
    return new GenerationRequest(sources, out, testOut, includes, excludes, packageName, Precision.FLOAT, Backend.SCALAR, tests, version, state);
  }

  private GenerationResult run() throws IOException {
    return run(request("1.0", null, false, List.of(), List.of()));
  }

  private GenerationResult run(GenerationRequest request) throws IOException {
    return new SpecGenerator(request, new SpecGenerator.Log() {
      @Override
      public void info(String message) {
        logged.add(message);
      }

      @Override
      public void debug(String message) {}
    }).run();
  }

  private Path spec(String relative, String text) throws IOException {
    Path file = sources.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  /** Every generated file with its modification time, after setting them all to a time long past. */
  private Map<Path, FileTime> ageOutputs() throws IOException {
    Map<Path, FileTime> times = new TreeMap<>();
    FileTime past = FileTime.fromMillis(1_000_000_000_000L);
    for (Path root : List.of(out, testOut)) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Files.setLastModifiedTime(file, past);
          times.put(file, past);
        }
      }
    }
    return times;
  }

  private Map<Path, FileTime> times() throws IOException {
    Map<Path, FileTime> times = new TreeMap<>();
    for (Path root : List.of(out, testOut)) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          times.put(file, Files.getLastModifiedTime(file));
        }
      }
    }
    return times;
  }

  @Test
  void threeRunsGenerateAllThenNothingThenOnlyTheChangedSpec() throws IOException {
    spec("com/acme/tiny.nabla", TINY);
    spec("com/acme/line.nabla", REGRESSION);

    GenerationResult first = run();
    assertEquals(List.of(Path.of("com/acme/line.nabla"), Path.of("com/acme/tiny.nabla")), first.generated());
    assertEquals(List.of(), first.upToDate());
    assertEquals(2, first.written().size());
    Path tiny = out.resolve("com/acme/Tiny.java");
    Path line = out.resolve("com/acme/Line.java");
    assertTrue(Files.readString(tiny).contains("package com.acme;"));
    assertTrue(Files.readString(tiny).contains("public final class Tiny"));
    assertTrue(Files.isRegularFile(line));
    assertTrue(Files.isRegularFile(state));

    Map<Path, FileTime> aged = ageOutputs();
    GenerationResult second = run();
    assertEquals(List.of(), second.generated());
    assertEquals(2, second.upToDate().size());
    assertEquals(List.of(), second.written());
    assertEquals(aged, times(), "nothing rewritten");
    assertTrue(logged.contains("nabla: all 2 specs are up to date"), logged.toString());

    spec("com/acme/tiny.nabla", TINY.replace("W1[3, 4]", "W1[5, 4]").replace("b1[3]", "b1[5]").replace("W2[2, 3]", "W2[2, 5]"));
    GenerationResult third = run();
    assertEquals(List.of(Path.of("com/acme/tiny.nabla")), third.generated());
    assertEquals(List.of(Path.of("com/acme/line.nabla")), third.upToDate());
    assertEquals(List.of(tiny), third.written());
    assertEquals(aged.get(line), Files.getLastModifiedTime(line), "the unchanged spec's class is not rewritten");
    assertTrue(Files.readString(tiny).contains("W1"));
  }

  @Test
  void aCommentOnlyChangeRegeneratesButRewritesOnlyWhatDiffers() throws IOException {
    spec("tiny.nabla", TINY);
    run();
    spec("tiny.nabla", TINY + "# another comment\n");
    GenerationResult again = run();
    assertEquals(1, again.generated().size());
    // The spec text is quoted in the class's Javadoc, so the class does change.
    assertEquals(List.of(out.resolve("Tiny.java")), again.written());
  }

  @Test
  void aDeletedSpecsOutputsGoAway() throws IOException {
    Path tinySpec = spec("com/acme/tiny.nabla", TINY);
    spec("org/other/line.nabla", REGRESSION);
    run(request("1.0", null, true, List.of(), List.of()));
    assertTrue(Files.isRegularFile(out.resolve("com/acme/Tiny.java")));
    assertTrue(Files.isRegularFile(testOut.resolve("com/acme/TinyGradientTest.java")));

    Files.delete(tinySpec);
    GenerationResult after = run(request("1.0", null, true, List.of(), List.of()));
    assertEquals(List.of(), after.generated());
    assertEquals(List.of(out.resolve("com/acme/Tiny.java"), testOut.resolve("com/acme/TinyGradientTest.java")), after.deleted());
    assertFalse(Files.exists(out.resolve("com")), "empty package folders are removed too");
    assertTrue(Files.isRegularFile(out.resolve("org/other/Line.java")));
  }

  @Test
  void aNewPluginVersionRegeneratesEverything() throws IOException {
    spec("a/tiny.nabla", TINY);
    spec("b/line.nabla", REGRESSION);
    run(request("1.0", null, false, List.of(), List.of()));
    GenerationResult same = run(request("1.0", null, false, List.of(), List.of()));
    assertEquals(0, same.generated().size());

    GenerationResult upgraded = run(request("1.1", null, false, List.of(), List.of()));
    assertEquals(2, upgraded.generated().size());
    assertEquals(0, upgraded.upToDate().size());
    assertTrue(logged.stream().anyMatch(m -> m.contains("regenerating every spec")), logged.toString());
  }

  @Test
  void changedSettingsRegenerateAndDropWhatIsNoLongerWanted() throws IOException {
    spec("a/tiny.nabla", TINY);
    run(request("1.0", null, true, List.of(), List.of()));
    Path test = testOut.resolve("a/TinyGradientTest.java");
    assertTrue(Files.isRegularFile(test));

    GenerationResult withoutTests = run(request("1.0", null, false, List.of(), List.of()));
    assertEquals(1, withoutTests.generated().size());
    assertEquals(List.of(test), withoutTests.deleted());

    GenerationResult otherPackage = run(request("1.0", "dev.example.nets", false, List.of(), List.of()));
    assertEquals(List.of(out.resolve("a/Tiny.java")), otherPackage.deleted());
    assertTrue(Files.readString(out.resolve("dev/example/nets/Tiny.java")).contains("package dev.example.nets;"));
  }

  @Test
  void aMissingOutputIsRegenerated() throws IOException {
    spec("tiny.nabla", TINY);
    run();
    Files.delete(out.resolve("Tiny.java"));
    GenerationResult again = run();
    assertEquals(List.of(Path.of("tiny.nabla")), again.generated());
    assertTrue(Files.isRegularFile(out.resolve("Tiny.java")));
  }

  @Test
  void aBadSpecFailsWithEveryErrorsPositionAndTheOthersAreStillGenerated() throws IOException {
    Path bad = spec("com/acme/bad.nabla", """
        model Bad
        input  x[4]
        label  y : 2
        param  W1[3, 4]
        out  = logsoftmax(W2 relu(W1 x))
        loss = nll(out, y)
        """);
    spec("com/acme/tiny.nabla", TINY);

    GenerationResult result = run();
    assertEquals(List.of(Path.of("com/acme/tiny.nabla")), result.generated());
    assertFalse(result.errors().isEmpty());
    SpecError first = result.errors().get(0);
    assertEquals(bad.toAbsolutePath(), first.file());
    assertEquals(5, first.line());
    assertEquals(19, first.column());
    assertTrue(first.headline().startsWith(bad.toAbsolutePath() + ":5:19: error: "), first.headline());
    assertTrue(first.message().contains("W2"), first.message());
    assertTrue(first.formatted().contains("out  = logsoftmax(W2 relu(W1 x))"), first.formatted());
    assertTrue(first.formatted().contains("^"), first.formatted());
    assertFalse(Files.exists(out.resolve("com/acme/Bad.java")));
    assertTrue(new SpecFailureException(result.errors()).getMessage().contains(":5:19: error:"));

    // A failed spec is tried again next time, even unchanged, and still fails.
    GenerationResult again = run();
    assertEquals(result.errors(), again.errors());
    assertEquals(List.of(Path.of("com/acme/tiny.nabla")), again.upToDate());
  }

  /** A bug in nabla (here a front end that throws) is reported as nabla's, naming the spec and what to send. */
  @Test
  void aBugIsReportedAsAnInternalErrorNamingTheSpec() throws IOException {
    Path tiny = spec("tiny.nabla", TINY);
    SpecGenerator generator = new SpecGenerator(request("1.0", null, false, List.of(), List.of()), new SpecGenerator.Log() {
      @Override
      public void info(String message) {}

      @Override
      public void debug(String message) {}
    }, source -> {
      throw new IllegalStateException("a bug for the test");
    });
    SpecGenerator.InternalFailure failure = org.junit.jupiter.api.Assertions.assertThrows(SpecGenerator.InternalFailure.class, generator::run);
    List<String> lines = failure.getMessage().lines().toList();
    assertEquals("internal error: a bug in nabla, not a problem with your input, while running nabla:generate on " + tiny, lines.get(0));
    assertTrue(lines.get(1).contains("please report it"), failure.getMessage());
    assertTrue(lines.get(2).startsWith("    nabla ") && lines.get(2).contains("Java " + System.getProperty("java.version")), lines.get(2));
    assertEquals("    java.lang.IllegalStateException: a bug for the test", lines.get(3));
    assertTrue(lines.get(4).startsWith("      at dev.nabla.maven.SpecGeneratorTest"), failure.getMessage());
  }

  /** Issue 18, items 1 and 3: what used to reach the plugin as a NullPointerException with no file or line. */
  @Test
  void specsAsUsersWriteThemGenerateOrFailWithALine() throws IOException {
    spec("com/acme/pred.nabla", """
        model Pred
        input x[3]
        target t[1]
        param w[1, 3]
        pred = sigmoid(w x)
        loss = bce(pred, t)
        """);
    spec("com/acme/unsized.nabla", """
        model Unsized
        input x[5]
        label y : 3
        param W1[h, 5]
        param W2[3, h]
        loss = cross_entropy(W2 relu(W1 x), y)
        """);
    GenerationResult result = run();
    assertEquals(List.of(Path.of("com/acme/pred.nabla")), result.generated());
    assertEquals(1, result.errors().size(), result.errors().toString());
    SpecError error = result.errors().get(0);
    assertEquals(4, error.line());
    assertEquals(10, error.column());
    assertTrue(error.message().startsWith("dimension h (of W1) is never given a size"), error.message());
  }

  @Test
  void aCheckpointNamedLikeASpecIsNamedForWhatItIsNotParsed() throws Exception {
    Path checkpoint = spec("com/acme/tiny.nabla", TINY).resolveSibling("old-checkpoint.nabla");
    dev.nabla.runtime.checkpoint.CheckpointFile.save(checkpoint, new dev.nabla.runtime.checkpoint.Checkpoint("FashionMlp",
        "hash", dev.nabla.runtime.ModelInfo.Precision.FLOAT, List.of(new dev.nabla.runtime.ModelInfo.Parameter("W", new int[] {2})),
        List.of(new double[] {1, 2}), null));

    GenerationResult result = run();
    assertEquals(List.of(Path.of("com/acme/tiny.nabla")), result.generated());
    assertEquals(1, result.errors().size(), result.errors().toString());
    assertEquals(checkpoint.toAbsolutePath() + ": error: this is a nabla checkpoint (model FashionMlp), not a spec",
        result.errors().get(0).headline());
  }

  @Test
  void allErrorsOfASpecAreReported() throws IOException {
    spec("two.nabla", """
        model Two
        input  x[4]
        label  y : 2
        out  = logsoftmax(A x)
        loss = nll(out, z)
        """);
    GenerationResult result = run();
    assertEquals(2, result.errors().size(), result.errors().toString());
    assertEquals(4, result.errors().get(0).line());
    assertEquals(5, result.errors().get(1).line());
  }

  @Test
  void aFolderThatIsNoPackageIsAnErrorNamingTheFolder() throws IOException {
    spec("my-nets/tiny.nabla", TINY);
    GenerationResult result = run();
    assertEquals(1, result.errors().size());
    SpecError error = result.errors().get(0);
    assertEquals(0, error.line());
    assertTrue(error.message().contains("'my-nets'") && error.message().contains("the folder my-nets"), error.message());
    assertTrue(error.headline().startsWith(sources.resolve("my-nets/tiny.nabla") + ": error: "), error.headline());
  }

  @Test
  void twoSpecsOfOneClassAreAnError() throws IOException {
    spec("p/one.nabla", TINY);
    spec("p/two.nabla", TINY);
    GenerationResult result = run();
    assertEquals(1, result.generated().size());
    assertEquals(1, result.errors().size());
    assertTrue(result.errors().get(0).message().contains("Tiny.java, which p/one.nabla generates too"), result.errors().get(0).message());
  }

  @Test
  void aMissingSourceDirectoryIsOnlyAnInfoLine() throws IOException {
    GenerationResult result = run();
    assertEquals(List.of(), result.generated());
    assertEquals(List.of(), result.errors());
    assertTrue(logged.stream().anyMatch(m -> m.contains("does not exist")), logged.toString());
  }

  @Test
  void includesAndExcludesSelectSpecs() throws IOException {
    spec("a/tiny.nabla", TINY);
    spec("a/draft/line.nabla", REGRESSION);
    spec("a/notes.txt", "not a spec");
    GenerationResult result = run(request("1.0", null, false, List.of(), List.of("**/draft/**")));
    assertEquals(List.of(Path.of("a/tiny.nabla")), result.generated());
    GenerationResult onlyLine = run(request("1.0", null, false, List.of("a/draft/*.nabla"), List.of()));
    assertEquals(List.of(Path.of("a/draft/line.nabla")), onlyLine.generated());
    assertEquals(List.of(out.resolve("a/Tiny.java")), onlyLine.deleted());
  }

  @Test
  void antPatterns() {
    SpecFiles all = new SpecFiles(List.of(), List.of());
    assertTrue(all.matches(Path.of("net.nabla")));
    assertTrue(all.matches(Path.of("com/acme/net.nabla")));
    assertFalse(all.matches(Path.of("com/acme/net.nabla.bak")));
    SpecFiles some = new SpecFiles(List.of("com/*/n?t.nabla"), List.of("com/x/"));
    assertTrue(some.matches(Path.of("com/acme/net.nabla")));
    assertFalse(some.matches(Path.of("com/acme/deep/net.nabla")));
    assertFalse(some.matches(Path.of("com/x/net.nabla")));
  }

  @Test
  void anUnreadableStateFileRegeneratesEverything() throws IOException {
    spec("tiny.nabla", TINY);
    run();
    Files.writeString(state, "garbage\n");
    assertEquals(1, run().generated().size());
    assertEquals(0, run().generated().size());
  }

  @Test
  void anUnwritableOutputDirectoryIsAnIOException() throws IOException {
    spec("tiny.nabla", TINY);
    Files.createDirectories(out.getParent());
    Files.writeString(out, "a file where the output directory should be");
    org.junit.jupiter.api.Assertions.assertThrows(IOException.class, this::run);
  }
}
