package dev.nabla.bench;

import dev.nabla.runtime.kernels.KernelSupport;
import dev.nabla.runtime.kernels.ScalarKernels;
import dev.nabla.runtime.kernels.Workspace;
import java.util.SplittableRandom;
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
 * The runtime's three dense kernels alone, in GFLOP/s (the {@code flops} counter, in floating-point operations per
 * nanosecond: 2 per multiply-add), at the layer shapes of 784-256-128-10 and 784-20-10: {@code shape} is
 * {@code ROWSxCOLUMNS} of the weight matrix, {@code batch} the samples of one call. A model's lane is one thread
 * running these calls on its share of the batch, so the benchmark runs on one thread; run it with {@code -t 2
 * -p lanes=2} for two lanes, each with its half of the batch (as a model splits a batch over two cores).
 *
 * <p>This is a kernel microbenchmark: what a user of {@code nabla train} gets is {@code bench/run-e2e}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class DenseKernelBenchmark {
  /** The weight shapes of 784-256-128-10 (its three layers) and of 784-20-10 (its two). */
  @Param({"256x784", "128x256", "10x128", "20x784", "10x20"})
  public String shape;

  @Param({"64", "1024"})
  public int batch;

  @Param({"scalar", "vector"})
  public String kernels;

  /** How many threads share the batch (with {@code -t} set to the same count): each runs {@code batch / lanes}. */
  @Param({"1"})
  public int lanes;

  private KernelSupport impl;
  private final Workspace work = new Workspace();
  private int rows;
  private int columns;
  private int samples;
  private float[] w;
  private float[] bias;
  private float[] x;
  private float[] d;
  private float[] out;
  private float[] back;
  private float[] g;

  /** Floating-point operations done; JMH reports them per nanosecond, that is in GFLOP/s. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Flops {
    public long flops;

    @Setup(Level.Iteration)
    public void reset() {
      flops = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws ReflectiveOperationException {
    impl = kernels.equals("scalar") ? new ScalarKernels()
        : (KernelSupport) Class.forName("dev.nabla.runtime.kernels.PanamaKernels").getDeclaredConstructor().newInstance();
    String[] parts = shape.split("x");
    rows = Integer.parseInt(parts[0]);
    columns = Integer.parseInt(parts[1]);
    samples = batch / lanes;
    SplittableRandom random = new SplittableRandom(7);
    w = floats(rows * columns, random);
    bias = floats(rows, random);
    x = floats(samples * columns, random);
    d = floats(samples * rows, random);
    out = new float[samples * rows];
    back = new float[samples * columns];
    g = new float[rows * columns];
  }

  private static float[] floats(int n, SplittableRandom random) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (random.nextDouble() * 2 - 1) * 0.1f;
    }
    return values;
  }

  private long flopsPerCall() {
    return 2L * rows * columns * samples;
  }

  /** The forward product {@code W x + b} over the samples. */
  @Benchmark
  public float dense(Flops flops) {
    impl.dense(work, w, rows, columns, bias, x, 0, columns, null, 0, samples, out, 0, rows);
    flops.flops += flopsPerCall();
    return out[0];
  }

  /** The backward product {@code Wᵀ δ} over the samples. */
  @Benchmark
  public float transposedDense(Flops flops) {
    impl.transposedDense(work, w, rows, columns, d, 0, rows, 0, samples, back, 0, columns);
    flops.flops += flopsPerCall();
    return back[0];
  }

  /** The weight gradient {@code Σ_b δ_b x_bᵀ / n}. */
  @Benchmark
  public float weightGradient(Flops flops) {
    impl.weightGradient(work, g, rows, columns, d, 0, rows, x, 0, columns, null, 0, samples, 1f / batch);
    flops.flops += flopsPerCall();
    return g[0];
  }
}
