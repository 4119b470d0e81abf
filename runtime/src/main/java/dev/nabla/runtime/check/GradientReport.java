package dev.nabla.runtime.check;

import java.util.List;
import java.util.Locale;

/**
 * The gradient check of every parameter of a model.
 *
 * @param parameters one check per parameter, in the model's order
 * @param tolerance the largest error that passes
 */
public record GradientReport(List<ParameterCheck> parameters, double tolerance) {

  public GradientReport {
    parameters = List.copyOf(parameters);
  }

  /** The largest error of all parameters. */
  public double worstError() {
    return parameters.stream().mapToDouble(ParameterCheck::worstError).max().orElse(0);
  }

  /** Whether every parameter is within the tolerance. */
  public boolean passed() {
    return worstError() <= tolerance;
  }

  /** One line per parameter: {@code ok   W1[20×784]  20 checked  worst 3.1e-05 at 1234 (analytic …, numeric …)}. */
  public String format() {
    StringBuilder text = new StringBuilder();
    for (ParameterCheck check : parameters) {
      text.append(String.format(Locale.ROOT, "%-4s %-16s %4d checked  worst error %.2e at index %d (analytic %.6g, numeric %.6g)%n",
          check.worstError() <= tolerance ? "ok" : "FAIL", check.parameter(), check.checked(), check.worstError(),
          check.worstIndex(), check.analytic(), check.numeric()));
    }
    text.append(String.format(Locale.ROOT, "%s: worst error %.2e, tolerance %.0e%n", passed() ? "passed" : "FAILED",
        worstError(), tolerance));
    return text.toString();
  }
}
