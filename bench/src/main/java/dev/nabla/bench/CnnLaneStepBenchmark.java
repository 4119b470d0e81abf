package dev.nabla.bench;

import dev.nabla.runtime.kernels.Conv2d;
import dev.nabla.runtime.kernels.Dropout;
import dev.nabla.runtime.kernels.KernelSupport;
import dev.nabla.runtime.kernels.Kernels;
import dev.nabla.runtime.kernels.Pool2d;
import dev.nabla.runtime.kernels.Workspace;
import java.util.SplittableRandom;
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
 * One lane's share of a training step of CNN-API.md's network, as the runtime's kernels run it: the
 * forward pass (conv, relu, max pool twice, the dense layers, dropout) and the backward pass (both
 * dense layers' products, dropout, the poolings' routing, relu's mask, conv2's two gradients, conv1's
 * kernel gradient) over {@code lane} samples. Left out: softmax with the loss, summing the lanes'
 * gradients and the optimizer step (421k parameters), which the generated class and the trainer add.
 * With {@code -t 2} two lanes run at once, as a batch of 2·lane does on 2 threads: then
 * {@code 2·lane / time} is the most samples per second the kernels allow end to end.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class CnnLaneStepBenchmark {
  @Param({"32"})
  public int lane;

  private final Conv2d conv1 = new Conv2d(1, 28, 28, 32, 3, 3, 1, 1);
  private final Pool2d pool1 = new Pool2d(32, 28, 28, 2, 2);
  private final Conv2d conv2 = new Conv2d(32, 14, 14, 64, 3, 3, 1, 1);
  private final Pool2d pool2 = new Pool2d(64, 14, 14, 2, 2);
  private static final int FLAT = 3136, HIDDEN = 128, CLASSES = 10;
  private final KernelSupport kernels = Kernels.get();
  private final Workspace work = new Workspace();
  private long step;

  private float[] k1, c1, k2, c2, w3, b3, w4, b4, gk1, gc1, gk2, gc2, gw3, gb3, gw4, gb4;
  private float[] x, a1, p1, a2, p2, h3, d3, mask, logits, dLogits, dD3, dH3, dP2, dA2, dP1, dA1;
  private int[] arg1, arg2;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(3);
    k1 = values(conv1.kernelSize(), random, 1 / 3.0);
    c1 = new float[32];
    k2 = values(conv2.kernelSize(), random, 1 / 17.0);
    c2 = new float[64];
    w3 = values(HIDDEN * FLAT, random, 1 / 56.0);
    b3 = new float[HIDDEN];
    w4 = values(CLASSES * HIDDEN, random, 1 / 11.0);
    b4 = new float[CLASSES];
    gk1 = new float[k1.length];
    gc1 = new float[c1.length];
    gk2 = new float[k2.length];
    gc2 = new float[c2.length];
    gw3 = new float[w3.length];
    gb3 = new float[b3.length];
    gw4 = new float[w4.length];
    gb4 = new float[b4.length];
    x = values(lane * 784, random, 1);
    a1 = new float[lane * conv1.outputSize()];
    dA1 = new float[a1.length];
    p1 = new float[lane * pool1.outputSize()];
    dP1 = new float[p1.length];
    arg1 = new int[p1.length];
    a2 = new float[lane * conv2.outputSize()];
    dA2 = new float[a2.length];
    p2 = new float[lane * pool2.outputSize()];
    dP2 = new float[p2.length];
    arg2 = new int[p2.length];
    h3 = new float[lane * HIDDEN];
    d3 = new float[h3.length];
    mask = new float[h3.length];
    dD3 = new float[h3.length];
    dH3 = new float[h3.length];
    logits = new float[lane * CLASSES];
    dLogits = values(lane * CLASSES, random, 0.1);
  }

  private static float[] values(int size, SplittableRandom random, double scale) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return values;
  }

  private static void relu(float[] v) {
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.max(v[i], 0f);
    }
  }

  /** d ⊙ [v > 0], in place in d. */
  private static void reluGradient(float[] v, float[] d) {
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i] > 0 ? d[i] : 0f;
    }
  }

  @Benchmark
  public float[] step() {
    float scale = 1f / (2 * lane);
    conv1.forward(work, k1, c1, x, 0, 784, 0, lane, a1, 0, conv1.outputSize());
    relu(a1);
    pool1.maxForward(a1, 0, pool1.inputSize(), 0, lane, p1, 0, pool1.outputSize(), arg1);
    conv2.forward(work, k2, c2, p1, 0, conv2.inputSize(), 0, lane, a2, 0, conv2.outputSize());
    relu(a2);
    pool2.maxForward(a2, 0, pool2.inputSize(), 0, lane, p2, 0, pool2.outputSize(), arg2);
    kernels.dense(work, w3, HIDDEN, FLAT, b3, p2, 0, FLAT, null, 0, lane, h3, 0, HIDDEN);
    relu(h3);
    Dropout.forward(0.25, 42, step++, h3, 0, HIDDEN, HIDDEN, 0, lane, d3, 0, HIDDEN, mask);
    kernels.dense(work, w4, CLASSES, HIDDEN, b4, d3, 0, HIDDEN, null, 0, lane, logits, 0, CLASSES);

    kernels.weightGradient(work, gw4, CLASSES, HIDDEN, dLogits, 0, CLASSES, d3, 0, HIDDEN, null, 0, lane, scale);
    kernels.transposedDense(work, w4, CLASSES, HIDDEN, dLogits, 0, CLASSES, 0, lane, dD3, 0, HIDDEN);
    Dropout.gradient(dD3, 0, HIDDEN, HIDDEN, mask, 0, lane, dH3, 0, HIDDEN);
    reluGradient(h3, dH3);
    kernels.weightGradient(work, gw3, HIDDEN, FLAT, dH3, 0, HIDDEN, p2, 0, FLAT, null, 0, lane, scale);
    kernels.transposedDense(work, w3, HIDDEN, FLAT, dH3, 0, HIDDEN, 0, lane, dP2, 0, FLAT);
    pool2.maxGradient(dP2, 0, pool2.outputSize(), arg2, 0, lane, dA2, 0, pool2.inputSize());
    reluGradient(a2, dA2);
    conv2.kernelGradient(work, gk2, gc2, p1, 0, conv2.inputSize(), dA2, 0, conv2.outputSize(), 0, lane, scale);
    conv2.inputGradient(work, k2, dA2, 0, conv2.outputSize(), 0, lane, dP1, 0, conv2.inputSize());
    pool1.maxGradient(dP1, 0, pool1.outputSize(), arg1, 0, lane, dA1, 0, pool1.inputSize());
    reluGradient(a1, dA1);
    conv1.kernelGradient(work, gk1, gc1, x, 0, 784, dA1, 0, conv1.outputSize(), 0, lane, scale);
    return gk1;
  }
}
