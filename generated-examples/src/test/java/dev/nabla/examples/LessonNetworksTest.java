package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.FloatTrainable;
import dev.nabla.runtime.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The generated classes are the lesson's networks, and they need nothing but nabla-runtime. */
class LessonNetworksTest {

  private static List<String> shapes(ModelInfo info) {
    return info.parameters().stream().map(ModelInfo.Parameter::toString).toList();
  }

  @Test
  void theClassesHaveTheLessonsShapes() {
    assertEquals(List.of("W1[20×784]", "b1[20]", "W2[10×20]", "b2[10]"), shapes(new FashionMlp().info()));
    assertEquals(List.of("W1[256×784]", "b1[256]", "W2[128×256]", "b2[128]", "W3[10×128]", "b3[10]"),
        shapes(new DeepMlp().info()));
    assertEquals(List.of("W1[1×2]", "b1[1]", "W2[2×1]", "b2[2]", "W3[1×2]", "b3[1]"), shapes(new Exercise4Net().info()));
    assertEquals(ModelInfo.Labels.TARGETS, new Exercise4Net().info().labels());
    assertEquals(10, new BlockGraph().info().outputSize());
    assertEquals(15_910, new FashionMlp().info().parameterCount());
    assertEquals(List.of("K1[32×1×3×3]", "c1[32]", "K2[64×32×3×3]", "c2[64]", "W3[128×3136]", "b3[128]", "W4[10×128]", "b4[10]"),
        shapes(new FashionCnn(1).info()));
    assertEquals(421_642, new FashionCnn(1).info().parameterCount(), "as PyTorch counts the same network");
    assertEquals(784, new FashionCnn(1).info().inputSize(), "the loader's 784 values of an image");
    assertTrue(new FashionMlp() instanceof FloatTrainable);
  }

  @Test
  void exercise4LearnsItsTargets() {
    Exercise4Net model = new Exercise4Net(4);
    model.initialize(3);
    float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
    float[] t = {0, 1, 1, 1};
    double first = model.loss(x, t, 4);
    double last = first;
    for (int step = 0; step < 2000 && last > 0.2; step++) {
      last = model.trainStep(x, t, 4, 0.5f);
    }
    assertTrue(last < first, "bce went from " + first + " to " + last);
  }

  @Test
  void noBuildTimeClassIsNeededAtRunTime() {
    // The test class path is the jar's run-time class path plus JUnit: the generator, the grammar and
    // JavaPoet are not on it, and the generated classes load and run without them.
    for (String buildTimeOnly : List.of("dev.nabla.symbolic.Networks", "dev.nabla.codegen.JavaWriter",
        "dev.nabla.grammar.SpecParser", "com.palantir.javapoet.JavaFile", "dev.nabla.maven.GenerateMojo")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(buildTimeOnly), buildTimeOnly);
    }
    float[] out = new float[10];
    new DeepMlp().predict(new float[784], 1, out);
  }

  @Test
  void generatedSourcesImportOnlyTheJdkAndTheRuntime() throws IOException {
    Path generated = Path.of("target/generated-sources/nabla/dev/nabla/examples");
    List<Path> sources;
    try (Stream<Path> files = Files.list(generated)) {
      sources = files.sorted().toList();
    }
    assertEquals(5, sources.size(), sources.toString());
    for (Path source : sources) {
      for (String line : Files.readAllLines(source)) {
        if (line.startsWith("import ")) {
          assertTrue(line.startsWith("import java.") || line.startsWith("import dev.nabla.runtime."), source + ": " + line);
        }
      }
    }
  }
}
