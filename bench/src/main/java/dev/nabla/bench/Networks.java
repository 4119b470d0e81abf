package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.InMemoryCompiler;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.grammar.SpecParser;
import dev.nabla.grammar.ParseResult;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.SpecPrinter;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Lowering;
import dev.nabla.symbolic.Network;
import java.util.List;
import java.util.SplittableRandom;

/** The benchmarked networks as specs, generated and compiled in memory, and synthetic data. */
public final class Networks {
  private Networks() {}

  static final String PACKAGE = "dev.nabla.bench.generated";

  /** Layer widths from {@code "784-20-10"}. */
  static int[] widths(String layers) {
    String[] parts = layers.split("-");
    int[] widths = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      widths[i] = Integer.parseInt(parts[i]);
    }
    return widths;
  }

  /** An MLP spec: relu hidden layers, logsoftmax output, nll loss (the lesson's network for 784-20-10). */
  static String spec(String name, int[] widths) {
    return spec(name, widths, "relu");
  }

  /** An MLP spec with {@code activation} ({@code relu}, {@code tanh}, ...) on its hidden layers. */
  static String spec(String name, int[] widths, String activation) {
    StringBuilder spec = new StringBuilder("model " + name + "\ninput X[" + widths[0] + "]\nlabel y : " + widths[widths.length - 1] + "\n");
    for (int l = 1; l < widths.length; l++) {
      spec.append("param W").append(l).append('[').append(widths[l]).append(", ").append(widths[l - 1]).append("]\n");
      spec.append("param b").append(l).append('[').append(widths[l]).append("]\n");
    }
    String previous = "X";
    for (int l = 1; l < widths.length - 1; l++) {
      spec.append("Y").append(l).append(" = ").append(activation).append("(W").append(l).append(' ').append(previous).append(" + b").append(l).append(")\n");
      previous = "Y" + l;
    }
    int last = widths.length - 1;
    spec.append("out = logsoftmax(W").append(last).append(' ').append(previous).append(" + b").append(last).append(")\n");
    spec.append("loss = nll(out, y)\n");
    return spec.toString();
  }

  static Network network(String name, String text) {
    ParseResult<Spec> parsed = SpecParser.parseSpec(new SourceFile(name + ".nabla", text));
    if (parsed.hasErrors()) {
      throw new IllegalArgumentException(parsed.diagnostics().toString());
    }
    Spec spec = parsed.orThrow();
    return Lowering.lower(spec, SpecPrinter.print(spec));
  }

  /** Parse, derive, generate and compile: a new instance of the generated class (scalar backend). */
  static Trainable generated(String layers, CodegenOptions.Precision precision, int maxBatch) {
    return generated(layers, precision, CodegenOptions.Backend.SCALAR, maxBatch);
  }

  /** The generated class with the given backend; the vector backend's needs a JVM with the Vector API module. */
  static Trainable generated(String layers, CodegenOptions.Precision precision, CodegenOptions.Backend backend, int maxBatch) {
    String name = "Mlp" + layers.replace('-', '_') + precision.name().charAt(0) + backend.name().charAt(0);
    Network network = network(name, spec(name, widths(layers)));
    var file = JavaWriter.write(network, Differentiator.parameters(network), new CodegenOptions(PACKAGE, precision, false, backend));
    ClassLoader loader = InMemoryCompiler.compile(List.of(file));
    Trainable model = InMemoryCompiler.instantiate(loader, PACKAGE + "." + name, maxBatch, Trainable.class);
    model.initialize(42);
    return model;
  }

  /** The class of {@code text} (a spec of model {@code name}), generated and compiled in memory, not initialized. */
  static Trainable compile(String name, String text, CodegenOptions.Backend backend, int maxBatch) {
    Network network = network(name, text);
    var file = JavaWriter.write(network, Differentiator.parameters(network),
        new CodegenOptions(PACKAGE, CodegenOptions.Precision.FLOAT, false, backend));
    ClassLoader loader = InMemoryCompiler.compile(List.of(file));
    return InMemoryCompiler.instantiate(loader, PACKAGE + "." + name, maxBatch, Trainable.class);
  }

  /** Synthetic data: inputs uniform in [0, 1), labels uniform over the classes. */
  static float[] inputs(int samples, int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[samples * size];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    return x;
  }

  static int[] labels(int samples, int classes, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    int[] labels = new int[samples];
    for (int i = 0; i < samples; i++) {
      labels[i] = random.nextInt(classes);
    }
    return labels;
  }
}
