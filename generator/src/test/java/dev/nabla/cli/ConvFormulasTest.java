package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** derive, explain, graph and jacobian on a convolutional network, as a user runs them. */
class ConvFormulasTest {
  private static final String SPEC = """
      model SmallCnn
      input  X[1, 8, 8]
      label  y : 3
      param  K1[4, 1, 3, 3]
      param  c1[4]
      param  W2[3, 36]
      param  b2[3]
      conv1 = relu(conv2d(K1, X, stride=2, padding=1) + c1)
      pool = maxpool(conv1, 2, stride=1)
      feat = flatten(pool)
      logits = W2 dropout(0.25, feat) + b2
      loss = cross_entropy(logits, y)
      """;

  @TempDir
  Path directory;
  private Path spec;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void writeSpec() throws IOException {
    spec = directory.resolve("small_cnn.nabla");
    Files.writeString(spec, SPEC);
  }

  private int run(String... args) {
    var command = Nabla.commandLine();
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    return command.execute(args);
  }

  private List<String> lines(String... args) {
    assertEquals(0, run(args), err.toString());
    return out.toString().lines().toList();
  }

  @Test
  void indexNotationPrintsTheKernelGradientAsTheLessonDoes() {
    List<String> lines = lines("derive", spec.toString(), "--format", "index");
    assertTrue(lines.contains("∂H/∂k1_{o,c,i,j} = Σ_{p,q} δ1_{o,p,q} · x_{c,2p+i−1,2q+j−1}"), String.join("\n", lines));
    assertTrue(lines.contains("∂H/∂c1_p = Σ_{h,w} δ1_{p,h,w}"), String.join("\n", lines));
    assertTrue(lines.stream().anyMatch(line -> line.startsWith("∂H/∂conv1_{c,h,w} = Σ_{p,q} ")
        && line.endsWith("· 1{(h,w) = argmax of window (p,q) of conv1_c}")), String.join("\n", lines));
  }

  @Test
  void indexNotationPrintsTheInputGradientAsTheTransposedConvolution() throws IOException {
    Files.writeString(spec, SPEC.replace("conv2d(K1, X, stride=2, padding=1)", "conv2d(K1, X, padding=1)")
        .replace("maxpool(conv1, 2, stride=1)", "maxpool(conv1, 2)").replace("W2[3, 36]", "W2[3, 64]"));
    List<String> lines = lines("derive", spec.toString(), "--format", "index", "--wrt", "X");
    assertTrue(lines.contains("∂H/∂x_{c,h,w} = Σ_{o,i,j} k1_{o,c,i,j} · δ1_{o,h−i+1,w−j+1}"), String.join("\n", lines));
  }

  /**
   * Pooling and convolution of values the spec leaves unnamed, nested as people write them: the index
   * notation reads a window's image by name, so those images get names of their own (P1, A1).
   */
  @Test
  void indexNotationNamesTheUnnamedImagesItReadsThroughWindows() throws IOException {
    Files.writeString(spec, """
        model Nested
        input image[1, 8, 8]
        label y : 3
        param kernels[2, 1, 3, 3]
        param more[4, 2, 3, 3]
        param weights[3, 4]
        scores = weights flatten(avgpool(maxpool(tanh(conv2d(more, maxpool(conv2d(kernels, image, padding=1), 2), padding=1)) * 2, 2), 2))
        loss = nll(logsoftmax(scores), y)
        """);
    List<String> index = lines("derive", spec.toString(), "--format", "index");
    assertTrue(index.contains("∂H/∂more_{o,c,i,j} = Σ_{p,q} δ2_{o,p,q} · p1_{c,p+i−1,q+j−1}"), String.join("\n", index));
    assertTrue(index.contains("∂H/∂weights_{p,q} = δ_scores_p · flatten(p3)_q"), String.join("\n", index));
    out.getBuffer().setLength(0);
    List<String> unicode = lines("derive", spec.toString());
    assertTrue(unicode.containsAll(List.of("P1 = maxpool(Z1, 2)", "A1 = 2 Y2", "P2 = maxpool(A1, 2)", "P3 = avgpool(P2, 2)")),
        String.join("\n", unicode));
  }

  @Test
  void unicodeTextAndLatexWriteTheConvolution() {
    List<String> unicode = lines("derive", spec.toString());
    assertTrue(unicode.contains("conv1 = relu(K1 ⋆ₛ₌₂,ₚ₌₁ X + c1)") || unicode.contains("Z1 = K1 ⋆ₛ₌₂,ₚ₌₁ X + c1"), String.join("\n", unicode));
    assertTrue(unicode.contains("∂H/∂K1 = δ1 ⋆ₛ₌₂,ₚ₌₁ X"), String.join("\n", unicode));
    assertTrue(unicode.contains("∂H/∂c1 = Σ_{p,q} δ1"), String.join("\n", unicode));
    assertTrue(unicode.contains("∂H/∂feat = W2ᵀ δ_logits ⊙ m1"), String.join("\n", unicode));
    assertTrue(unicode.contains("m1 = a dropout mask: 0 with probability 0.25, else 1/(1 − 0.25) in training; 1 in prediction"),
        String.join("\n", unicode));
    out.getBuffer().setLength(0);
    List<String> text = lines("derive", spec.toString(), "--format", "text");
    assertTrue(text.contains("dH/dK1 = conv2d_kernel_gradient(delta1, X, stride=2, padding=1)"), String.join("\n", text));
    out.getBuffer().setLength(0);
    List<String> latex = lines("derive", spec.toString(), "--format", "latex");
    assertTrue(latex.contains("\\frac{\\partial H}{\\partial K_{1}} = \\delta_{1} \\star_{s=2,p=1} X"), String.join("\n", latex));
  }

  @Test
  void explainAndGraphNameTheNewOperations() {
    String explained = String.join("\n", lines("explain", spec.toString()));
    assertTrue(explained.contains("pool = maxpool(conv1, 2, stride=1)"), explained);
    assertTrue(explained.contains("where m1 = a dropout mask: 0 with probability 0.25, else 1/(1 − 0.25) in training; 1 in prediction"),
        explained);
    out.getBuffer().setLength(0);
    String graph = String.join("\n", lines("graph", spec.toString()));
    assertTrue(graph.contains("conv2d stride=2 padding=1"), graph);
    assertFalse(graph.contains("Conv2d["), graph);
  }

  /** nabla grad on PyTorch's LeNet golden, the values nested as their shapes: the same loss and gradients. */
  @Test
  void gradOfALeNetReadsAndWritesNestedImagesAndKernels() throws IOException {
    JsonObject golden;
    try (var in = ConvFormulasTest.class.getResourceAsStream("/golden/conv.json")) {
      golden = JsonParser.parseString(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .getAsJsonObject().getAsJsonObject("cases").getAsJsonObject("lenet");
    }
    Path lenet = directory.resolve("lenet.nabla");
    Files.writeString(lenet, golden.get("spec").getAsString());
    JsonObject params = new JsonObject();
    JsonObject inputs = new JsonObject();
    JsonObject expected = new JsonObject();
    golden.getAsJsonObject("values").entrySet().forEach(entry -> {
      JsonElement nested = nest(entry.getValue().getAsJsonObject());
      (entry.getKey().equals("X") ? inputs : params).add(entry.getKey(), nested);
    });
    golden.getAsJsonObject("gradients").entrySet().forEach(entry -> {
      if (!entry.getKey().equals("X")) {
        expected.add(entry.getKey(), nest(entry.getValue().getAsJsonObject()));
      }
    });
    JsonObject values = new JsonObject();
    values.add("params", params);
    values.add("inputs", inputs);
    values.add("label", golden.get("label"));
    Path valuesFile = directory.resolve("lenet-values.json");
    Files.writeString(valuesFile, values.toString());

    assertEquals(0, run("grad", lenet.toString(), "--values", valuesFile.toString()), err.toString());
    JsonObject result = JsonParser.parseString(out.toString()).getAsJsonObject();
    assertEquals(golden.get("loss").getAsDouble(), result.get("loss").getAsDouble(), 1e-9);
    Exercise4GoldenTest.assertClose(expected, result.getAsJsonObject("gradients"), "gradients");
  }

  /** {"shape": [2, 3], "data": [...]} as nested lists. */
  private static JsonElement nest(JsonObject flat) {
    List<Integer> shape = new java.util.ArrayList<>();
    flat.getAsJsonArray("shape").forEach(dim -> shape.add(dim.getAsInt()));
    return nest(flat.getAsJsonArray("data"), shape, 0, 0);
  }

  private static JsonElement nest(JsonArray data, List<Integer> shape, int axis, int offset) {
    if (shape.isEmpty()) {
      return data.get(0);
    }
    int stride = shape.subList(axis + 1, shape.size()).stream().reduce(1, (a, b) -> a * b);
    JsonArray list = new JsonArray();
    for (int i = 0; i < shape.get(axis); i++) {
      list.add(axis + 1 == shape.size() ? data.get(offset + i) : nest(data, shape, axis + 1, offset + i * stride));
    }
    return list;
  }

  @Test
  void showWritesKernelsAndImagesInFull() throws IOException {
    Path tiny = directory.resolve("tiny.nabla");
    Files.writeString(tiny, """
        model Tiny
        input X[1, 3, 3]
        param K[1, 1, 2, 2]
        param c[1]
        pred = sum(maxpool(relu(conv2d(K, X) + c), 2))
        loss = pred^2
        """);
    Path values = directory.resolve("tiny.json");
    Files.writeString(values, "{\"params\": {\"K\": [[[[0.5, -1], [2, 0.25]]]], \"c\": [0.1]},"
        + " \"inputs\": {\"X\": [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]}}");
    List<String> lines = lines("show", tiny.toString(), "--values", values.toString());
    // relu(K ⋆ X + c) = [[7.85, 9.6], [13.1, 14.85]], one 2×2 window: its maximum, squared
    assertEquals(List.of("pred = sum(maxpool(relu(K ⋆ X + c), 2))",
        "pred = sum(maxpool(relu([[[[0.5, -1], [2, 0.25]]]] ⋆ [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]] + [0.1]), 2))",
        "pred = 14.85   (H = 220.5)"), lines);
  }

  @Test
  void jacobianSaysClearlyThatItDoesNotPrintImageJacobians() {
    assertEquals(2, run("jacobian", spec.toString(), "--wrt", "c1"));
    assertTrue(err.toString().contains("goes through conv2d, maxpool, flatten, dropout"), err.toString());
    assertFalse(err.toString().contains("Exception"), err.toString());
  }
}
