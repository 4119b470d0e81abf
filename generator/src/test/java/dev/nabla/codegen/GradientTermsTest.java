package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Structural;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A gradient with several contributions (a term added to the loss, a parameter used twice) keeps the plain
 * network's fast path: every product {@code δ xᵀ} in it is the weight-gradient kernel over the lane's samples, and
 * none is stored per sample. (Written as one sum, {@code dZ1 Xᵀ} was kept for every sample: 200,704 values per
 * sample for a 784-256-10 network, where the plain one keeps 1,075.)
 */
class GradientTermsTest {
  private static final String PLAIN = """
      model Plain
      input  X[784]
      label  y : 10
      param  W1[256, 784]
      param  b1[256]
      param  W2[10, 256]
      param  b2[10]
      Y1 = relu(W1 X + b1)
      logits = W2 Y1 + b2
      loss = cross_entropy(logits, y)
      """;

  private static Network network(String name, String text) {
    return Networks.parse(name + ".nabla", text);
  }

  private static Plan plan(Network network) {
    return Plan.of(network, Differentiator.parameters(network));
  }

  @Test
  void aRegularizedLossKeepsThePlainNetworksPerSampleValuesAndItsKernels() {
    Network plain = network("Plain", PLAIN);
    Network regularized = network("Regularized", PLAIN.replace("model Plain", "model Regularized")
        .replace("loss = cross_entropy(logits, y)", "loss = cross_entropy(logits, y) + 0.0001 * sum(W1 * W1)"));
    Network twice = network("Twice", PLAIN.replace("model Plain", "model Twice")
        .replace("loss = cross_entropy(logits, y)", "loss = 0.0001 * sum(W1 * W1) + cross_entropy(logits, y) + 0.001 * sum(W2 * W2)"));
    ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(plain, Precision.FLOAT),
        Networks.java(regularized, Precision.FLOAT), Networks.java(twice, Precision.FLOAT)));
    int plainValues = perSample(loader, "Plain");
    assertEquals(1075, plainValues, "the plain network's values per sample");
    // One more: the per-sample loss plus the regularization term, which the mean loss reads.
    assertEquals(plainValues + 1, perSample(loader, "Regularized"), "per-sample values with a term added to the loss");
    assertEquals(plainValues + 1, perSample(loader, "Twice"), "per-sample values with two terms added to the loss");
    for (Network network : List.of(regularized, twice)) {
      Plan plan = plan(network);
      assertEquals(kernelCount(plan(plain), Plan.Kernel.WEIGHT_GRADIENT), kernelCount(plan, Plan.Kernel.WEIGHT_GRADIENT),
          network.name() + ": the weight gradients are the kernel's, as in the plain network");
      for (Node node : plan.arrays()) {
        assertTrue(!plan.perSample(node) || node.shape().size() <= 256,
            network.name() + ": " + node + " is stored per sample, " + node.shape().size() + " values");
      }
    }
    String source = Networks.java(regularized, Precision.FLOAT).toString();
    assertTrue(source.contains("weightGradient(dW1, 256, 784, dZ1, 0, 256, x, xOffset, 784, xRows, lo, hi, invN);"), source);
    assertTrue(source.contains("if (lo == 0) {\n      for (int i = 0; i < 200704; i++) {\n        dW1[i] += 1.0E-4f * (W1[i] + W1[i]);"),
        source);
  }

  @Test
  void aParameterUsedTwiceGetsOneKernelCallPerUse() {
    Network network = network("Tied", GradientAgreementTest.EXTRA.get("Tied"));
    Plan plan = plan(network);
    Node w = network.parameters().get(0);
    List<Plan.Term> terms = plan.gradientTerms().get(plan.gradients().of(w));
    assertTrue(terms != null && terms.size() >= 3, "W's gradient is a sum of its uses: " + terms);
    // W x (its two uses are one node) gives δ xᵀ, the two uses as Wᵀ v (one transposed node) (δ1 v1ᵀ + δ2 v2ᵀ)ᵀ:
    // each product one call of the kernel.
    long products = terms.stream().filter(term -> term.value().is(Structural.MATMUL)
        && plan.kernel(term.value()) == Plan.Kernel.WEIGHT_GRADIENT).count();
    assertEquals(terms.size(), products, "W's uses are weight-gradient kernel calls: " + terms);
    assertEquals(2, terms.stream().filter(Plan.Term::transposed).count(), "the transposed uses: " + terms);
    for (Node node : plan.arrays()) {
      assertFalse(plan.perSample(node) && node.shape().size() >= 96, node + " is stored per sample, " + node.shape().size() + " values");
    }
  }

  private static int perSample(ClassLoader loader, String name) {
    return InMemoryCompiler.instantiate(loader, Networks.PACKAGE + "." + name, 8, Trainable.class).info().activationsPerSample();
  }

  private static long kernelCount(Plan plan, Plan.Kernel kernel) {
    return plan.kernels().values().stream().filter(kernel::equals).count();
  }
}
