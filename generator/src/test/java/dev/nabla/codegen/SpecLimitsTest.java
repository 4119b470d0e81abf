package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Specs at the edge of what a class can hold (issue 18, items 4 to 7): each either compiles and computes the
 * spec's values or is refused with its position; the writer never writes a class that does not compile.
 */
class SpecLimitsTest {

  private static String spec(String body) {
    return "model Edge\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nparam b[2]\n" + body;
  }

  private static Trainable compiled(Network network, Precision precision) {
    ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(network, precision)));
    Trainable model = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + ".Edge", 2, Trainable.class);
    model.initialize(3);
    return model;
  }

  private static double loss(Trainable model) {
    return model.computeGradients(new float[] {1, 2, 3, -1, 0.5f, 2}, new int[] {0, 1}, 2);
  }

  @Test
  void aConstantBeyondFloatIsRefusedWithItsPositionInFloatAndKeptInDouble() {
    Network network = Networks.parse("edge.nabla", spec("logits = W x * 1e39 + b\nloss = cross_entropy(logits, y)\n"));
    UnsupportedSpecException refused = assertThrows(UnsupportedSpecException.class, () -> Networks.java(network, Precision.FLOAT));
    assertTrue(refused.getMessage().startsWith("the constant 1e39 is beyond the range of float"), refused.getMessage());
    assertTrue(refused.position().startsWith("6:"), refused.position());
    assertTrue(Double.isFinite(loss(compiled(network, Precision.DOUBLE))));
  }

  @Test
  void constantsAreFoldedInDoubleBeforeTheirRangeIsChecked() {
    Network scaled = Networks.parse("edge.nabla", spec("logits = W x * (1e200 * 1e-200) + b\nloss = cross_entropy(logits, y)\n"));
    Network plain = Networks.parse("edge.nabla", spec("logits = W x + b\nloss = cross_entropy(logits, y)\n"));
    assertEquals(loss(same(compiled(plain, Precision.FLOAT))), loss(same(compiled(scaled, Precision.FLOAT))), 1e-6);
  }

  /** The same parameters for both: the initial bound of b depends on whether a product is added to it directly. */
  private static Trainable same(Trainable model) {
    model.setParameter("W", new double[] {0.1, -0.2, 0.3, 0.05, 0.5, -0.4});
    model.setParameter("b", new double[] {0.01, -0.02});
    return model;
  }

  @Test
  void anInitialValueBeyondFloatIsRefusedInFloat() {
    Network network = Networks.parse("edge.nabla", "model Edge\ninput x[3]\nlabel y : 2\nparam W[2, 3] init constant(1e300)\n"
        + "loss = cross_entropy(W x, y)\n");
    UnsupportedSpecException refused = assertThrows(UnsupportedSpecException.class, () -> Networks.java(network, Precision.FLOAT));
    assertTrue(refused.getMessage().contains("beyond the range of float"), refused.getMessage());
    assertTrue(Double.isFinite(compiled(network, Precision.DOUBLE).parameter("W")[0]));
  }

  @Test
  void theInputOnTheLeftOfAProductCompilesInBothPrecisions() {
    Network network = Networks.parse("edge.nabla", "model Edge\ninput x[3]\nlabel y : 2\nparam W[3, 2]\n"
        + "out = (x' W)'\nloss = cross_entropy(out, y)\n");
    double inDouble = loss(compiled(network, Precision.DOUBLE));
    assertEquals(inDouble, loss(compiled(network, Precision.FLOAT)), 1e-5);
  }

  @Test
  void aConstantLossCompilesWithZeroGradients() {
    Network network;
    try {
      network = Networks.parse("edge.nabla", spec("out = W x + b\nloss = 3\n"));
    } catch (AssertionError refusedByTheFrontEnd) {
      assertTrue(refusedByTheFrontEnd.getMessage().contains("loss"), refusedByTheFrontEnd.getMessage());
      return;
    }
    for (Precision precision : Precision.values()) {
      Trainable model = compiled(network, precision);
      assertEquals(3, loss(model), 1e-12);
      for (double g : model.gradient("W")) {
        assertEquals(0, g);
      }
    }
  }
}
