package dev.nabla.symbolic;

import java.util.List;

/**
 * A shape rule that does not hold, thrown by an operation's shape rule and turned into a
 * diagnostic at the offending expression by the lowering, which knows where it stands.
 */
public final class ShapeException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<String> hints;

  public ShapeException(String message, String... hints) {
    super(message, null, false, false);
    this.hints = List.of(hints);
  }

  public List<String> hints() {
    return hints;
  }
}
