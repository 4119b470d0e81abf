package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training throughput: one SGD step per operation on consecutive batches of a synthetic epoch of
 * {@value #EPOCH} samples; the {@code samples} counter is the figure reported, in samples per second.
 * The forward-only and gradient-only operations give the backward/forward cost ratio.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class TrainingBenchmark {
  static final int EPOCH = 60_000;

  /** generated-float, generated-vector (float, Vector API backend), generated-double or hand (the hand-written baseline). */
  @Param({"generated-float", "generated-vector", "generated-double", "hand"})
  public String impl;

  @Param({"784-20-10", "784-256-128-10"})
  public String layers;

  @Param({"1", "16", "64", "256", "1024"})
  public int batch;

  private Trainable model;
  private HandMlp hand;
  private float[][] batches;
  private int[][] batchLabels;
  private int step;

  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Samples {
    public long samples;

    @Setup(Level.Iteration)
    public void reset() {
      samples = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    int[] widths = Networks.widths(layers);
    int inputSize = widths[0];
    float[] x = Networks.inputs(EPOCH, inputSize, 1);
    int[] labels = Networks.labels(EPOCH, widths[widths.length - 1], 1);
    // The epoch split once into its batches, as PyTorch's baseline slices views of one tensor: a step reads its
    // batch where it lies instead of copying it first (the API takes batches from index 0).
    int steps = EPOCH / batch;
    batches = new float[steps][];
    batchLabels = new int[steps][];
    for (int i = 0; i < steps; i++) {
      batches[i] = Arrays.copyOfRange(x, i * batch * inputSize, (i + 1) * batch * inputSize);
      batchLabels[i] = Arrays.copyOfRange(labels, i * batch, (i + 1) * batch);
    }
    switch (impl) {
      case "generated-float" -> model = Networks.generated(layers, Precision.FLOAT, batch);
      case "generated-vector" -> model = Networks.generated(layers, Precision.FLOAT, CodegenOptions.Backend.VECTOR, batch);
      case "generated-double" -> model = Networks.generated(layers, Precision.DOUBLE, batch);
      case "hand" -> {
        hand = new HandMlp(widths, batch);
        hand.initialize(42);
      }
      default -> throw new IllegalArgumentException("impl " + impl);
    }
  }

  @Benchmark
  public double train(Samples samples) {
    float[] window = batches[step];
    int[] windowLabels = batchLabels[step];
    step = step + 1 == batches.length ? 0 : step + 1;
    samples.samples += batch;
    return model != null ? model.trainStep(window, windowLabels, batch, 0.01f) : hand.trainStep(window, windowLabels, batch, 0.01f);
  }
}
