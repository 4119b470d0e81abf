package dev.nabla.grammar.check;

import dev.nabla.grammar.Builtin;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.nabla.grammar.ast.ExprPrinter;

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

  /**
   * The constant arguments of the image operations: named ones known to the function and given once,
   * {@code stride} at least 1 and {@code padding} at least 0 (whole numbers), a pooling window a
   * whole number at least 1, a dropout probability a number in [0, 1).
   */
  static List<Diagnostic> constantArguments(SourceFile source, Expr.Call call, Builtin builtin) {
    List<Diagnostic> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Expr.NamedArgument named : call.named()) {
      if (!builtin.options().contains(named.name())) {
        String message = builtin.options().isEmpty()
            ? builtin.spelling() + " takes no named arguments"
            : builtin.spelling() + " has no argument '" + named.name() + "'";
        String hint = builtin.options().isEmpty() ? builtin.summary()
            : Suggestions.closest(named.name(), builtin.options()).map(near -> "did you mean '" + near + "'?")
                .orElse("it takes " + String.join(" and ", builtin.options()));
        problems.add(Diagnostic.error(source, named.nameSpan(), message, hint));
        continue;
      }
      if (!seen.add(named.name())) {
        problems.add(Diagnostic.error(source, named.nameSpan(), named.name() + " is given twice"));
        continue;
      }
      long least = named.name().equals("padding") ? 0 : 1;
      wholeNumber(source, named.value(), named.name(), least).ifPresent(problems::add);
    }
    if (call.arguments().size() == builtin.arity()) {
      if (builtin == Builtin.MAXPOOL || builtin == Builtin.AVGPOOL) {
        wholeNumber(source, call.arguments().get(1), "the pooling window", 1).ifPresent(problems::add);
      } else if (builtin == Builtin.DROPOUT) {
        probability(source, call.arguments().get(0)).ifPresent(problems::add);
      }
    }
    return problems;
  }

  private static Optional<Diagnostic> wholeNumber(SourceFile source, Expr value, String what, long least) {
    Double number = constant(value);
    if (number == null || number != Math.rint(number) || Math.abs(number) > Integer.MAX_VALUE) {
      return Optional.of(Diagnostic.error(source, value.span(), what + " must be a whole number, not "
          + written(value), "for example " + (least == 0 ? "padding=1" : what.startsWith("the") ? "maxpool(X, 2)" : what + "=2")));
    }
    if (number < least) {
      String message = what + " must be at least " + least + ", not " + written(value);
      return Optional.of(what.equals("stride")
          ? Diagnostic.error(source, value.span(), message, "stride=1 moves the window one step at a time")
          : Diagnostic.error(source, value.span(), message));
    }
    return Optional.empty();
  }

  private static Optional<Diagnostic> probability(SourceFile source, Expr value) {
    Double p = constant(value);
    if (p == null || !(p >= 0 && p < 1)) {
      return Optional.of(Diagnostic.error(source, value.span(), "the dropout probability must be a number in [0, 1), not "
          + written(value), "dropout(p, x) zeroes each element with probability p: e.g. dropout(0.25, H3)"));
    }
    return Optional.empty();
  }

  /** A constant as a number ({@code -1}), anything else in canonical form. */
  private static String written(Expr value) {
    Double number = constant(value);
    if (number == null) {
      return ExprPrinter.print(value);
    }
    return number == Math.rint(number) && Math.abs(number) < 1e15 ? Long.toString(number.longValue()) : number.toString();
  }

  /** The value of a number or a negated number as written; null for anything else. */
  static Double constant(Expr value) {
    if (value instanceof Expr.Number number) {
      return number.value();
    }
    if (value instanceof Expr.Negate negate && negate.operand() instanceof Expr.Number number) {
      return -number.value();
    }
    return null;
  }

  static Diagnostic functionUsedAsValue(SourceFile source, Expr.Name name, Builtin builtin) {
    return Diagnostic.error(source, name.span(),
        "'" + name.name() + "' is a function: call it as " + name.name() + "(...)", builtin.summary());
  }

  static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
