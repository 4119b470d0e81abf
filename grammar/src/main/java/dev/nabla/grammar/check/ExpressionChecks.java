package dev.nabla.grammar.check;

import dev.nabla.grammar.Builtin;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Checks a one-line expression, which declares nothing: every free name is an input or a
 * parameter, so only calls and exponents can be wrong.
 */
public final class ExpressionChecks {
  private static final List<String> BUILTINS = Arrays.stream(Builtin.values()).map(Builtin::spelling).toList();

  private ExpressionChecks() {}

  public static List<Diagnostic> check(SourceFile source, Expr expression) {
    List<Diagnostic> problems = new ArrayList<>();
    ExprWalk.forEach(expression, node -> {
      if (node instanceof Expr.Call call) {
        Optional<Builtin> builtin = Builtin.named(call.function());
        if (builtin.isPresent()) {
          ExpressionRules.argumentCount(source, call, builtin.get().arity()).ifPresent(problems::add);
          problems.addAll(ExpressionRules.constantArguments(source, call, builtin.get()));
        } else {
          problems.add(unknownFunction(source, call));
        }
      } else if (node instanceof Expr.Name name) {
        Builtin.named(name.name()).ifPresent(b -> problems.add(ExpressionRules.functionUsedAsValue(source, name, b)));
      } else if (node instanceof Expr.Power power) {
        ExpressionRules.constantExponent(source, power).ifPresent(problems::add);
      }
    });
    return problems;
  }

  private static Diagnostic unknownFunction(SourceFile source, Expr.Call call) {
    String message = "unknown function '" + call.function() + "'";
    return Suggestions.closest(call.function(), BUILTINS)
        .map(near -> Diagnostic.error(source, call.nameSpan(), message, "did you mean '" + near + "'?"))
        .orElseGet(() -> Diagnostic.error(source, call.nameSpan(), message));
  }
}
