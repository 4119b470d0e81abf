package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.check.GradientChecker;
import dev.nabla.runtime.check.GradientReport;
import dev.nabla.runtime.data.Minibatch;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The checks a user gets can fail (issue 18): a backward pass with one gradient entry zeroed, one
 * scaled by 1.01, or two swapped, must make {@code nabla check} exit 1, the runtime's {@link
 * GradientChecker} report it, and the generated {@code <Model>GradientTest} fail; the unaltered
 * class passes all three. The entries altered are the largest of a parameter's gradient, where a
 * check must see them.
 */
public class GradientMutationTest {
  static final String SPEC = """
      model Mutant
      input x[4]
      label y : 3
      param W1[5, 4]
      param b1[5]
      param W2[3, 5]
      hidden = tanh(W1 x + b1)
      logits = W2 hidden
      loss = cross_entropy(logits, y)
      """;

  /** The three ways a backward pass is broken, each on the gradient of W1. */
  public enum Mutation {
    ZERO, SCALE, SWAP;

    public double[] apply(double[] gradient) {
      double[] out = gradient.clone();
      int largest = 0;
      int second = -1;
      for (int i = 1; i < out.length; i++) {
        if (Math.abs(out[i]) > Math.abs(out[largest])) {
          largest = i;
        }
      }
      for (int i = 0; i < out.length; i++) {
        if (i != largest && (second < 0 || Math.abs(out[i] - out[largest]) > Math.abs(out[second] - out[largest]))) {
          second = i;
        }
      }
      switch (this) {
        case ZERO -> out[largest] = 0;
        case SCALE -> out[largest] *= 1.01;
        case SWAP -> {
          out[largest] = gradient[second];
          out[second] = gradient[largest];
        }
      }
      return out;
    }
  }

  /** A model whose {@code gradient("W1")} is altered. */
  static Trainable mutated(Trainable model, UnaryOperator<double[]> mutation) {
    return new Trainable() {
      @Override public ModelInfo info() { return model.info(); }
      @Override public int maxBatch() { return model.maxBatch(); }
      @Override public void predict(float[] x, int n, float[] out) { model.predict(x, n, out); }
      @Override public void initialize(long seed) { model.initialize(seed); }
      @Override public double[] parameter(String name) { return model.parameter(name); }
      @Override public void setParameter(String name, double[] values) { model.setParameter(name, values); }
      @Override public double trainStep(float[] x, int[] labels, int n, float lr) { return model.trainStep(x, labels, n, lr); }
      @Override public double trainStep(float[] x, float[] targets, int n, float lr) { return model.trainStep(x, targets, n, lr); }
      @Override public double computeGradients(float[] x, int[] labels, int n) { return model.computeGradients(x, labels, n); }
      @Override public double computeGradients(float[] x, float[] targets, int n) { return model.computeGradients(x, targets, n); }
      @Override public double loss(float[] x, int[] labels, int n) { return model.loss(x, labels, n); }
      @Override public double loss(float[] x, float[] targets, int n) { return model.loss(x, targets, n); }

      @Override
      public double[] gradient(String name) {
        return name.equals("W1") ? mutation.apply(model.gradient(name)) : model.gradient(name);
      }
    };
  }

  @TempDir
  Path directory;

  private static Network network() {
    return Networks.fromSpec(new SourceFile("mutant.nabla", SPEC));
  }

  /** {@code nabla check} on the classes as generated, or altered; its exit code and output. */
  private static CliTest.Run check(UnaryOperator<double[]> mutation) {
    Network network = network();
    CheckCommand command = new CheckCommand();
    CommandLine commandLine = new CommandLine(command);
    StringWriter out = new StringWriter();
    commandLine.setOut(new PrintWriter(out));
    commandLine.parseArgs("mutant.nabla");
    Trainable exact = CompiledModels.compile(network, CodegenOptions.Precision.DOUBLE, command.batch, Trainable.class);
    Trainable single = CompiledModels.compile(network, CodegenOptions.Precision.FLOAT, command.batch, Trainable.class);
    int exit = command.check(network, mutated(exact, mutation), mutated(single, mutation));
    return new CliTest.Run(exit, out.toString(), "");
  }

  @Test
  void nablaCheckExitsOneForEveryMutation() {
    CliTest.Run clean = check(UnaryOperator.identity());
    assertEquals(0, clean.exit(), clean.out());
    for (Mutation mutation : Mutation.values()) {
      CliTest.Run run = check(mutation::apply);
      assertEquals(1, run.exit(), mutation + ":\n" + run.out());
      assertTrue(run.out().lines().anyMatch(line -> line.startsWith("W1 ") && line.endsWith("FAILED")), mutation + ":\n" + run.out());
      assertTrue(run.out().lines().filter(line -> line.endsWith("FAILED")).count() == 1, "only W1 is wrong:\n" + run.out());
    }
  }

  private static Minibatch batch(int n) {
    SplittableRandom random = new SplittableRandom(3);
    float[] x = new float[n * 4];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    return Minibatch.of(x, 4, random.ints(n, 0, 3).toArray(), n);
  }

  @Test
  void theCheckerReportsEveryMutation() {
    Network network = network();
    Trainable exact = CompiledModels.compile(network, CodegenOptions.Precision.DOUBLE, 6, Trainable.class);
    exact.initialize(5);
    GradientReport clean = GradientChecker.check(exact, batch(6));
    assertTrue(clean.passed(), clean.format());
    for (Mutation mutation : Mutation.values()) {
      GradientReport report = GradientChecker.check(mutated(exact, mutation::apply), batch(6),
          new GradientChecker.Options(20, 1e-3, 1e-12, 1e-6, 1));
      assertFalse(report.passed(), mutation + ":\n" + report.format());
      assertTrue(report.format().contains("FAIL W1[5×4]"), mutation + ":\n" + report.format());
      assertTrue(report.format().lines().filter(line -> line.startsWith("FAIL ")).count() == 1, report.format());
    }
    // A float model carries 7 digits: a zeroed or swapped entry fails its check too.
    Trainable single = CompiledModels.compile(network, CodegenOptions.Precision.FLOAT, 6, Trainable.class);
    single.initialize(5);
    assertTrue(GradientChecker.check(single, batch(6)).passed(), GradientChecker.check(single, batch(6)).format());
    for (Mutation mutation : new Mutation[] {Mutation.ZERO, Mutation.SWAP}) {
      GradientReport report = GradientChecker.check(mutated(single, mutation::apply), batch(6));
      assertFalse(report.passed(), mutation + ":\n" + report.format());
    }
  }

  /**
   * The generated test, compiled with the class it checks: it passes on the class as generated and
   * fails when the class's backward pass leaves an altered gradient.
   */
  @Test
  void theGeneratedTestFailsForEveryMutation() throws Exception {
    Network network = network();
    List<JavaFile> files = JavaWriter.writeAll(network, Differentiator.parameters(network),
        CodegenOptions.of("dev.nabla.mutants").withPrecision(CodegenOptions.Precision.DOUBLE).withTests(true));
    String model = files.get(0).toString();
    String test = files.get(1).toString();
    java.util.regex.Matcher backward = java.util.regex.Pattern.compile("@Override\\s+protected void backward\\(([^)]*)\\) \\{").matcher(model);
    assertTrue(backward.find(), "the generated class's backward pass changed; adapt this test to it");
    String parameters = backward.group(1);
    String arguments = java.util.Arrays.stream(parameters.split(","))
        .map(parameter -> parameter.trim().substring(parameter.trim().lastIndexOf(' ') + 1))
        .collect(java.util.stream.Collectors.joining(", "));

    invokeGeneratedTest(model, test, "clean");
    for (Mutation mutation : Mutation.values()) {
      // The gradient accessors are the runtime's; the pass is the model's: the mutant's backward pass runs
      // the generated one, then alters W1's gradient.
      String altered = model.replace(backward.group(), "private void backwardAsGenerated(" + parameters + ") {")
          .replaceFirst("\\}\\s*$", "\n  @Override\n  protected void backward(" + parameters + ") {\n"
              + "    backwardAsGenerated(" + arguments + ");\n"
              + "    System.arraycopy(" + GradientMutationTest.class.getName() + ".Mutation." + mutation
              + ".apply(dW1), 0, dW1, 0, dW1.length);\n  }\n}\n");
      InvocationTargetException failure = assertThrows(InvocationTargetException.class,
          () -> invokeGeneratedTest(altered, test, mutation.name()), mutation.name());
      assertTrue(failure.getCause() instanceof AssertionError, String.valueOf(failure.getCause()));
      assertTrue(failure.getCause().getMessage().contains("FAIL W1[5×4]"), failure.getCause().getMessage());
    }
  }

  private void invokeGeneratedTest(String model, String test, String variant) throws Exception {
    Path sources = directory.resolve(variant + "/src/dev/nabla/mutants");
    Path classes = directory.resolve(variant + "/classes");
    Files.createDirectories(sources);
    Files.createDirectories(classes);
    Files.writeString(sources.resolve("Mutant.java"), model);
    Files.writeString(sources.resolve("MutantGradientTest.java"), test);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> arguments = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
        "-encoding", "UTF-8", sources.resolve("Mutant.java").toString(), sources.resolve("MutantGradientTest.java").toString()));
    StringWriter errors = new StringWriter();
    int status = javac.run(null, null, new java.io.OutputStream() {
      @Override
      public void write(int b) {
        errors.write(b);
      }
    }, arguments.toArray(String[]::new));
    assertEquals(0, status, errors.toString());
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Class<?> type = loader.loadClass("dev.nabla.mutants.MutantGradientTest");
      var constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      Object instance = constructor.newInstance();
      var method = type.getDeclaredMethod("gradientsMatchFiniteDifferences");
      method.setAccessible(true);
      method.invoke(instance);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
