package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The specs kept in {@code src/test/resources/fuzz/regressions/}: shrunk failures of the fuzzer and
 * hand-written hazards, each through the same differential check, at a few sample seeds.
 */
class RegressionSpecsTest {

  static List<Differential.Case> regressions() {
    URL directory = RegressionSpecsTest.class.getResource("/fuzz/regressions");
    if (directory == null) {
      throw new AssertionError("missing test resources fuzz/regressions");
    }
    try (Stream<Path> files = Files.list(Path.of(directory.toURI()))) {
      List<Differential.Case> cases = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".nabla")).sorted().toList()) {
        cases.add(new Differential.Case(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8)));
      }
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void everyRegressionSpecPassesTheDifferentialCheck() {
    List<Differential.Case> cases = regressions();
    assertFalse(cases.isEmpty(), "no regression specs");
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      for (Differential.Outcome outcome : Differential.check(cases, seed)) {
        if (outcome.failed()) {
          failures.add("seed " + seed + ": " + outcome.describe());
        }
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " regression check(s) failed:\n" + String.join("\n", failures));
    }
  }
}
