package dev.nabla.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the kernels are chosen. Surefire runs this class twice: with {@code --add-modules
 * jdk.incubator.vector} and, in its execution {@code without-vector-module}, without it, where the
 * scalar kernels must be chosen with no error.
 */
class KernelChoiceTest {

  @Test
  void theJvmsKernelsFollowItsModules() {
    assertEquals(Kernels.vectorModuleReadable() ? "vector" : "scalar", Kernels.get().name());
  }

  @Test
  void withoutTheModuleTheScalarKernelsComeWithOneHint() {
    List<String> hints = new ArrayList<>();
    assertEquals("scalar", Kernels.lookup(null, false, hints::add).name());
    assertEquals(1, hints.size());
    assertTrue(hints.get(0).contains("--add-modules jdk.incubator.vector"), hints.get(0));
  }

  @Test
  void forcingVectorWithoutTheModuleFallsBackToScalar() {
    List<String> hints = new ArrayList<>();
    assertEquals("scalar", Kernels.lookup("vector", false, hints::add).name());
    assertEquals(1, hints.size());
  }

  @Test
  void forcingScalarIsSilentEvenWithTheModule() {
    List<String> hints = new ArrayList<>();
    assertEquals("scalar", Kernels.lookup("scalar", true, hints::add).name());
    assertEquals("scalar", Kernels.lookup(" Scalar ", true, hints::add).name());
    assertEquals(List.of(), hints);
  }

  @Test
  void anUnknownSettingIsAHintNotAnError() {
    List<String> hints = new ArrayList<>();
    String expected = Kernels.vectorModuleReadable() ? "vector" : "scalar";
    assertEquals(expected, Kernels.lookup("fastest", Kernels.vectorModuleReadable(), hints::add).name());
    assertTrue(hints.get(0).contains("fastest"), hints.get(0));
  }

  @Test
  void theModuleGivesThePanamaKernelsWhenTheJvmHasIt() {
    List<String> hints = new ArrayList<>();
    KernelSupport chosen = Kernels.lookup(null, Kernels.vectorModuleReadable(), hints::add);
    if (Kernels.vectorModuleReadable()) {
      assertEquals("vector", chosen.name());
      assertEquals(List.of(), hints);
    } else {
      assertEquals("scalar", chosen.name());
      assertEquals(1, hints.size());
    }
  }
}
