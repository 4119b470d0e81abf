package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.runtime.train.WarmUp;
import dev.nabla.runtime.train.WarmUp.Activation;
import dev.nabla.symbolic.Networks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dense layers the warm-up gets from a spec: the products the generated class hands to the dense kernels. */
class WarmUpLayersTest {
  private static List<WarmUp.Layer> layers(String text) {
    return WarmUpLayers.of(Networks.fromSpec(new SourceFile("spec.nabla", text)));
  }

  private static List<WarmUp.Layer> example(String name) throws IOException {
    return layers(Files.readString(Path.of("..", "examples", name)));
  }

  @Test
  void theLessonsNetwork() throws IOException {
    assertEquals(List.of(new WarmUp.Layer(20, 784, Activation.RELU), new WarmUp.Layer(10, 20, Activation.NONE)),
        example("fashion_mlp.nabla"));
  }

  @Test
  void aWideTanhNetworkWithItsOutputCalledProbs() {
    assertEquals(List.of(new WarmUp.Layer(256, 784, Activation.TANH), new WarmUp.Layer(128, 256, Activation.SIGMOID),
        new WarmUp.Layer(10, 128, Activation.NONE)), layers("""
            model Wide
            input X[784]
            label y : 10
            param W1[256, 784]
            param b1[256]
            param W2[128, 256]
            param b2[128]
            param W3[10, 128]
            param b3[10]
            probs = softmax(W3 sigmoid(W2 tanh(W1 X + b1) + b2) + b3)
            loss = nll(log(probs), y)
            """));
  }

  @Test
  void twoBranchesOfTheBlockGraph() throws IOException {
    // A x and B x read the image; C u and D v the branches, summed before their bias: no activation of their own.
    assertEquals(List.of(new WarmUp.Layer(32, 784, Activation.TANH), new WarmUp.Layer(32, 784, Activation.RELU),
        new WarmUp.Layer(10, 32, Activation.NONE), new WarmUp.Layer(10, 32, Activation.NONE)).stream().sorted(
            WarmUpLayersTest::byShape).toList(), example("block_graph.nabla").stream().sorted(WarmUpLayersTest::byShape).toList());
  }

  @Test
  void aConvolutionalNetworksDenseLayersOnly() throws IOException {
    assertEquals(List.of(new WarmUp.Layer(128, 3136, Activation.RELU), new WarmUp.Layer(10, 128, Activation.NONE)),
        example("fashion_cnn.nabla"));
  }

  private static int byShape(WarmUp.Layer a, WarmUp.Layer b) {
    int rows = Integer.compare(b.rows(), a.rows());
    return rows != 0 ? rows : a.activation().compareTo(b.activation());
  }
}
