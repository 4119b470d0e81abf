package dev.nabla.runtime.data;

import java.nio.file.Path;

/**
 * A data file that cannot be used: missing, not IDX, truncated, or not what Fashion-MNIST looks
 * like. The message names the file and what is wrong, ready to print; a CLI prints it and exits 2.
 */
public final class DataException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  public DataException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
    this.problem = problem;
  }

  public DataException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file (or directory) the problem is about. */
  public Path file() {
    return file;
  }

  /** What is wrong, without the file name. */
  public String problem() {
    return problem;
  }
}
