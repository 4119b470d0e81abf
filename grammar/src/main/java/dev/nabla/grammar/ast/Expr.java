package dev.nabla.grammar.ast;

import dev.nabla.grammar.diagnostic.Span;
import java.util.List;

/**
 * An expression of the network language, as written: no shapes, no meaning yet. Every node knows
 * the span of source text it was parsed from. {@link ExprPrinter} gives the canonical form.
 */
public sealed interface Expr {

  Span span();

  /** A reference to an input, label, parameter, named value or {@code def} parameter. */
  record Name(String name, Span span) implements Expr {}

  /** A numeric literal; {@code text} is kept as written so printers can echo it. */
  record Number(double value, String text, Span span) implements Expr {}

  /**
   * A call of a built-in function or of a {@code def} block. {@code named} holds the arguments
   * written {@code name=value} ({@code conv2d(K, X, stride=2)}), after the positional ones.
   */
  record Call(String function, Span nameSpan, List<Expr> arguments, List<NamedArgument> named, Span span) implements Expr {
    public Call {
      arguments = List.copyOf(arguments);
      named = List.copyOf(named);
    }

    public Call(String function, Span nameSpan, List<Expr> arguments, Span span) {
      this(function, nameSpan, arguments, List.of(), span);
    }

    /** The value given as {@code name=...}, if any. */
    public java.util.Optional<NamedArgument> named(String name) {
      return named.stream().filter(argument -> argument.name().equals(name)).findFirst();
    }
  }

  /** {@code stride=2} in a call: not an expression itself, the value is. */
  record NamedArgument(String name, Span nameSpan, Expr value, Span span) {}

  /** {@code left op right}; a matrix product written by juxtaposition is {@link BinaryOp#MATMUL}. */
  record Binary(BinaryOp op, Expr left, Expr right, Span span) implements Expr {}

  /** {@code -operand}. */
  record Negate(Expr operand, Span span) implements Expr {}

  /** {@code operandᵀ} or {@code operand'}. */
  record Transpose(Expr operand, Span span) implements Expr {}

  /** {@code base ^ exponent}; the exponent must be a constant, which the checker enforces. */
  record Power(Expr base, Expr exponent, Span span) implements Expr {}
}
