package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Differential fuzzing of the whole pipeline: random valid specs ({@link FuzzSpecs}) go through
 * parse → lower → derive → generate (double and float) → compile (all in one javac run) → run, and
 * {@link Differential} compares the generated gradients, loss and output with the interpreter, and
 * the interpreter with central finite differences. A failing spec is shrunk ({@link Shrinker}) and
 * printed, ready to be kept in {@code src/test/resources/fuzz/regressions/}.
 *
 * <p>{@value #DEFAULT_COUNT} specs by default; {@code -Pfuzz} (or {@code -Dnabla.fuzz.count=N})
 * runs more, {@code -Dnabla.fuzz.seed=S} starts elsewhere.
 */
class DifferentialFuzzTest {
  static final int DEFAULT_COUNT = 60;

  @Test
  void generatedCodeAgreesWithTheInterpreterAndFiniteDifferences() {
    int count = Integer.getInteger("nabla.fuzz.count", DEFAULT_COUNT);
    long first = Long.getLong("nabla.fuzz.seed", 1);
    long started = System.nanoTime();
    List<Differential.Case> cases = new ArrayList<>();
    for (long seed = first; seed < first + count; seed++) {
      cases.add(specFor(seed));
    }
    List<Differential.Outcome> outcomes = Differential.check(cases, 7);
    assertEquals(count, outcomes.size());
    List<Differential.Outcome> failures = outcomes.stream().filter(Differential.Outcome::failed).toList();
    double worstDouble = 0;
    double worstFloat = 0;
    double worstFd = 0;
    int checked = 0;
    int skipped = 0;
    for (Differential.Outcome outcome : outcomes) {
      if (!outcome.failed()) {
        worstDouble = Math.max(worstDouble, outcome.doubleError());
        worstFloat = Math.max(worstFloat, outcome.floatError());
        worstFd = Math.max(worstFd, outcome.fdError());
      }
      checked += outcome.fdChecked();
      skipped += outcome.fdSkipped();
    }
    System.out.printf(Locale.ROOT, "differential fuzz: %d specs (seeds %d..%d), %d failed, in %.1f s; worst normwise error double %.2g, float %.2g; finite differences"
            + " at %d coordinates (%d skipped at kinks), worst %.2g%n",
        count, first, first + count - 1, failures.size(), (System.nanoTime() - started) / 1e9, worstDouble, worstFloat,
        checked, skipped, worstFd);
    if (!failures.isEmpty()) {
      StringBuilder message = new StringBuilder(failures.size() + " of " + count + " specs failed the differential check:\n");
      for (Differential.Outcome failure : failures.subList(0, Math.min(5, failures.size()))) {
        message.append(failure.describe()).append('\n');
      }
      // shrink the first failure to a small spec that fails the same way
      Differential.Outcome firstFailure = failures.get(0);
      if (!Differential.valid(firstFailure.spec().text())) {
        fail(message.toString()); // nothing to shrink: the generator wrote a spec that is not one
      }
      Shrinker.Result shrunk = Shrinker.shrink(firstFailure.spec().text(),
          text -> Differential.check(new Differential.Case(firstFailure.spec().name(), text, firstFailure.spec().batch(),
              firstFailure.spec().commands()), 7).problems().stream()
              .anyMatch(problem -> Differential.kind(problem).equals(Differential.kind(firstFailure.problems().get(0)))), 400);
      message.append("\nshrunk (").append(shrunk.steps()).append(" steps, ").append(shrunk.attempts())
          .append(" candidates) to:\n").append(shrunk.spec())
          .append(Differential.check(new Differential.Case(firstFailure.spec().name(), shrunk.spec()), 7).problems());
      fail(message.toString());
    }
  }

  /**
   * The spec of one seed: a third as {@link FuzzSpecs#generate} writes them, the rest as users write
   * them ({@link FuzzSpecs#userStyle}) and through the commands that print (one in {@value #ALL_COMMANDS_EVERY} through those
   * that compile too), and one in {@value #WIDE_EVERY} with the widths and batches of real networks.
   */
  static Differential.Case specFor(long seed) {
    if (seed % WIDE_EVERY == 0) {
      return new Differential.Case("Wide" + seed + ".nabla", FuzzSpecs.wide(seed), FuzzSpecs.wideBatch(seed), Differential.Commands.NONE);
    }
    if (seed % 3 == 0) {
      return new Differential.Case("Fuzz" + seed + ".nabla", FuzzSpecs.generate(seed));
    }
    return new Differential.Case("User" + seed + ".nabla", FuzzSpecs.userStyle(seed), 0,
        seed % ALL_COMMANDS_EVERY == 1 ? Differential.Commands.ALL : Differential.Commands.PRINTING);
  }

  static final int WIDE_EVERY = 20;
  static final int ALL_COMMANDS_EVERY = 20;

  /** Across the default run's seeds, the generator reaches every operation of the language. */
  @Test
  void theSpecsReachEveryOperation() {
    Set<String> wanted = new TreeSet<>();
    for (Unary unary : Unary.values()) {
      wanted.add(unary.toString());
    }
    for (Binary binary : Binary.values()) {
      wanted.add(binary.symbol());
    }
    for (Structural structural : Structural.values()) {
      wanted.add(structural.toString());
    }
    for (Loss loss : Loss.values()) {
      wanted.add(loss.toString());
    }
    wanted.addAll(List.of("^2", "^3", "^0.5", "^-1", "matrix matmul matrix", "outer product", "scalar * tensor",
        "skip connection", "label", "target", "row vector", "bce without rewrite", "nll without rewrite",
        "conv2d", "maxpool", "avgpool", "flatten", "dropout", "bias per channel", "stride 2", "padding 1", "overlapping pool"));
    Set<String> seen = new TreeSet<>();
    int defs = 0;
    int nestedDefs = 0;
    for (long seed = 1; seed <= DEFAULT_COUNT; seed++) {
      String text = FuzzSpecs.generate(seed);
      defs += text.contains("\ndef ") ? 1 : 0;
      nestedDefs += text.contains("def layer(") || text.contains("def mix(") ? 1 : 0;
      Network network = Differential.network(new Differential.Case("Fuzz" + seed + ".nabla", text));
      seen.add(network.label().isPresent() ? "label" : "target");
      if (text.contains(" X + ")) {
        seen.add("skip connection");
      }
      for (Node node : Differentiator.reachable(network.loss())) {
        Op op = node.op();
        if (op instanceof Unary || op instanceof Structural || op instanceof Loss) {
          seen.add(op.toString());
        } else if (op instanceof Binary binary) {
          seen.add(binary.symbol());
          if (binary == Binary.MUL && (node.input(0).shape().isScalar() != node.input(1).shape().isScalar())) {
            seen.add("scalar * tensor");
          }
        } else if (op instanceof Op.Power) {
          seen.add(op.name());
        } else if (op instanceof Spatial spatial) {
          seen.add(op.name());
          if (spatial instanceof Spatial.Conv2d conv) {
            seen.add(conv.stride() == 2 ? "stride 2" : "stride 1");
            seen.add(conv.padding() == 1 ? "padding 1" : "padding 0");
          }
          if ((spatial instanceof Spatial.MaxPool max && max.stride() < max.window())
              || (spatial instanceof Spatial.AvgPool average && average.stride() < average.window())) {
            seen.add("overlapping pool");
          }
        }
        if ((node.is(Binary.ADD) || node.is(Binary.SUB)) && node.shape().isImage()
            && (node.input(0).shape().isVector() || node.input(1).shape().isVector())) {
          seen.add("bias per channel");
        }
        if (node.is(Structural.MATMUL)) {
          boolean matrices = node.input(0).shape().rank() == 2 && node.input(1).shape().rank() == 2;
          if (matrices && node.input(0).shape().columns().size() > 1 && node.input(1).shape().rows().size() > 1) {
            seen.add("matrix matmul matrix");
          }
          if (node.input(0).shape().rank() == 1 && node.input(1).shape().rank() == 2 && node.input(1).shape().rows().size() == 1) {
            seen.add("outer product");
          }
        }
        if (node.is(Structural.TRANSPOSE) && node.input(0).shape().rank() == 1) {
          seen.add("row vector");
        }
        if (node.is(Loss.BCE)) {
          seen.add("bce without rewrite");
        }
        if (node.is(Loss.NLL)) {
          seen.add("nll without rewrite");
        }
      }
    }
    Set<String> missing = new TreeSet<>(wanted);
    missing.removeAll(seen);
    assertTrue(missing.isEmpty(), "never generated: " + missing + " (seen " + seen + ")");
    assertTrue(defs > DEFAULT_COUNT / 4 && nestedDefs > DEFAULT_COUNT / 10, defs + " specs with defs, " + nestedDefs + " nested");
  }
}
