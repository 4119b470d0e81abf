package dev.nabla.maven;

import java.nio.file.Path;

/**
 * One problem in one spec, in the terms a build tool reports: the file, a 1-based line and column
 * (0 when the problem has no position, such as a package name taken from a folder), the message, and
 * the full rendering with the source line and a caret.
 */
public record SpecError(Path file, int line, int column, String message, String formatted) {

  /** {@code file:line:col: error: message}, or {@code file: error: message} without a position. */
  public String headline() {
    return (line > 0 ? file + ":" + line + ":" + column : file.toString()) + ": error: " + message;
  }
}
