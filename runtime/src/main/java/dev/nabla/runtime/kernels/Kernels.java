package dev.nabla.runtime.kernels;

import java.util.Locale;

/**
 * The kernels this JVM runs, chosen once when the class loads, as Lucene's {@code VectorizationProvider}
 * does: the Vector API ones ({@code PanamaKernels}) when the module {@code jdk.incubator.vector} is
 * readable (the JVM was started with {@code --add-modules jdk.incubator.vector}), the plain Java ones
 * otherwise. The system property {@code nabla.kernels} ({@code scalar} or {@code vector}) forces one.
 *
 * <p>A JVM without the module gets at most one line on standard error saying how to get the faster
 * kernels, never an error: the scalar kernels give the same results to rounding.
 */
public final class Kernels {
  private Kernels() {}

  /** The module the Panama kernels need. */
  public static final String VECTOR_MODULE = "jdk.incubator.vector";

  private static final KernelSupport IMPL = lookup(System.getProperty("nabla.kernels"), vectorModuleReadable(),
      message -> System.err.println("nabla: " + message));

  /** The kernels chosen for this JVM. */
  public static KernelSupport get() {
    return IMPL;
  }

  /** Where the choice's hint, if any, goes. */
  interface Hints {
    void hint(String message);
  }

  /** Whether this JVM resolved the Vector API module. */
  static boolean vectorModuleReadable() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /** The kernels for a {@code nabla.kernels} setting ({@code null}: the fastest available). */
  static KernelSupport lookup(String forced, boolean moduleReadable, Hints hints) {
    String wanted = forced == null ? "" : forced.trim().toLowerCase(Locale.ROOT);
    if (wanted.equals("scalar")) {
      return new ScalarKernels();
    }
    if (!wanted.isEmpty() && !wanted.equals("vector")) {
      hints.hint("-Dnabla.kernels=" + forced + " is not a kernel set (scalar or vector); choosing by itself");
    }
    if (!moduleReadable) {
      hints.hint("plain Java kernels; pass --add-modules " + VECTOR_MODULE + " to java for the faster Vector API ones");
      return new ScalarKernels();
    }
    try {
      return (KernelSupport) Class.forName("dev.nabla.runtime.kernels.PanamaKernels").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      hints.hint("plain Java kernels: the Vector API ones did not load (" + e + ")");
      return new ScalarKernels();
    }
  }
}
