package dev.nabla.codegen;

import dev.nabla.grammar.diagnostic.Span;

/**
 * A spec the class writer cannot turn into Java (a constant beyond the range of the class's arithmetic, a
 * model name that cannot name a class, too many values for one class): bad input, reported with its
 * position when it has one. Any other exception from the writer is an internal failure.
 */
public final class UnsupportedSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient Span span;

  public UnsupportedSpecException(String message) {
    this(message, null);
  }

  public UnsupportedSpecException(String message, Span span) {
    super(message);
    this.span = span;
  }

  /** This problem, placed at {@code fallback} when it has no place of its own (a constant folded into a statement). */
  UnsupportedSpecException placedAt(Span fallback) {
    if (span != null && span.isKnown() || fallback == null || !fallback.isKnown()) {
      return this;
    }
    UnsupportedSpecException placed = new UnsupportedSpecException(getMessage(), fallback);
    placed.setStackTrace(getStackTrace());
    return placed;
  }

  /** {@code line:col: } of the spec where the problem is, or nothing when it has no one place. */
  public String position() {
    return span != null && span.isKnown() ? span.position() + ": " : "";
  }
}
