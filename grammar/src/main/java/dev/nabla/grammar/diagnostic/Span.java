package dev.nabla.grammar.diagnostic;

/**
 * Where a piece of syntax stands in its source: character offsets {@code [start, end)}, and the
 * 1-based line and column of its first character.
 */
public record Span(int start, int end, int line, int column) {

  /** For nodes that no source text stands behind, such as those a derivation creates. */
  public static final Span NONE = new Span(0, 0, 0, 0);

  public Span {
    if (end < start) {
      throw new IllegalArgumentException("span ends before it starts: " + start + ".." + end);
    }
  }

  public boolean isKnown() {
    return line > 0;
  }

  /** The smallest span that covers both. */
  public Span to(Span other) {
    if (!isKnown()) {
      return other;
    }
    if (!other.isKnown()) {
      return this;
    }
    Span first = start <= other.start ? this : other;
    return new Span(first.start, Math.max(end, other.end), first.line, first.column);
  }

  /** {@code line:column}, as diagnostics and generated comments print it. */
  public String position() {
    return line + ":" + column;
  }
}
