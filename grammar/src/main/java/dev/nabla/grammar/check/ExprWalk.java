package dev.nabla.grammar.check;

import dev.nabla.grammar.ast.Expr;
import java.util.function.Consumer;

/**
 * Visits every node of an expression, parents before children, left to right. Recursion is safe:
 * the parser refuses expressions nested deeper than a few hundred levels.
 */
final class ExprWalk {
  private ExprWalk() {}

  static void forEach(Expr expr, Consumer<Expr> action) {
    action.accept(expr);
    if (expr instanceof Expr.Call call) {
      call.arguments().forEach(argument -> forEach(argument, action));
    } else if (expr instanceof Expr.Binary binary) {
      forEach(binary.left(), action);
      forEach(binary.right(), action);
    } else if (expr instanceof Expr.Negate negate) {
      forEach(negate.operand(), action);
    } else if (expr instanceof Expr.Transpose transpose) {
      forEach(transpose.operand(), action);
    } else if (expr instanceof Expr.Power power) {
      forEach(power.base(), action);
      forEach(power.exponent(), action);
    }
  }
}
