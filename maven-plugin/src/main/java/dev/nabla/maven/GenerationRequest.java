package dev.nabla.maven;

import dev.nabla.codegen.CodegenOptions.Backend;
import dev.nabla.codegen.CodegenOptions.Precision;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to generate: the mojo's parameters, resolved to paths.
 *
 * @param sourceDirectory where the specs are; a spec's folder below it gives its package
 * @param outputDirectory where the model classes go
 * @param testOutputDirectory where the generated gradient-check tests go
 * @param includes Ant patterns of the specs to take, relative to {@code sourceDirectory}
 * @param excludes Ant patterns of the specs to leave out
 * @param packageName the package of every generated class, or {@code null} to take it from the spec's folder
 * @param precision float or double arithmetic
 * @param backend the kernels' loop forms: plain Java, or the incubating Vector API
 * @param generateTests whether to write a JUnit 5 gradient-check test per model
 * @param generatorVersion the plugin's version (and, for a snapshot, its build): a change regenerates everything
 * @param stateFile where the record of the last run is kept
 */
public record GenerationRequest(
    Path sourceDirectory,
    Path outputDirectory,
    Path testOutputDirectory,
    List<String> includes,
    List<String> excludes,
    String packageName,
    Precision precision,
    Backend backend,
    boolean generateTests,
    String generatorVersion,
    Path stateFile) {

  public GenerationRequest {
    sourceDirectory = sourceDirectory.toAbsolutePath().normalize();
    outputDirectory = outputDirectory.toAbsolutePath().normalize();
    testOutputDirectory = testOutputDirectory.toAbsolutePath().normalize();
    includes = includes == null ? List.of() : List.copyOf(includes);
    excludes = excludes == null ? List.of() : List.copyOf(excludes);
    packageName = packageName == null || packageName.isBlank() ? null : packageName.strip();
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(generatorVersion, "generatorVersion");
    stateFile = stateFile.toAbsolutePath().normalize();
  }

  /** Everything besides the specs' text that the generated files depend on. */
  String fingerprint() {
    return String.join("|", "generator=" + generatorVersion, "precision=" + precision, "backend=" + backend,
        "package=" + (packageName == null ? "<folders>" : packageName), "tests=" + generateTests,
        "out=" + outputDirectory, "testOut=" + testOutputDirectory);
  }
}
