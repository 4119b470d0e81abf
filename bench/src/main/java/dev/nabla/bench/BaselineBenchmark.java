package dev.nabla.bench;

import dev.nabla.bench.baseline.FashionMlpBeforeScalar;
import dev.nabla.bench.baseline.FashionMlpBeforeVector;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * "No speed lost": the lesson's network as generated before the kernels and threads moved to the runtime
 * ({@code before-scalar}, {@code before-vector}: the old goldens, kept in {@code dev.nabla.bench.baseline})
 * against the class generated now ({@code now}), one SGD step per operation, in one run. The fork has the
 * Vector API module, so {@code now} runs the runtime's Vector API kernels; run with {@code -jvmArgsAppend
 * -Dnabla.kernels=scalar} for its plain Java ones. Operations per second times {@code batch} is samples per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class BaselineBenchmark {
  static final int EPOCH = 60_000;

  @Param({"before-scalar", "before-vector", "now"})
  public String impl;

  @Param({"16", "64", "256", "1024"})
  public int batch;

  private Trainable model;
  private float[][] batches;
  private int[][] batchLabels;
  private int step;

  @Setup
  public void setUp() {
    float[] x = Networks.inputs(EPOCH, 784, 1);
    int[] labels = Networks.labels(EPOCH, 10, 1);
    int steps = EPOCH / batch;
    batches = new float[steps][];
    batchLabels = new int[steps][];
    for (int i = 0; i < steps; i++) {
      batches[i] = Arrays.copyOfRange(x, i * batch * 784, (i + 1) * batch * 784);
      batchLabels[i] = Arrays.copyOfRange(labels, i * batch, (i + 1) * batch);
    }
    model = switch (impl) {
      case "before-scalar" -> new FashionMlpBeforeScalar(batch);
      case "before-vector" -> new FashionMlpBeforeVector(batch);
      case "now" -> Networks.generated("784-20-10", Precision.FLOAT, batch);
      default -> throw new IllegalArgumentException("impl " + impl);
    };
    model.initialize(42);
  }

  @Benchmark
  public double train() {
    float[] window = batches[step];
    int[] windowLabels = batchLabels[step];
    step = step + 1 == batches.length ? 0 : step + 1;
    return model.trainStep(window, windowLabels, batch, 0.01f);
  }
}
