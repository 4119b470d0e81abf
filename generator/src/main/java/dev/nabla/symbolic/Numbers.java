package dev.nabla.symbolic;

/** How numbers appear in formulas: {@code 2}, not {@code 2.0}; {@code 0.5}; {@code 1e-08}. */
public final class Numbers {
  private Numbers() {}

  public static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }
}
