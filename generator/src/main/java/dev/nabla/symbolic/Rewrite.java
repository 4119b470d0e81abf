package dev.nabla.symbolic;

import dev.nabla.grammar.diagnostic.Span;

/**
 * A rewrite the engine applied to what the user wrote, reported so that nothing changes silently:
 * {@code log(softmax(z)) → logsoftmax(z)} at 3:8, because the first form overflows.
 */
public record Rewrite(String before, String after, Span span, String reason) {

  @Override
  public String toString() {
    return (span.isKnown() ? span.position() + ": " : "") + before + " → " + after + " (" + reason + ")";
  }
}
