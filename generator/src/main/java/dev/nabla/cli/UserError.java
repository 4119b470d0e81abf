package dev.nabla.cli;

/** A problem with what the user asked for, reported as one line: {@code nabla: <message>}. */
final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  UserError(String message, int exitCode) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  static UserError badInput(String message) {
    return new UserError(message, Nabla.BAD_INPUT);
  }

  static UserError failure(String message) {
    return new UserError(message, Nabla.FAILURE);
  }

  int exitCode() {
    return exitCode;
  }
}
