package dev.nabla.codegen;

/**
 * How a network is turned into Java.
 *
 * @param packageName the package of the generated class ({@code ""} for the default package)
 * @param precision whether the generated arithmetic is {@code float} or {@code double}
 * @param withTests whether a JUnit 5 gradient-check test is generated next to the class
 * @param backend the loop forms of the matrix kernels: plain Java, or the JDK's incubating Vector API
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
   * How the matrix kernels (the products of a weight matrix with a batch, and the weight gradients) are
   * written. Everything else is the same Java for both.
   */
  public enum Backend {
    /** Plain loops in the forms C2 vectorizes by itself: the class needs nothing but Java 17. */
    SCALAR,
    /**
     * {@code jdk.incubator.vector}: register-blocked tiles (4 weight rows by 4 samples) with no transposed
     * copy of the inputs. Faster, but the class then compiles and runs only with {@code --add-modules
     * jdk.incubator.vector}, and javac and the JVM each print a notice that the module is incubating.
     * Sums are taken in another order than {@link #SCALAR}'s, one that depends on the machine's vector
     * width: results agree to rounding, and are bit-for-bit reproducible on one machine.
     */
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
