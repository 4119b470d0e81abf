package dev.nabla.cli;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.InMemoryCompiler;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Network;
import java.util.List;

/** A network's generated class, compiled in memory (javax.tools) and instantiated. */
final class CompiledModels {
  /** The package generated classes get when the user names none. */
  static final String DEFAULT_PACKAGE = "dev.nabla.generated";

  private CompiledModels() {}

  static <T extends Trainable> T compile(Network network, CodegenOptions.Precision precision, int maxBatch, Class<T> type) {
    CodegenOptions options = CodegenOptions.of(DEFAULT_PACKAGE).withPrecision(precision);
    var file = JavaWriter.write(network, Differentiator.parameters(network), options);
    ClassLoader loader = InMemoryCompiler.compile(List.of(file));
    return InMemoryCompiler.instantiate(loader, DEFAULT_PACKAGE + "." + file.typeSpec().name(), maxBatch, type);
  }
}
