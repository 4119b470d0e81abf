package dev.nabla.grammar;

import dev.nabla.grammar.ast.Dim;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.Span;
import java.util.List;

/** Copies of AST nodes with every span replaced by {@link Span#NONE}, to compare structure. */
final class WithoutSpans {
  private static final Span NONE = Span.NONE;

  private WithoutSpans() {}

  static List<Statement> of(List<Statement> statements) {
    return statements.stream().map(WithoutSpans::of).toList();
  }

  static Statement of(Statement statement) {
    if (statement instanceof Statement.Model m) {
      return new Statement.Model(m.name(), NONE);
    } else if (statement instanceof Statement.Input i) {
      return new Statement.Input(i.name(), dims(i.shape()), NONE);
    } else if (statement instanceof Statement.Label l) {
      return new Statement.Label(l.name(), dim(l.classes()), NONE);
    } else if (statement instanceof Statement.Target t) {
      return new Statement.Target(t.name(), dims(t.shape()), NONE);
    } else if (statement instanceof Statement.Param p) {
      return new Statement.Param(p.name(), dims(p.shape()),
          p.init().map(init -> new Statement.Init(init.kind(), init.arguments(), NONE)), NONE);
    } else if (statement instanceof Statement.Let let) {
      return new Statement.Let(let.name(), NONE, of(let.value()), NONE);
    }
    Statement.Def def = (Statement.Def) statement;
    return new Statement.Def(def.name(),
        def.parameters().stream().map(p -> new Statement.Name(p.name(), NONE)).toList(), of(def.body()), NONE);
  }

  static Expr of(Expr expr) {
    if (expr instanceof Expr.Name n) {
      return new Expr.Name(n.name(), NONE);
    } else if (expr instanceof Expr.Number n) {
      return new Expr.Number(n.value(), n.text(), NONE);
    } else if (expr instanceof Expr.Call c) {
      return new Expr.Call(c.function(), NONE, c.arguments().stream().map(WithoutSpans::of).toList(),
          c.named().stream().map(a -> new Expr.NamedArgument(a.name(), NONE, of(a.value()), NONE)).toList(), NONE);
    } else if (expr instanceof Expr.Binary b) {
      return new Expr.Binary(b.op(), of(b.left()), of(b.right()), NONE);
    } else if (expr instanceof Expr.Negate n) {
      return new Expr.Negate(of(n.operand()), NONE);
    } else if (expr instanceof Expr.Transpose t) {
      return new Expr.Transpose(of(t.operand()), NONE);
    }
    Expr.Power p = (Expr.Power) expr;
    return new Expr.Power(of(p.base()), of(p.exponent()), NONE);
  }

  private static List<Dim> dims(List<Dim> dims) {
    return dims.stream().map(WithoutSpans::dim).toList();
  }

  private static Dim dim(Dim dim) {
    return dim instanceof Dim.Fixed f ? new Dim.Fixed(f.size(), NONE) : new Dim.Named(((Dim.Named) dim).name(), NONE);
  }
}
