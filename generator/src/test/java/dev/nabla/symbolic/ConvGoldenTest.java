package dev.nabla.symbolic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.interpret.Interpreter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Convolution (stride, padding, several channels), max and average pooling and a LeNet-sized
 * network against PyTorch in float64: the loss and the gradient of every parameter and of the input,
 * derived by nabla and evaluated by its interpreter, agree to 1e-9. The golden JSON (spec, values,
 * PyTorch's results) was written by src/test/python/conv_goldens.py; this test reads only the JSON.
 */
class ConvGoldenTest {
  private static final double TOLERANCE = 1e-9;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"convolution", "max_pooling", "average_pooling", "lenet"})
  void lossAndGradientsEqualPyTorch(String name) throws IOException {
    JsonObject golden = golden().getAsJsonObject("cases").getAsJsonObject(name);
    Network network = Networks.fromSpec(new SourceFile(name + ".nabla", golden.get("spec").getAsString()));
    Map<Node, Tensor> values = new IdentityHashMap<>();
    JsonObject given = golden.getAsJsonObject("values");
    List<Node> leaves = new ArrayList<>();
    for (String leafName : given.keySet()) {
      Node leaf = network.leaf(leafName).orElseThrow(() -> new AssertionError("the spec has no " + leafName));
      values.put(leaf, tensor(given.getAsJsonObject(leafName), leaf.shape()));
      leaves.add(leaf);
    }
    network.label().ifPresent(label ->
        values.put(label, Interpreter.oneHot(golden.get("label").getAsInt(), Math.toIntExact(label.shape().size()))));

    Gradients gradients = Differentiator.derive(network, network.loss(), leaves);
    List<Node> roots = new ArrayList<>(gradients.byLeaf().values());
    roots.add(network.loss());
    Map<Node, Tensor> computed = Interpreter.evaluate(roots, values);

    double loss = golden.get("loss").getAsDouble();
    assertEquals(loss, computed.get(network.loss()).scalarValue(), TOLERANCE * Math.max(1, Math.abs(loss)), "loss");
    JsonObject expected = golden.getAsJsonObject("gradients");
    assertEquals(expected.keySet().size(), leaves.size() - (network.target().isPresent() ? 1 : 0), "gradients compared");
    for (Node leaf : leaves) {
      String leafName = Network.leafName(leaf);
      if (network.target().orElse(null) == leaf) {
        continue; // data, not differentiated
      }
      Tensor torch = tensor(expected.getAsJsonObject(leafName), leaf.shape());
      Tensor nabla = computed.get(gradients.of(leaf));
      assertEquals(torch.size(), nabla.size(), leafName);
      for (int i = 0; i < torch.size(); i++) {
        double e = torch.get(i);
        assertEquals(e, nabla.get(i), TOLERANCE * Math.max(1, Math.abs(e)), "∂H/∂" + leafName + "[" + i + "]");
      }
    }
  }

  private static Tensor tensor(JsonObject json, Shape shape) {
    JsonArray dims = json.getAsJsonArray("shape");
    List<Long> sizes = new ArrayList<>();
    dims.forEach(dim -> sizes.add(dim.getAsLong()));
    assertEquals(shape, Shape.of(sizes.stream().mapToLong(Long::longValue).toArray()), "shape");
    JsonArray data = json.getAsJsonArray("data");
    double[] values = new double[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = data.get(i).getAsDouble();
    }
    return new Tensor(shape, values);
  }

  private static JsonObject golden() throws IOException {
    try (InputStream in = ConvGoldenTest.class.getResourceAsStream("/golden/conv.json")) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }
}
