package dev.nabla.failure;

import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for what nabla cannot handle: every failure a user can cause is a diagnostic or a
 * stated failure, so an exception that reaches the top of the CLI or the Maven plugin is a bug in
 * nabla. This is how both report it: that it is nabla's fault, what it was doing, and what to send,
 * with the first frames of nabla's own code, which is what a maintainer needs to find it.
 */
public final class BugReport {
  private BugReport() {}

  /** How many of nabla's own stack frames the short report shows. */
  private static final int FRAMES = 6;

  /**
   * The report, one line per entry, without a trailing newline.
   *
   * @param failure what was thrown
   * @param during what nabla was doing, as a user would say it ({@code "nabla check net.nabla"})
   */
  public static String describe(Throwable failure, String during) {
    Throwable cause = innermost(failure);
    List<String> lines = new ArrayList<>();
    lines.add("internal error: a bug in nabla, not a problem with your input, while running " + during);
    lines.add("  please report it to nabla's maintainers with the command, the spec file(s) it read and these lines:");
    lines.add("    " + version());
    lines.add("    " + cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + oneLine(cause.getMessage())));
    int shown = 0;
    for (StackTraceElement frame : cause.getStackTrace()) {
      if (frame.getClassName().startsWith("dev.nabla.") && shown < FRAMES) {
        lines.add("      at " + frame);
        shown++;
      }
    }
    return String.join("\n", lines);
  }

  /** The exception under wrappers that add nothing (picocli's, reflection's). */
  static Throwable innermost(Throwable failure) {
    Throwable current = failure;
    while (current.getCause() != null && current.getCause() != current
        && (current.getClass().getName().endsWith("ExecutionException") || current instanceof java.lang.reflect.InvocationTargetException)) {
      current = current.getCause();
    }
    return current;
  }

  private static String version() {
    String version = BugReport.class.getPackage().getImplementationVersion();
    return "nabla " + (version != null ? version : "0.1.0-SNAPSHOT") + ", Java " + System.getProperty("java.version")
        + " (" + System.getProperty("java.vendor") + "), " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
  }

  private static String oneLine(String text) {
    String line = text.replaceAll("\\s+", " ").strip();
    return line.length() > 300 ? line.substring(0, 297) + "..." : line;
  }
}
