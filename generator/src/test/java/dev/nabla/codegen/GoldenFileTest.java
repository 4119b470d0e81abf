package dev.nabla.codegen;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import com.palantir.javapoet.JavaFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated class of each spec in {@code src/test/resources/codegen/good}: it compiles without a
 * warning and equals its golden file in {@code expected/}. To refresh the goldens after a deliberate
 * change, run the tests with {@code -Dnabla.updateGoldens=true} (or {@code NABLA_UPDATE_GOLDENS=true})
 * and review the diff.
 */
class GoldenFileTest {
  private static final Path EXPECTED = Path.of("src/test/resources/codegen/expected");

  static boolean updating() {
    return Boolean.getBoolean("nabla.updateGoldens") || "true".equals(System.getenv("NABLA_UPDATE_GOLDENS"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"FashionMlp", "Exercise4", "Blocks"})
  void generatedClassCompilesWithoutWarningsAndMatchesItsGolden(String name) throws IOException {
    JavaFile file = Networks.java(Networks.resource(name), CodegenOptions.Precision.FLOAT);
    String source = file.toString();
    Compilation compilation = Compiler.javac()
        .withOptions("--release", "17", "-Xlint:all", "-Werror")
        .compile(JavaFileObjects.forSourceString(Networks.PACKAGE + "." + name, source));
    assertThat(compilation).succeededWithoutWarnings();
    Path golden = EXPECTED.resolve(name + ".java");
    if (updating()) {
      Files.createDirectories(EXPECTED);
      Files.writeString(golden, source, StandardCharsets.UTF_8);
    }
    assertEquals(Files.exists(golden) ? Files.readString(golden, StandardCharsets.UTF_8) : "(no golden file " + golden + ")", source,
        "generated " + name + " differs from its golden file; if the change is meant, run with -Dnabla.updateGoldens=true");
  }

  /**
   * The vector backend's classes: javac 17 notes that their module is incubating whatever the options
   * (it is not a lint warning), so the test allows that one warning and no other.
   */
  @ParameterizedTest
  @ValueSource(strings = {"FashionMlp"})
  void vectorBackendCompilesWithOnlyTheIncubatingNoticeAndMatchesItsGolden(String name) throws IOException {
    JavaFile file = Networks.java(Networks.resource(name), CodegenOptions.Precision.FLOAT, CodegenOptions.Backend.VECTOR);
    String source = file.toString();
    Compilation compilation = Compiler.javac()
        .withOptions("--release", "17", "--add-modules", "jdk.incubator.vector", "-Xlint:all")
        .compile(JavaFileObjects.forSourceString(Networks.PACKAGE + "." + name, source));
    assertThat(compilation).succeeded();
    assertEquals(List.of("compiler.warn.incubating.modules"), compilation.warnings().stream().map(d -> d.getCode()).toList());
    Path golden = EXPECTED.resolve("vector").resolve(name + ".java");
    if (updating()) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, source, StandardCharsets.UTF_8);
    }
    assertEquals(Files.exists(golden) ? Files.readString(golden, StandardCharsets.UTF_8) : "(no golden file " + golden + ")", source,
        "generated " + name + " (vector backend) differs from its golden file; if the change is meant, run with -Dnabla.updateGoldens=true");
  }

  @ParameterizedTest
  @ValueSource(strings = {"FashionMlp", "Exercise4", "Blocks"})
  void doublePrecisionCompilesWithoutWarnings(String name) {
    JavaFile file = Networks.java(Networks.resource(name), CodegenOptions.Precision.DOUBLE);
    Compilation compilation = Compiler.javac()
        .withOptions("--release", "17", "-Xlint:all", "-Werror")
        .compile(JavaFileObjects.forSourceString(Networks.PACKAGE + "." + name, file.toString()));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @ParameterizedTest
  @ValueSource(strings = {"FashionMlp", "Exercise4", "Blocks"})
  void generationIsDeterministic(String name) {
    assertEquals(Networks.java(Networks.resource(name), CodegenOptions.Precision.FLOAT).toString(),
        Networks.java(Networks.resource(name), CodegenOptions.Precision.FLOAT).toString());
  }
}
