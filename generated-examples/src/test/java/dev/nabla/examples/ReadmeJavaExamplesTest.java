package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.runtime.Models;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java examples are the marked parts of JavaApiExamples and ClassifyWithCheckpoint, as
 * printed, and they do what the README says (on Fashion-MNIST-shaped data made here; the real-data
 * run of {@link JavaApiExamples#train} is FashionMlpTrainingTest).
 */
class ReadmeJavaExamplesTest {
  private static final Path SOURCES = Path.of("src/test/java/dev/nabla/examples");

  @TempDir
  Path dir;

  @Test
  void theReadmeShowsEveryMarkedExampleExactly() throws IOException {
    String readme = String.join("\n", javaBlocks()) + "\n";
    Map<String, String> snippets = new LinkedHashMap<>();
    snippets.putAll(snippets(SOURCES.resolve("JavaApiExamples.java")));
    snippets.putAll(snippets(SOURCES.resolve("ClassifyWithCheckpoint.java")));
    assertEquals(List.of("imports", "train", "predict", "batch", "save-load", "serve", "classify"), List.copyOf(snippets.keySet()));
    snippets.forEach((name, text) -> assertTrue(readme.contains(text),
        "README.md must show the example '" + name + "' exactly, in a ```java block:\n" + text));
  }

  @Test
  void predictAndBatchExamplesAgreeWithTheModelAndTheEvaluator() {
    Dataset test = fashionShaped(130, 2);
    FashionMlp model = new FashionMlp();
    model.initialize(3);
    String described = JavaApiExamples.describeFirstImage(model, test);
    int predicted = Models.classify(model, test.sample(0));
    assertTrue(described.startsWith(FashionMnist.CLASS_NAMES.get(predicted) + " (p = 0."), described);
    assertTrue(described.endsWith(", labelled " + FashionMnist.CLASS_NAMES.get(test.label(0))), described);
    // 130 images run in batches of 64, 64 and 2; the hand count is the evaluator's accuracy.
    assertEquals(Models.evaluate(model, test).accuracy(), JavaApiExamples.accuracy(model, test), 1e-12);
  }

  @Test
  void saveLoadAndClassifyExamplesGiveBackTheSameModel() throws Exception {
    FashionMlp model = new FashionMlp();
    model.initialize(4);
    Path file = dir.resolve("fashion.nckpt");
    FashionMlp loaded = JavaApiExamples.saveAndLoad(model, file);
    assertNotSame(model, loaded);
    Dataset test = fashionShaped(5, 9);
    for (int i = 0; i < test.size(); i++) {
      assertArrayEquals(Models.predict(model, test.sample(i)), Models.predict(loaded, test.sample(i)));
      assertEquals(FashionMnist.CLASS_NAMES.get(Models.classify(model, test.sample(i))),
          ClassifyWithCheckpoint.classify(file, test.sample(i)));
    }
  }

  @Test
  void theServingExampleClassifiesFromManyThreadsAsTheModelDoesAlone() {
    Dataset test = fashionShaped(600, 12);
    FashionMlp model = new FashionMlp();
    model.initialize(5);
    assertArrayEquals(Models.classify(model, test), JavaApiExamples.classifyInParallel(model, test));
    model.initialize(6); // new parameters: the predictors read them, not a copy of the old ones
    assertArrayEquals(Models.classify(model, test), JavaApiExamples.classifyInParallel(model, test));
  }

  /** Random images with labels 0..9: enough to exercise every call without the real data. */
  static Dataset fashionShaped(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n * FashionMnist.PIXELS];
    int[] labels = new int[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
    }
    return Dataset.ofClasses("test", x, FashionMnist.PIXELS, labels, FashionMnist.CLASS_NAMES);
  }

  /** The parts of a source between "// README: name" and "// README end", without their common indentation. */
  static Map<String, String> snippets(Path source) throws IOException {
    Map<String, String> snippets = new LinkedHashMap<>();
    Matcher matcher = Pattern.compile("(?s)[ \\t]*// README: ([\\w-]+)\\n(.*?)[ \\t]*// README end\\n").matcher(Files.readString(source));
    while (matcher.find()) {
      snippets.put(matcher.group(1), dedent(matcher.group(2)));
    }
    assertFalse(snippets.isEmpty(), "no README snippets in " + source);
    return snippets;
  }

  private static String dedent(String text) {
    List<String> lines = text.lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return out.toString();
  }

  private static List<String> javaBlocks() throws IOException {
    List<String> blocks = new ArrayList<>();
    StringBuilder block = null;
    String language = null;
    for (String line : Files.readAllLines(Path.of("../README.md"))) {
      if (block == null && line.startsWith("```")) {
        block = new StringBuilder();
        language = line.substring(3);
      } else if (block != null && line.equals("```")) {
        if (language.equals("java")) {
          blocks.add(block.toString());
        }
        block = null;
      } else if (block != null) {
        block.append(line).append('\n');
      }
    }
    return blocks;
  }
}
