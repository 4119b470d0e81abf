package dev.nabla.print.index;

import dev.nabla.grammar.ast.BinaryOp;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;
import dev.nabla.symbolic.Lowering;
import dev.nabla.symbolic.Network;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One-liners built as ASTs by hand (the spans do not matter here) and lowered. */
final class Networks {
  private Networks() {}

  static Expr name(String name) {
    return new Expr.Name(name, Span.NONE);
  }

  static Expr call(String function, Expr... arguments) {
    return new Expr.Call(function, Span.NONE, List.of(arguments), Span.NONE);
  }

  static Expr matmul(Expr left, Expr right) {
    return new Expr.Binary(BinaryOp.MATMUL, left, right, Span.NONE);
  }

  static Expr add(Expr left, Expr right) {
    return new Expr.Binary(BinaryOp.ADD, left, right, Span.NONE);
  }

  /** {@code softmax(W2 relu(W1 X + b1) + b2)}. */
  static Expr lessonExpression() {
    Expr z1 = add(matmul(name("W1"), name("X")), name("b1"));
    Expr z2 = add(matmul(name("W2"), call("relu", z1)), name("b2"));
    return call("softmax", z2);
  }

  /** Exercise 4: {@code sigmoid(W3 relu(W2 relu(W1 X + b1) + b2) + b3)}. */
  static Expr exercise4Expression() {
    Expr z1 = add(matmul(name("W1"), name("X")), name("b1"));
    Expr z2 = add(matmul(name("W2"), call("relu", z1)), name("b2"));
    Expr z3 = add(matmul(name("W3"), call("relu", z2)), name("b3"));
    return call("sigmoid", z3);
  }

  static Network lower(String text, Expr expression, Map<String, List<Long>> dims) {
    return Lowering.lower(SourceFile.ofExpression(text), expression, Optional.empty(), dims);
  }

  /** The lesson's network, with symbolic sizes. */
  static Network lesson() {
    return lower("softmax(W2 relu(W1 X + b1) + b2)", lessonExpression(), Map.of());
  }

  /** The lesson's network with its sizes: 784 inputs, 20 hidden units, 10 classes. */
  static Network lessonSized() {
    return lower("softmax(W2 relu(W1 X + b1) + b2)", lessonExpression(),
        Map.of("X", List.of(784L), "W1", List.of(20L, 784L), "b1", List.of(20L), "W2", List.of(10L, 20L), "b2", List.of(10L)));
  }

  /** {@code function(u)} with u of the given size. */
  static Network ofU(String function, long size) {
    return lower(function + "(u)", call(function, name("u")), Map.of("u", List.of(size)));
  }
}
