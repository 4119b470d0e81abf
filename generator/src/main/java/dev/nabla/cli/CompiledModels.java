package dev.nabla.cli;

import dev.nabla.codegen.ClassCache;
import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.InMemoryCompiler;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Lowering;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A network's generated class, compiled in memory (javax.tools), or taken from the {@link ClassCache} of an earlier
 * run of the same source, and instantiated.
 */
final class CompiledModels {
  /** The package generated classes get when the user names none. */
  static final String DEFAULT_PACKAGE = "dev.nabla.generated";

  private CompiledModels() {}

  static <T extends Trainable> T compile(Network network, CodegenOptions.Precision precision, int maxBatch, Class<T> type) {
    return compile(network, precision, CodegenOptions.Backend.SCALAR, maxBatch, type);
  }

  static <T extends Trainable> T compile(Network network, CodegenOptions.Precision precision, CodegenOptions.Backend backend,
      int maxBatch, Class<T> type) {
    return compile(network, precision, backend, maxBatch, maxBatch, type);
  }

  /**
   * The network's class with buffers for {@code preferred} rows when they fit in memory, else for {@code maxBatch}
   * (refused in words when those do not fit either). The class is generated once, whichever it is.
   */
  static <T extends Trainable> T compile(Network network, CodegenOptions.Precision precision, CodegenOptions.Backend backend,
      int preferred, int maxBatch, Class<T> type) {
    Gradients gradients = Differentiator.parameters(network);
    int rows = preferred;
    if (preferred != maxBatch) {
      try {
        checkMemory(network, gradients, precision, preferred);
      } catch (UserError tooLarge) {
        rows = maxBatch;
      }
    }
    checkMemory(network, gradients, precision, rows);
    CodegenOptions options = CodegenOptions.of(DEFAULT_PACKAGE).withPrecision(precision);
    com.palantir.javapoet.JavaFile file;
    try {
      file = JavaWriter.write(network, gradients, options);
    } catch (dev.nabla.codegen.UnsupportedSpecException e) {
      throw UserError.badInput(network.source().name() + ":" + (e.position().isEmpty() ? " " : e.position()) + e.getMessage());
    }
    // The same spec trained again (another --lr, --batch or --epochs) gives the same source: its classes come from the
    // cache instead of javac, which takes about 2 s of a cold JVM and fills C2's queue while the warm-up needs it.
    List<com.palantir.javapoet.JavaFile> files = List.of(file);
    ClassLoader loader = ClassCache.forThisRuntime()
        .map(cache -> InMemoryCompiler.compile(files, cache))
        .orElseGet(() -> InMemoryCompiler.compile(files));
    return InMemoryCompiler.instantiate(loader, DEFAULT_PACKAGE + "." + file.typeSpec().name(), rows, type);
  }

  /**
   * The kernel set a deprecated {@code --backend} option names, made the one this run uses: it sets
   * {@code nabla.kernels}, which the runtime reads when the first model class loads ({@code null}: the
   * option was not given, the runtime chooses).
   */
  static CodegenOptions.Backend backend(String name) {
    if (name == null) {
      return CodegenOptions.Backend.SCALAR;
    }
    CodegenOptions.Backend backend;
    try {
      backend = CodegenOptions.Backend.named(name);
    } catch (IllegalArgumentException e) {
      throw UserError.badInput("--backend: " + e.getMessage());
    }
    if (System.getProperty("nabla.kernels") == null) {
      System.setProperty("nabla.kernels", backend.name().toLowerCase(java.util.Locale.ROOT));
    }
    return backend;
  }

  /**
   * Refuses, before anything is allocated, a model whose arrays cannot exist: a batch of values
   * larger than one Java array, or more memory than this JVM may use. The estimate counts every
   * value of the forward and backward graphs once per batch row, which bounds what the generated
   * class keeps.
   */
  static void checkMemory(Network network, Gradients gradients, CodegenOptions.Precision precision, int maxBatch) {
    long parameters = 0;
    for (Node parameter : network.parameters()) {
      parameters += parameter.shape().size();
    }
    List<Node> roots = new ArrayList<>(gradients.byLeaf().values());
    roots.add(network.loss());
    roots.add(network.output());
    long perSample = 0;
    // Values that change from sample to sample; a parameter's gradient is summed over the batch instead.
    java.util.Set<Node> varying = new java.util.HashSet<>();
    java.util.Set<Node> gradientRoots = new java.util.HashSet<>(gradients.byLeaf().values());
    for (Node node : Differentiator.reachable(roots)) {
      boolean dependsOnSample = node.op() instanceof dev.nabla.symbolic.Op.Leaf leaf
          ? leaf.kind() != dev.nabla.symbolic.Op.Leaf.Kind.PARAM
          : node.inputs().stream().anyMatch(varying::contains);
      if (!dependsOnSample) {
        continue;
      }
      varying.add(node);
      if (gradientRoots.contains(node)) {
        continue;
      }
      long size = node.shape().size();
      if (size * maxBatch > Lowering.MAX_VALUES) {
        throw UserError.badInput(String.format(Locale.ROOT,
            "a batch of %d rows of a value of %,d entries (%s) is more than one Java array holds; lower --batch", maxBatch, size, node.shape()));
      }
      perSample += size;
    }
    long bytesPerValue = precision == CodegenOptions.Precision.FLOAT ? Float.BYTES : Double.BYTES;
    double needed = bytesPerValue * (2.0 * parameters + (double) maxBatch * perSample);
    long available = Runtime.getRuntime().maxMemory();
    if (needed > 0.8 * available) {
      throw UserError.badInput(String.format(Locale.ROOT,
          "%s needs about %s (%,d parameters and their gradients, and %,d values per row for a batch of %d), but this JVM may use %s;"
              + " lower --batch, or give Java more memory, e.g. NABLA_JAVA_OPTS=-Xmx16g ./nabla ...",
          network.name(), bytes(needed), parameters, perSample, maxBatch, bytes(available)));
    }
  }

  private static String bytes(double count) {
    return count >= 1 << 30 ? String.format(Locale.ROOT, "%.1f GiB", count / (1 << 30)) : String.format(Locale.ROOT, "%.0f MiB", count / (1 << 20));
  }
}
