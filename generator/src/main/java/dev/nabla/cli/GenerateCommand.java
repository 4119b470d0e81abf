package dev.nabla.cli;

import com.palantir.javapoet.JavaFile;
import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nabla generate}: the specialized Java class of each spec, written to a source directory. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Write each spec's generated Java class (forward, backward, trainStep) under DIR.",
        "Classes go in package directories and need only nabla-runtime. All specs are checked before anything is written."},
    footer = {"", "Examples:",
        "  nabla generate examples/fashion_mlp.nabla -d src/generated/java --package com.acme.nets",
        "  nabla generate examples/*.nabla -d out --precision double --with-tests",
        "  (run the classes with --add-modules jdk.incubator.vector for the Vector API kernels; they compile without it)"})
final class GenerateCommand implements Callable<Integer> {

  @Parameters(paramLabel = "FILE", arity = "1..*", description = ".nabla spec files.")
  List<String> files;

  @Option(names = {"-d", "--directory"}, required = true, paramLabel = "DIR", description = "The source root to write into.")
  Path directory;

  @Option(names = "--package", paramLabel = "P", defaultValue = CompiledModels.DEFAULT_PACKAGE, description = "The package of the generated classes. Default: ${DEFAULT-VALUE}.")
  String packageName;

  @Option(names = "--precision", defaultValue = "float", paramLabel = "float|double", description = "float (for training) or double (for checks). Default: ${DEFAULT-VALUE}.")
  String precision;

  @Option(names = "--backend", paramLabel = "scalar|vector",
      description = "Deprecated and ignored: a generated class runs on the runtime's kernels, chosen when it runs (the Vector API"
          + " ones when the JVM has jdk.incubator.vector); -Dnabla.kernels=scalar|vector forces one set.")
  String backend;

  @Option(names = "--with-tests", description = "Also write a JUnit 5 gradient-check test next to each class.")
  boolean withTests;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    CodegenOptions.Precision chosen = switch (precision.toLowerCase(java.util.Locale.ROOT)) {
      case "float" -> CodegenOptions.Precision.FLOAT;
      case "double" -> CodegenOptions.Precision.DOUBLE;
      default -> throw UserError.badInput("--precision is float or double, not " + precision);
    };
    CodegenOptions options;
    try {
      options = CodegenOptions.of(packageName).withPrecision(chosen).withTests(withTests);
      if (backend != null) {
        CompiledModels.backend(backend);
        spec.commandLine().getErr().println("nabla: --backend is deprecated and changes nothing: the runtime chooses its kernels"
            + " when the class runs (-Dnabla.kernels=scalar|vector forces one set)");
      }
    } catch (IllegalArgumentException e) {
      throw UserError.badInput("--package " + packageName + ": " + e.getMessage());
    }
    // Every spec is generated before anything is written, so that two specs of one model name are
    // refused rather than the second silently replacing the first.
    Map<Path, JavaFile> generated = new LinkedHashMap<>();
    Map<Path, String> writtenBy = new HashMap<>();
    for (String file : files) {
      Network network = Networks.requirePrediction(Networks.fromSpec(NetworkSource.read(file)));
      List<JavaFile> javaFiles;
      try {
        javaFiles = JavaWriter.writeAll(network, Differentiator.parameters(network), options);
      } catch (dev.nabla.codegen.UnsupportedSpecException e) {
        throw UserError.badInput(file + ":" + (e.position().isEmpty() ? " " : e.position()) + e.getMessage());
      }
      for (JavaFile javaFile : javaFiles) {
        Path target = target(javaFile);
        String other = writtenBy.putIfAbsent(target, file);
        if (other != null) {
          throw UserError.badInput(file + " and " + other + " both generate " + target + " (model " + network.name()
              + "); give one of the models another name, or generate them into different packages");
        }
        generated.put(target, javaFile);
      }
    }
    var out = spec.commandLine().getOut();
    for (Map.Entry<Path, JavaFile> entry : generated.entrySet()) {
      GraphCommand.writeAtomically(entry.getKey(), entry.getValue().toString().getBytes(StandardCharsets.UTF_8));
      out.println("wrote " + entry.getKey());
    }
    out.flush();
    return Nabla.OK;
  }

  private Path target(JavaFile javaFile) {
    Path packageDir = javaFile.packageName().isEmpty() ? directory : directory.resolve(javaFile.packageName().replace('.', '/'));
    return packageDir.resolve(javaFile.typeSpec().name() + ".java");
  }
}
