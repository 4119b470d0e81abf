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

  /** A call of a built-in function or of a {@code def} block. */
  record Call(String function, Span nameSpan, List<Expr> arguments, Span span) implements Expr {
    public Call {
      arguments = List.copyOf(arguments);
    }
  }

  /** {@code left op right}; a matrix product written by juxtaposition is {@link BinaryOp#MATMUL}. */
  record Binary(BinaryOp op, Expr left, Expr right, Span span) implements Expr {}

  /** {@code -operand}. */
  record Negate(Expr operand, Span span) implements Expr {}

  /** {@code operandᵀ} or {@code operand'}. */
  record Transpose(Expr operand, Span span) implements Expr {}

  /** {@code base ^ exponent}; the exponent must be a constant, which the checker enforces. */
  record Power(Expr base, Expr exponent, Span span) implements Expr {}
}
