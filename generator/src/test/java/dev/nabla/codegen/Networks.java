package dev.nabla.codegen;

import com.palantir.javapoet.JavaFile;
import dev.nabla.grammar.SpecParser;
import dev.nabla.runtime.Trainable;
import dev.nabla.grammar.ParseResult;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.SpecPrinter;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Lowering;
import dev.nabla.symbolic.Network;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Specs as text, turned into networks and Java for the tests. */
final class Networks {
  private Networks() {}

  static final String PACKAGE = "dev.nabla.generated";

  static Network parse(String name, String text) {
    ParseResult<Spec> parsed = SpecParser.parseSpec(new SourceFile(name, text));
    if (parsed.hasErrors()) {
      throw new AssertionError("spec " + name + " does not parse: " + parsed.diagnostics() + "\n" + text);
    }
    Spec spec = parsed.orThrow();
    return Lowering.lower(spec, SpecPrinter.print(spec));
  }

  /** A spec of src/test/resources/codegen/good. */
  static Network resource(String name) {
    return parse(name + ".nabla", read("/codegen/good/" + name + ".nabla"));
  }

  static String read(String resource) {
    try (InputStream in = Networks.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new AssertionError("missing test resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new instance of the compiled class {@code PACKAGE.name} for batches of {@code maxBatch} on {@code threads} threads. */
  static Trainable instantiate(ClassLoader loader, String name, int maxBatch, int threads) {
    try {
      Class<?> compiled = loader.loadClass(PACKAGE + "." + name);
      return (Trainable) compiled.getConstructor(int.class, int.class).newInstance(maxBatch, threads);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + name + ": " + e, e);
    }
  }

  static JavaFile java(Network network, CodegenOptions.Precision precision) {
    return java(network, precision, CodegenOptions.Backend.SCALAR);
  }

  static JavaFile java(Network network, CodegenOptions.Precision precision, CodegenOptions.Backend backend) {
    return JavaWriter.write(network, Differentiator.parameters(network), new CodegenOptions(PACKAGE, precision, false, backend));
  }
}
