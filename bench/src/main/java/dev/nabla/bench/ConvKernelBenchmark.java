package dev.nabla.bench;

import dev.nabla.runtime.kernels.Conv2d;
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
 * The convolution kernels of CNN-API.md's network (conv2d(K1, X, padding=1) on 1×28×28 into 32
 * channels, conv2d(K2, P1, padding=1) on 32×14×14 into 64), in float over one thread-lane's share of
 * a batch of 64 on 2 threads: 32 samples. The {@code flops} counter is in FLOP per nanosecond, that is
 * GFLOP/s: 2·O·C·KH·KW·OH·OW per sample for each of the forward pass and the two gradients. Run with
 * {@code -t 2} for both lanes at once; {@code -jvmArgsAppend -Dnabla.kernels=scalar} for the plain Java
 * products.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ConvKernelBenchmark {
  @Param({"conv1", "conv2"})
  public String layer;

  @Param({"32"})
  public int lane;

  private Conv2d conv;
  private final Workspace work = new Workspace();
  private float[] k, bias, x, y, dy, dx, dk, dbias;
  private long flopsPerCall;

  /** FLOP done, reported per nanosecond: GFLOP/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public long flops;

    @Setup(Level.Iteration)
    public void reset() {
      flops = 0;
    }
  }

  @Setup
  public void setUp() {
    conv = switch (layer) {
      case "conv1" -> new Conv2d(1, 28, 28, 32, 3, 3, 1, 1);
      case "conv2" -> new Conv2d(32, 14, 14, 64, 3, 3, 1, 1);
      default -> throw new IllegalArgumentException("no layer " + layer + " (conv1 or conv2)");
    };
    SplittableRandom random = new SplittableRandom(7);
    k = values(conv.kernelSize(), random);
    bias = values(conv.outChannels(), random);
    x = values(lane * conv.inputSize(), random);
    dy = values(lane * conv.outputSize(), random);
    y = new float[lane * conv.outputSize()];
    dx = new float[lane * conv.inputSize()];
    dk = new float[conv.kernelSize()];
    dbias = new float[conv.outChannels()];
    flopsPerCall = 2L * conv.kernelSize() * conv.outHeight() * conv.outWidth() * lane;
  }

  private static float[] values(int size, SplittableRandom random) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) (random.nextDouble() - 0.5);
    }
    return values;
  }

  @Benchmark
  public float[] forward(Flops counter) {
    conv.forward(work, k, bias, x, 0, conv.inputSize(), 0, lane, y, 0, conv.outputSize());
    counter.flops += flopsPerCall;
    return y;
  }

  @Benchmark
  public float[] inputGradient(Flops counter) {
    conv.inputGradient(work, k, dy, 0, conv.outputSize(), 0, lane, dx, 0, conv.inputSize());
    counter.flops += flopsPerCall;
    return dx;
  }

  @Benchmark
  public float[] kernelGradient(Flops counter) {
    conv.kernelGradient(work, dk, dbias, x, 0, conv.inputSize(), dy, 0, conv.outputSize(), 0, lane, 1f / 64);
    counter.flops += flopsPerCall;
    return dk;
  }
}
