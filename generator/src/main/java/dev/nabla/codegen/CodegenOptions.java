package dev.nabla.codegen;

/**
 * How a network is turned into Java.
 *
 * @param packageName the package of the generated class ({@code ""} for the default package)
 * @param precision whether the generated arithmetic is {@code float} or {@code double}
 * @param withTests whether a JUnit 5 gradient-check test is generated next to the class
 * @param backend deprecated, and no longer changes the class: the runtime chooses its kernels when the class runs
 */
public record CodegenOptions(String packageName, Precision precision, boolean withTests, Backend backend) {

  /** The arithmetic of the generated class. */
  public enum Precision {
    /** {@code float} arrays: what training runs on; the class is a {@code FloatTrainable}. */
    FLOAT,
    /** {@code double} arrays: for gradient checks against the interpreter. */
    DOUBLE
  }

  /**
   * Deprecated: the kernel sets of the runtime ({@code dev.nabla.runtime.kernels}), which it chooses when
   * a class runs: the Vector API ones when the JVM has {@code jdk.incubator.vector}, plain Java otherwise;
   * {@code -Dnabla.kernels=scalar|vector} forces one. Both values write the same class; the option stays
   * so that existing builds and command lines keep working.
   */
  public enum Backend {
    /** The plain Java kernels. */
    SCALAR,
    /** The Vector API kernels. */
    VECTOR;

    /** The backend named {@code name} ({@code scalar} or {@code vector}, any case). */
    public static Backend named(String name) {
      for (Backend backend : values()) {
        if (backend.name().equalsIgnoreCase(name)) {
          return backend;
        }
      }
      throw new IllegalArgumentException("no backend '" + name + "': the backends are scalar and vector");
    }
  }

  public CodegenOptions {
    Identifiers.checkPackage(packageName);
    if (precision == null) {
      throw new IllegalArgumentException("a precision is required: FLOAT or DOUBLE");
    }
    if (backend == null) {
      throw new IllegalArgumentException("a backend is required: SCALAR or VECTOR");
    }
  }

  /** The plain-Java backend. */
  public CodegenOptions(String packageName, Precision precision, boolean withTests) {
    this(packageName, precision, withTests, Backend.SCALAR);
  }

  /** Float precision, no test, in {@code packageName}. */
  public static CodegenOptions of(String packageName) {
    return new CodegenOptions(packageName, Precision.FLOAT, false);
  }

  public CodegenOptions withPrecision(Precision precision) {
    return new CodegenOptions(packageName, precision, withTests, backend);
  }

  public CodegenOptions withTests(boolean withTests) {
    return new CodegenOptions(packageName, precision, withTests, backend);
  }

  public CodegenOptions withBackend(Backend backend) {
    return new CodegenOptions(packageName, precision, withTests, backend);
  }
}
