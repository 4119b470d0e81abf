package dev.nabla.maven;

import com.palantir.javapoet.JavaFile;
import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.DiagnosticFormatter;
import dev.nabla.failure.BugReport;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.runtime.io.FileKind;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The work of {@code nabla:generate}, without Maven: finds the specs, regenerates those that are
 * stale, removes what deleted specs generated, and records what it did for the next run.
 *
 * <p>A spec is stale when its content hash differs from the recorded one, when one of its outputs is
 * gone, or when anything else that shapes the output changed (the plugin's version, the precision,
 * the package setting, the output directories): then every spec is. A file is only written when its
 * content changes, so an IDE or an incremental compiler sees no change where there is none.
 *
 * <p>A spec with errors does not stop the others: every spec is tried and every error collected.
 */
public final class SpecGenerator {

  /**
   * A bug in nabla met while generating {@code file}: every problem a spec can have is a {@link
   * SpecError}, so whatever else is thrown is reported as nabla's, with what to send.
   */
  public static final class InternalFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InternalFailure(Path file, Throwable cause) {
      super(BugReport.describe(cause, "nabla:generate on " + file), cause);
    }
  }

  /** Where progress goes: the mojo passes Maven's log. */
  public interface Log {
    void info(String message);

    void debug(String message);
  }

  private final GenerationRequest request;
  private final Log log;

  /** Text to checked network: the pipeline's front end, replaceable in tests to provoke a bug. */
  private final java.util.function.Function<SourceFile, Network> frontEnd;

  public SpecGenerator(GenerationRequest request, Log log) {
    this(request, log, source -> Networks.requirePrediction(Networks.fromSpec(source)));
  }

  SpecGenerator(GenerationRequest request, Log log, java.util.function.Function<SourceFile, Network> frontEnd) {
    this.request = request;
    this.log = log;
    this.frontEnd = frontEnd;
  }

  /**
   * Brings the output directories up to date with the specs.
   *
   * @throws IOException when a spec cannot be read or an output or the state cannot be written
   */
  public GenerationResult run() throws IOException {
    Path sourceDirectory = request.sourceDirectory();
    List<Path> specs = new SpecFiles(request.includes(), request.excludes()).scan(sourceDirectory);
    if (!Files.isDirectory(sourceDirectory)) {
      log.info("No nabla specs: " + sourceDirectory + " does not exist");
    } else if (specs.isEmpty()) {
      log.info("No nabla specs in " + sourceDirectory);
    }

    GenerationState previous = GenerationState.read(request.stateFile()).orElse(GenerationState.empty());
    boolean settingsChanged = !previous.fingerprint().equals(request.fingerprint());
    if (settingsChanged && !previous.specs().isEmpty()) {
      log.info("nabla: the plugin or its settings changed since the last run; regenerating every spec");
      log.debug("was: " + previous.fingerprint() + "; now: " + request.fingerprint());
    }

    Map<String, GenerationState.Entry> next = new TreeMap<>();
    Map<Path, String> owners = new HashMap<>();
    List<Path> generated = new ArrayList<>();
    List<Path> upToDate = new ArrayList<>();
    List<Path> written = new ArrayList<>();
    List<SpecError> errors = new ArrayList<>();

    for (Path relative : specs) {
      String key = SpecFiles.slashes(relative);
      Path file = sourceDirectory.resolve(relative);
      byte[] bytes = Files.readAllBytes(file);
      String hash = sha256(bytes);
      GenerationState.Entry before = previous.specs().get(key);
      if (!settingsChanged && before != null && before.hash().equals(hash) && before.outputs().stream().allMatch(Files::isRegularFile)
          && before.outputs().stream().noneMatch(owners::containsKey)) {
        before.outputs().forEach(output -> owners.put(output, key));
        next.put(key, before);
        upToDate.add(relative);
        continue;
      }
      List<SpecError> specErrors = new ArrayList<>();
      Map<Path, String> sources;
      try {
        sources = generate(relative, file, specErrors);
      } catch (RuntimeException | StackOverflowError e) {
        throw new InternalFailure(file, e);
      }
      for (Path output : sources.keySet()) {
        String other = owners.get(output);
        if (other != null) {
          specErrors.add(new SpecError(file, 0, 0, "generates " + output.getFileName() + ", which " + other
              + " generates too; give one of the models another name or put it in another package", null));
        }
      }
      if (!specErrors.isEmpty()) {
        errors.addAll(specErrors);
        // Keep what it generated before on record, so that it is cleaned up once the spec is gone or fixed.
        next.put(key, new GenerationState.Entry(GenerationState.FAILED, before == null ? List.of() : before.outputs()));
        continue;
      }
      for (Map.Entry<Path, String> source : sources.entrySet()) {
        owners.put(source.getKey(), key);
        if (writeIfChanged(source.getKey(), source.getValue())) {
          written.add(source.getKey());
        }
      }
      next.put(key, new GenerationState.Entry(hash, List.copyOf(sources.keySet())));
      generated.add(relative);
    }

    List<Path> deleted = deleteOrphans(previous, next);
    new GenerationState(request.fingerprint(), next).write(request.stateFile());
    if (!generated.isEmpty() || !deleted.isEmpty()) {
      log.info("nabla: generated " + generated.size() + (generated.size() == 1 ? " spec" : " specs") + " ("
          + written.size() + " files written), " + upToDate.size() + " up to date, " + deleted.size()
          + " stale files removed; output in " + request.outputDirectory());
    } else if (!upToDate.isEmpty()) {
      log.info("nabla: all " + upToDate.size() + (upToDate.size() == 1 ? " spec is" : " specs are") + " up to date");
    }
    return new GenerationResult(generated, upToDate, written, deleted, errors);
  }

  /** The Java sources of one spec by output path, or nothing with its errors added to {@code errors}. */
  private Map<Path, String> generate(Path relative, Path file, List<SpecError> errors) throws IOException {
    log.debug("nabla: generating " + file);
    String kind = FileKind.describeBinary(file);
    if (kind != null) {
      // A checkpoint or a data file named *.nabla would otherwise come out as pages of syntax errors.
      errors.add(new SpecError(file, 0, 0, "this is " + kind + ", not a spec", null));
      return Map.of();
    }
    // Read as the CLI reads: bad UTF-8 becomes U+FFFD, reported where it stands. The generated file
    // names its spec relative to the source directory, so that it does not depend on where the
    // project is checked out; errors name the absolute path, which IDEs and terminals link to.
    String text = SourceFile.read(file).text();
    SourceFile source = new SourceFile(SpecFiles.slashes(relative), text);
    SourceFile located = new SourceFile(file.toString(), text);
    String packageName = request.packageName() != null ? request.packageName() : packageOf(relative);
    CodegenOptions options;
    try {
      options = CodegenOptions.of(packageName).withPrecision(request.precision()).withTests(request.generateTests())
          .withBackend(request.backend());
    } catch (IllegalArgumentException e) {
      String origin = request.packageName() != null ? "the configured packageName" : "the folder "
          + SpecFiles.slashes(relative.getParent()) + " under " + request.sourceDirectory();
      errors.add(new SpecError(file, 0, 0, "cannot use the package '" + packageName + "' (from " + origin + "): "
          + e.getMessage() + (request.packageName() == null ? "; move the spec or set packageName" : ""), null));
      return Map.of();
    }
    List<JavaFile> javaFiles;
    try {
      Network network = frontEnd.apply(source);
      javaFiles = JavaWriter.writeAll(network, Differentiator.parameters(network), options);
    } catch (DiagnosticException e) {
      for (Diagnostic diagnostic : e.diagnostics()) {
        if (diagnostic.isError()) {
          boolean known = diagnostic.span().isKnown();
          errors.add(new SpecError(file, known ? diagnostic.span().line() : 0, known ? diagnostic.span().column() : 0,
              diagnostic.message(), DiagnosticFormatter.format(new Diagnostic(diagnostic.severity(), located,
                  diagnostic.span(), diagnostic.message(), diagnostic.hints()))));
        }
      }
      return Map.of();
    } catch (IllegalArgumentException e) {
      // The code writer's refusals (a model name that is no class name, an unknown shape) are user-facing.
      errors.add(new SpecError(file, 0, 0, e.getMessage(), null));
      return Map.of();
    }
    Map<Path, String> sources = new LinkedHashMap<>();
    for (int i = 0; i < javaFiles.size(); i++) {
      JavaFile javaFile = javaFiles.get(i);
      // writeAll puts the model first, then its test.
      Path root = i == 0 ? request.outputDirectory() : request.testOutputDirectory();
      Path directory = javaFile.packageName().isEmpty() ? root : root.resolve(javaFile.packageName().replace('.', '/'));
      sources.put(directory.resolve(javaFile.typeSpec().name() + ".java").normalize(), javaFile.toString());
    }
    return sources;
  }

  /** {@code com/acme/net.nabla} → {@code com.acme}; a spec directly in the source directory is in the default package. */
  static String packageOf(Path relative) {
    Path parent = relative.getParent();
    return parent == null ? "" : SpecFiles.slashes(parent).replace('/', '.');
  }

  private static boolean writeIfChanged(Path file, String content) throws IOException {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
      return false;
    }
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    return true;
  }

  /** Removes what the last run generated that no spec generates now, and the package folders that leaves empty. */
  private List<Path> deleteOrphans(GenerationState previous, Map<String, GenerationState.Entry> next) throws IOException {
    Set<Path> kept = new HashSet<>();
    next.values().forEach(entry -> kept.addAll(entry.outputs()));
    List<Path> deleted = new ArrayList<>();
    for (GenerationState.Entry entry : previous.specs().values()) {
      for (Path output : entry.outputs()) {
        if (!kept.contains(output) && Files.deleteIfExists(output)) {
          deleted.add(output);
          log.debug("nabla: removed " + output);
          pruneEmptyFolders(output.getParent());
        }
      }
    }
    deleted.sort(null);
    return deleted;
  }

  private void pruneEmptyFolders(Path folder) throws IOException {
    for (Path dir = folder; dir != null && !dir.equals(request.outputDirectory()) && !dir.equals(request.testOutputDirectory())
        && (dir.startsWith(request.outputDirectory()) || dir.startsWith(request.testOutputDirectory())); dir = dir.getParent()) {
      try {
        if (!Files.deleteIfExists(dir)) {
          return;
        }
      } catch (DirectoryNotEmptyException e) {
        return;
      }
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
