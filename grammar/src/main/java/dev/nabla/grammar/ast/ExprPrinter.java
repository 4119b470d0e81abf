package dev.nabla.grammar.ast;

import java.util.stream.Collectors;

/**
 * The canonical form of an expression: every compound node in parentheses, so that the structure
 * can be read off without knowing any precedence. Atoms (names, numbers as written, calls) stand
 * bare; {@code (a · b)} is a matrix product, {@code (a * b)} elementwise, {@code (-x)} a negation,
 * {@code (xᵀ)} a transpose, {@code (x ^ 2)} a power. The output parses back to the same AST.
 *
 * <pre>
 * softmax(W2 relu(W1 X + b1) + b2)   →   softmax(((W2 · relu(((W1 · X) + b1))) + b2))
 * </pre>
 */
public final class ExprPrinter {
  private ExprPrinter() {}

  public static String print(Expr expr) {
    StringBuilder out = new StringBuilder();
    print(expr, out);
    return out.toString();
  }

  private static void print(Expr expr, StringBuilder out) {
    if (expr instanceof Expr.Name name) {
      out.append(name.name());
    } else if (expr instanceof Expr.Number number) {
      out.append(number.text());
    } else if (expr instanceof Expr.Call call) {
      out.append(call.function()).append('(')
          .append(java.util.stream.Stream.concat(call.arguments().stream().map(ExprPrinter::print),
              call.named().stream().map(named -> named.name() + "=" + print(named.value())))
              .collect(Collectors.joining(", ")))
          .append(')');
    } else if (expr instanceof Expr.Binary binary) {
      out.append('(');
      print(binary.left(), out);
      out.append(' ').append(binary.op().symbol()).append(' ');
      print(binary.right(), out);
      out.append(')');
    } else if (expr instanceof Expr.Negate negate) {
      out.append("(-");
      print(negate.operand(), out);
      out.append(')');
    } else if (expr instanceof Expr.Transpose transpose) {
      out.append('(');
      print(transpose.operand(), out);
      out.append("\u1D40)");
    } else if (expr instanceof Expr.Power power) {
      out.append('(');
      print(power.base(), out);
      out.append(" ^ ");
      print(power.exponent(), out);
      out.append(')');
    }
  }
}
