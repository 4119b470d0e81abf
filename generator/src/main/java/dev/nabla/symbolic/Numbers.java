package dev.nabla.symbolic;

/** How numbers appear in formulas: {@code 2}, not {@code 2.0}; {@code 0.5}; {@code 1e-5}, not {@code 1.0E-5}. */
public final class Numbers {
  private Numbers() {}

  public static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    String text = Double.toString(value);
    int exponent = text.indexOf('E');
    if (exponent < 0) {
      return text;
    }
    String mantissa = text.substring(0, exponent);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    return mantissa + "e" + text.substring(exponent + 1);
  }

  /** A number as p/q: {@code 1/3}, {@code -1/392}. */
  public record Fraction(long numerator, long denominator) {
    @Override
    public String toString() {
      return numerator + "/" + denominator;
    }
  }

  /**
   * The fraction a formula should show instead of a long decimal: 1/3 for 0.3333333333333333, 1/392 for
   * the 2/784 of a mean's gradient; empty for an integer, a short decimal (0.1, 0.002) or anything with no
   * denominator up to 100,000 within a few units in the last place (rounding in the engine's arithmetic).
   */
  public static java.util.Optional<Fraction> fraction(double value) {
    String decimal = format(value);
    long significant = decimal.chars().takeWhile(c -> c != 'e').filter(Character::isDigit).dropWhile(c -> c == '0').count();
    if (value == Math.rint(value) || !Double.isFinite(value) || significant <= 6) {
      return java.util.Optional.empty();
    }
    for (long q = 2; q <= 100_000; q++) {
      long p = Math.round(value * q);
      if (p != 0 && Math.abs((double) p / q - value) <= 4 * Math.ulp(value)) {
        return java.util.Optional.of(new Fraction(p, q));
      }
    }
    return java.util.Optional.empty();
  }

  /** The same number for LaTeX: {@code 10^{-5}}, {@code 2.5 \cdot 10^{-7}}. */
  public static String latex(double value) {
    String text = format(value);
    int exponent = text.indexOf('e');
    if (exponent < 0) {
      return text;
    }
    String mantissa = text.substring(0, exponent);
    String power = "10^{" + text.substring(exponent + 1) + "}";
    return mantissa.equals("1") ? power : mantissa.equals("-1") ? "-" + power : mantissa + " \\cdot " + power;
  }
}
