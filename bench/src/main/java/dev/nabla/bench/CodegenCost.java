package dev.nabla.bench;

import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.InMemoryCompiler;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import java.util.List;
import java.util.Locale;

/**
 * The cost of code generation, by depth: parse + derive + generate + compile (javac in memory) of an
 * MLP of {@code depth} hidden layers of width {@value #WIDTH}; the best of a few runs after warm-up,
 * printed as JSON lines. Run: {@code java -cp bench/target/benchmarks.jar dev.nabla.bench.CodegenCost}.
 */
public final class CodegenCost {
  static final int WIDTH = 32;

  public static void main(String[] args) {
    int[] depths = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray() : new int[] {25, 50, 100, 200};
    run(50, 3);
    for (int depth : depths) {
      long best = Long.MAX_VALUE;
      long[] phases = null;
      for (int repeat = 0; repeat < 3; repeat++) {
        long[] times = run(depth, 1);
        if (times[4] < best) {
          best = times[4];
          phases = times;
        }
      }
      System.out.printf(Locale.ROOT, "{\"depth\": %d, \"parse_ms\": %.1f, \"derive_ms\": %.1f, \"generate_ms\": %.1f, \"compile_ms\": %.1f, \"total_ms\": %.1f}%n",
          depth, phases[0] / 1e6, phases[1] / 1e6, phases[2] / 1e6, phases[3] / 1e6, phases[4] / 1e6);
    }
  }

  private static long[] run(int depth, int repeats) {
    long[] times = new long[5];
    for (int r = 0; r < repeats; r++) {
      int[] widths = new int[depth + 2];
      widths[0] = 64;
      for (int l = 1; l <= depth; l++) {
        widths[l] = WIDTH;
      }
      widths[depth + 1] = 10;
      String name = "Deep" + depth;
      long t0 = System.nanoTime();
      Network network = Networks.network(name, Networks.spec(name, widths));
      long t1 = System.nanoTime();
      Gradients gradients = Differentiator.parameters(network);
      long t2 = System.nanoTime();
      var file = JavaWriter.write(network, gradients, new CodegenOptions(Networks.PACKAGE, CodegenOptions.Precision.FLOAT, false));
      long t3 = System.nanoTime();
      InMemoryCompiler.compile(List.of(file));
      long t4 = System.nanoTime();
      times = new long[] {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0};
    }
    return times;
  }
}
