package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Network;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Names from a spec never break or inject code: they are renamed, escaped, or refused clearly. */
class IdentifierHazardsTest {

  private static String spec(String model, String weight, String comment) {
    return "# " + comment + "\nmodel " + model + "\ninput x[3]\nlabel y : 2\nparam " + weight + "[2, 3]\nparam b[2]\n"
        + "out = logsoftmax(" + weight + " x + b)\nloss = nll(out, y)\n";
  }

  /**
   * Names that the generated class uses itself: its locals and parameters (a method's are named around its fields), the
   * types it refers to (then written qualified), its constants (the field is then renamed).
   */
  @ParameterizedTest
  @ValueSource(strings = {"n", "b2", "sum", "max", "invN", "labels", "dW", "Math", "INFO", "maxBatch", "result", "d" + "b",
      "δ", "Wδ", "W$", "i", "j", "k", "lo", "hi", "a", "d", "p", "t", "logSum", "seed", "random", "parameter", "owner",
      "threads", "targets", "Arrays", "List", "Float", "Double", "Integer", "String", "Override", "FloatNetwork",
      "DoubleNetwork", "ModelInfo", "Initializers", "SplittableRandom", "SPEC_HASH", "DEFAULT_MAX_BATCH"})
  void clashingNamesAreRenamedAndStillTrain(String weight) {
    String text = spec("Hazard", weight, "plain");
    Network network;
    try {
      network = Networks.parse("hazard.nabla", text);
    } catch (AssertionError rejectedByTheGrammar) {
      return; // the grammar refuses the name before the writer sees it
    }
    for (Precision precision : Precision.values()) {
      ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(network, precision)));
      Trainable model = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + ".Hazard", 2, Trainable.class);
      model.initialize(1);
      double loss = model.computeGradients(new float[] {1, 2, 3, 4, 5, 6}, new int[] {0, 1}, 2);
      assertTrue(Double.isFinite(loss), weight + " in " + precision);
      assertEquals(6, model.gradient(weight).length);
    }
  }

  @Test
  void aLongNameIsFine() {
    String weight = "W" + "w".repeat(999);
    Network network = Networks.parse("long.nabla", spec("Long", weight, "long"));
    InMemoryCompiler.compile(List.of(Networks.java(network, Precision.FLOAT)));
  }

  @Test
  void commentsCannotEndOrEscape() {
    Network network = Networks.parse("comment.nabla", spec("Comments", "W", "*/ class Evil {} /* \\u000a Evil(); \\\\u002a/"));
    String source = Networks.java(network, Precision.FLOAT).toString();
    assertTrue(!source.contains("*/ class Evil"), source);
    InMemoryCompiler.compile(List.of(Networks.java(network, Precision.FLOAT)));
  }

  /**
   * A model may take the name of a type the class uses (JavaPoet and the expressions qualify the type) or
   * a restricted identifier, which names no type in Java 17: its class takes a trailing {@code _}.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Math", "Float", "Double", "Arrays", "List", "String", "Override", "ModelInfo", "Initializers",
      "FloatNetwork", "DoubleNetwork", "SplittableRandom", "Integer", "Thread", "record", "var", "yield", "sealed", "permits"})
  void anyModelNameCompilesAndTrains(String name) {
    Network network;
    try {
      network = Networks.parse("named.nabla", spec(name, "W", "x"));
    } catch (AssertionError rejectedByTheGrammar) {
      return; // the grammar refuses the name before the writer sees it
    }
    String className = Identifiers.RESTRICTED.contains(name) ? name + "_" : name;
    for (Precision precision : Precision.values()) {
      com.palantir.javapoet.JavaFile file = Networks.java(network, precision);
      assertEquals(className, file.typeSpec().name());
      ClassLoader loader = InMemoryCompiler.compile(List.of(file));
      Trainable model = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + "." + className, 2, Trainable.class);
      model.initialize(1);
      assertEquals(name, model.info().name());
      assertTrue(Double.isFinite(model.computeGradients(new float[] {1, 2, 3, 4, 5, 6}, new int[] {0, 1}, 2)), name);
    }
  }

  @Test
  void badModelAndPackageNamesAreRefusedClearly() {
    for (String bad : List.of("1a", "a..b", "a.class", "a-b", "a.")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodegenOptions.of(bad));
      assertTrue(e.getMessage().contains("package"), e.getMessage());
    }
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> Networks.java(Networks.parse("l.nabla", spec("M" + "m".repeat(300), "W", "x")), Precision.FLOAT));
    assertTrue(tooLong.getMessage().contains("characters"), tooLong.getMessage());
  }
}
