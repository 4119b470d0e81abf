package dev.nabla.symbolic;

import dev.nabla.grammar.diagnostic.Span;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A rewrite the engine applied to what the user wrote, reported so that nothing changes silently:
 * {@code log(softmax(z)) → logsoftmax(z)} at 3:8, because the first form overflows.
 *
 * <p>{@code before} and {@code after} are templates in the language's ASCII form, where {@code {0}},
 * {@code {1}} stand for {@code arguments} (the nodes the rewrite applied to, so that a printer writes
 * the real arguments, not a {@code def}'s parameter names) and {@code {0*}} for an argument that is
 * an operand of {@code *} or of a unary minus, parenthesized where it needs to be.
 */
public record Rewrite(String before, String after, Span span, String reason, List<Node> arguments) {

  public Rewrite {
    arguments = List.copyOf(arguments);
  }

  /** A rewrite described in words alone, with no arguments. */
  public Rewrite(String before, String after, Span span, String reason) {
    this(before, after, span, reason, List.of());
  }

  /** The same rewrite with its arguments moved to another graph. */
  Rewrite withArguments(UnaryOperator<Node> move) {
    return new Rewrite(before, after, span, reason, arguments.stream().map(move).toList());
  }

  /** The rewrite with each argument written by {@code write}, as ASCII. */
  public String describe(java.util.function.BiFunction<Node, Boolean, String> write) {
    return (span.isKnown() ? span.position() + ": " : "") + fill(before, write) + " → " + fill(after, write) + " (" + reason + ")";
  }

  /** A template with its placeholders filled; {@code write} is told whether the argument is an operand of a product. */
  public String fill(String template, java.util.function.BiFunction<Node, Boolean, String> write) {
    String text = template;
    for (int i = 0; i < arguments.size(); i++) {
      text = text.replace("{" + i + "*}", write.apply(arguments.get(i), true)).replace("{" + i + "}", write.apply(arguments.get(i), false));
    }
    return text;
  }
}
