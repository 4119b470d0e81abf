package dev.nabla.grammar.check;

import dev.nabla.grammar.Builtin;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.Optional;

/** The rules an expression obeys wherever it is written: in a spec file or on a command line. */
final class ExpressionRules {
  private ExpressionRules() {}

  static Optional<Diagnostic> argumentCount(SourceFile source, Expr.Call call, int expected) {
    if (call.arguments().size() == expected) {
      return Optional.empty();
    }
    return Optional.of(Diagnostic.error(source, call.span(),
        call.function() + " takes " + count(expected, "argument") + ", got " + call.arguments().size()));
  }

  /** {@code x^2}, {@code x^-1}, {@code x^0.5}: the generated code needs the exponent as a number. */
  static Optional<Diagnostic> constantExponent(SourceFile source, Expr.Power power) {
    Expr exponent = power.exponent();
    while (exponent instanceof Expr.Negate negate) {
      exponent = negate.operand();
    }
    if (exponent instanceof Expr.Number) {
      return Optional.empty();
    }
    return Optional.of(Diagnostic.error(source, power.exponent().span(),
        "the exponent of '^' must be a constant number", "for example x^2, x^-1 or x^0.5"));
  }

  static Diagnostic functionUsedAsValue(SourceFile source, Expr.Name name, Builtin builtin) {
    return Diagnostic.error(source, name.span(),
        "'" + name.name() + "' is a function: call it as " + name.name() + "(...)", builtin.summary());
  }

  static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
