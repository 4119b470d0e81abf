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
  @ValueSource(strings = {"FashionMlp", "Exercise4", "Blocks", "TinyCnn"})
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
   * One golden for both kernel sets: the kernels are the runtime's, chosen when the class runs, so the
   * deprecated {@code --backend vector} writes the very same class, and it compiles with no module added.
   */
  @ParameterizedTest
  @ValueSource(strings = {"FashionMlp", "Exercise4", "Blocks", "TinyCnn"})
  void theVectorBackendWritesTheSameClassWithNoIncubatorImport(String name) {
    String scalar = Networks.java(Networks.resource(name), CodegenOptions.Precision.FLOAT).toString();
    String vector = Networks.java(Networks.resource(name), CodegenOptions.Precision.FLOAT, CodegenOptions.Backend.VECTOR).toString();
    assertEquals(scalar, vector);
    for (String banned : List.of("jdk\\.incubator", "\\bThread\\b", "\\bLockSupport\\b")) {
      assertEquals(false, java.util.regex.Pattern.compile(banned).matcher(scalar).find(), name + " mentions " + banned);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"FashionMlp", "Exercise4", "Blocks", "TinyCnn"})
  void doublePrecisionCompilesWithoutWarnings(String name) {
    JavaFile file = Networks.java(Networks.resource(name), CodegenOptions.Precision.DOUBLE);
    Compilation compilation = Compiler.javac()
        .withOptions("--release", "17", "-Xlint:all", "-Werror")
        .compile(JavaFileObjects.forSourceString(Networks.PACKAGE + "." + name, file.toString()));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @ParameterizedTest
  @ValueSource(strings = {"FashionMlp", "Exercise4", "Blocks", "TinyCnn"})
  void generationIsDeterministic(String name) {
    assertEquals(Networks.java(Networks.resource(name), CodegenOptions.Precision.FLOAT).toString(),
        Networks.java(Networks.resource(name), CodegenOptions.Precision.FLOAT).toString());
  }
}
