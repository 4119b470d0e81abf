package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
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

/** Inference throughput: {@code predict} on a batch of {@value #BATCH} samples; {@code samples} per second. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class InferenceBenchmark {
  static final int BATCH = 10_000;

  @Param({"generated-float", "generated-vector", "generated-double", "hand"})
  public String impl;

  @Param({"784-20-10", "784-256-128-10"})
  public String layers;

  private Trainable model;
  private HandMlp hand;
  private float[] x;
  private float[] result;

  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Samples {
    public long samples;

    @Setup(Level.Iteration)
    public void reset() {
      samples = 0;
    }
  }

  @Setup
  public void setUp() {
    int[] widths = Networks.widths(layers);
    x = Networks.inputs(BATCH, widths[0], 3);
    result = new float[BATCH * widths[widths.length - 1]];
    switch (impl) {
      case "generated-float" -> model = Networks.generated(layers, Precision.FLOAT, BATCH);
      case "generated-vector" -> model = Networks.generated(layers, Precision.FLOAT, CodegenOptions.Backend.VECTOR, BATCH);
      case "generated-double" -> model = Networks.generated(layers, Precision.DOUBLE, BATCH);
      case "hand" -> {
        hand = new HandMlp(widths, BATCH);
        hand.initialize(42);
      }
      default -> throw new IllegalArgumentException("impl " + impl);
    }
  }

  @Benchmark
  public float[] predict(Samples samples) {
    samples.samples += BATCH;
    if (model != null) {
      model.predict(x, BATCH, result);
    } else {
      hand.predict(x, BATCH, result);
    }
    return result;
  }
}
