package dev.nabla.bench;

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

/** Training throughput of the interpreter (slow: a few batch sizes of the lesson's network). */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 2, time = 2)
@Fork(1)
@State(Scope.Thread)
public class InterpreterBenchmark {
  @Param({"784-20-10"})
  public String layers;

  @Param({"1", "64"})
  public int batch;

  private InterpretedMlp model;
  private float[] x;
  private int[] labels;
  private int position;

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
    x = Networks.inputs(4096, widths[0], 1);
    labels = Networks.labels(4096, widths[widths.length - 1], 1);
    model = new InterpretedMlp(layers);
  }

  @Benchmark
  public double train(Samples samples) {
    if (position + batch > 4096) {
      position = 0;
    }
    samples.samples += batch;
    double loss = model.trainStep(x, position, labels, batch, 0.01f);
    position += batch;
    return loss;
  }
}
