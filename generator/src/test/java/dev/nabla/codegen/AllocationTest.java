package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** After warm-up, a training step allocates nothing: every buffer was made by the constructor. */
class AllocationTest {

  @ParameterizedTest
  @EnumSource(Precision.class)
  void trainStepAllocatesNothingAfterWarmUp(Precision precision) {
    assertStepsAllocateNothing(trained("FashionMlp", precision), 784, 10);
  }

  /** A convolutional network in training mode: convolutions, both poolings, flatten, and dropout drawing its masks. */
  @ParameterizedTest
  @EnumSource(Precision.class)
  void aConvolutionalTrainStepWithDropoutAllocatesNothingAfterWarmUp(Precision precision) {
    Trainable model = trained("TinyCnn", precision);
    model.training(11, 0);
    assertStepsAllocateNothing(model, 64, 4);
  }

  private static Trainable trained(String name, Precision precision) {
    ClassLoader loader = InMemoryCompiler.compile(List.of(Networks.java(Networks.resource(name), precision)));
    Trainable model = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + "." + name, 16, Trainable.class);
    model.initialize(5);
    return model;
  }

  private static void assertStepsAllocateNothing(Trainable model, int inputSize, int classes) {
    float[] x = new float[16 * inputSize];
    int[] labels = new int[16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 97) / 97f;
    }
    for (int b = 0; b < 16; b++) {
      labels[b] = b % classes;
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int step = 0; step < 3000; step++) {
      model.trainStep(x, labels, 16, 0.01f);
    }
    // A window of 1000 steps with no allocation at all: a step that allocated would show in every window,
    // while the JIT may still finish compiling a kernel (boxing a few vectors once) in the first ones.
    List<Long> windows = new java.util.ArrayList<>();
    for (int window = 0; window < 5 && !windows.contains(0L); window++) {
      long before = threads.getThreadAllocatedBytes(thread);
      for (int step = 0; step < 1000; step++) {
        model.trainStep(x, labels, 16, 0.01f);
      }
      windows.add(threads.getThreadAllocatedBytes(thread) - before);
    }
    assertEquals(0L, windows.get(windows.size() - 1), "bytes allocated by each window of 1000 training steps: " + windows);
  }
}
