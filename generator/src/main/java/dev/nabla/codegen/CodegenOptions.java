package dev.nabla.codegen;

/**
 * How a network is turned into Java.
 *
 * @param packageName the package of the generated class ({@code ""} for the default package)
 * @param precision whether the generated arithmetic is {@code float} or {@code double}
 * @param withTests whether a JUnit 5 gradient-check test is generated next to the class
 */
public record CodegenOptions(String packageName, Precision precision, boolean withTests) {

  /** The arithmetic of the generated class. */
  public enum Precision {
    /** {@code float} arrays: what training runs on; the class is a {@code FloatTrainable}. */
    FLOAT,
    /** {@code double} arrays: for gradient checks against the interpreter. */
    DOUBLE
  }

  public CodegenOptions {
    Identifiers.checkPackage(packageName);
    if (precision == null) {
      throw new IllegalArgumentException("a precision is required: FLOAT or DOUBLE");
    }
  }

  /** Float precision, no test, in {@code packageName}. */
  public static CodegenOptions of(String packageName) {
    return new CodegenOptions(packageName, Precision.FLOAT, false);
  }

  public CodegenOptions withPrecision(Precision precision) {
    return new CodegenOptions(packageName, precision, withTests);
  }

  public CodegenOptions withTests(boolean withTests) {
    return new CodegenOptions(packageName, precision, withTests);
  }
}
