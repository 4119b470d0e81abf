package dev.nabla.runtime.checkpoint;

import java.nio.file.Path;

/** A checkpoint that cannot be written, read or used for this model; the message names the file and what is wrong. */
public final class CheckpointException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  public CheckpointException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
    this.problem = problem;
  }

  public CheckpointException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  public Path file() {
    return file;
  }

  /** What is wrong, without the file name. */
  public String problem() {
    return problem;
  }
}
