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
