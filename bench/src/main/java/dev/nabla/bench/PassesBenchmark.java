package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
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
 * Forward alone ({@code loss}) against forward + backward ({@code computeGradients}) of the generated
 * float class, on one batch: backward costs (gradients − loss) / loss times the forward.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PassesBenchmark {
  @Param({"784-20-10", "784-256-128-10"})
  public String layers;

  @Param({"64"})
  public int batch;

  @Param({"SCALAR", "VECTOR"})
  public CodegenOptions.Backend backend;

  private Trainable model;
  private float[] x;
  private int[] labels;

  @Setup
  public void setUp() {
    int[] widths = Networks.widths(layers);
    model = Networks.generated(layers, Precision.FLOAT, backend, batch);
    x = Networks.inputs(batch, widths[0], 2);
    labels = Networks.labels(batch, widths[widths.length - 1], 2);
  }

  @Benchmark
  public double forward() {
    return model.loss(x, labels, batch);
  }

  @Benchmark
  public double forwardBackward() {
    return model.computeGradients(x, labels, batch);
  }
}
