package dev.nabla.grammar.parser;

import dev.nabla.grammar.ast.BinaryOp;
import dev.nabla.grammar.ast.Dim;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.Span;
import dev.nabla.grammar.parser.NablaParser.*;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.Token;

/**
 * Turns an error-free parse tree into AST records with their spans. Parentheses leave no node:
 * {@code (a + b)} is the {@code Binary} inside, and the enclosing node's span covers them.
 *
 * <p>The few problems found here are about the text of a literal ({@code W[2.5]}, {@code 1e999});
 * everything about names is the checkers' job.
 */
final class AstBuilder extends NablaBaseVisitor<Expr> {
  private final SourceSpans spans;
  private final CallResolver calls;
  private final List<Diagnostic> problems = new ArrayList<>();
  private Set<String> localNames = Set.of();

  AstBuilder(SourceSpans spans, CallResolver calls) {
    this.spans = spans;
    this.calls = calls;
  }

  List<Diagnostic> problems() {
    return List.copyOf(problems);
  }

  Expr expression(ExprContext context) {
    return visit(context);
  }

  Statement statement(StatementContext context) {
    Span span = spans.of(context);
    if (context instanceof ModelStatementContext model) {
      return new Statement.Model(model.name().getText(), span);
    }
    if (context instanceof InputStatementContext input) {
      return new Statement.Input(input.name().getText(), shape(input.shape()), span);
    }
    if (context instanceof LabelStatementContext label) {
      return new Statement.Label(label.name().getText(), dim(label.dim()), span);
    }
    if (context instanceof TargetStatementContext target) {
      return new Statement.Target(target.name().getText(), shape(target.shape()), span);
    }
    if (context instanceof ParamStatementContext param) {
      return new Statement.Param(param.name().getText(), shape(param.shape()), initializer(param.initializer()), span);
    }
    if (context instanceof DefStatementContext def) {
      List<Statement.Name> parameters = def.parameters() == null ? List.of()
          : def.parameters().name().stream().map(n -> new Statement.Name(n.getText(), spans.of(n))).toList();
      localNames = parameters.stream().map(Statement.Name::name).collect(Collectors.toUnmodifiableSet());
      try {
        return new Statement.Def(defName(def.defHead()), parameters, visit(def.expr()), span);
      } finally {
        localNames = Set.of();
      }
    }
    LetStatementContext let = (LetStatementContext) context;
    return new Statement.Let(let.name().getText(), spans.of(let.name()), visit(let.expr()), span);
  }

  /** The name of a spec statement's declared value or def, read from the parse tree. */
  static String declaredName(StatementContext context) {
    if (context instanceof DefStatementContext def) {
      return defName(def.defHead());
    }
    if (context instanceof ModelStatementContext model) {
      return model.name().getText();
    }
    return context.getChild(context instanceof LetStatementContext ? 0 : 1).getText();
  }

  private static String defName(DefHeadContext head) {
    return head.CALLEE() != null ? calleeName(head.CALLEE().getSymbol()) : head.name().getText();
  }

  private static String calleeName(Token callee) {
    String text = callee.getText();
    return text.substring(0, text.length() - 1);
  }

  // ------------------------------------------------------------ declarations

  private List<Dim> shape(ShapeContext shape) {
    return shape == null ? List.of() : shape.dim().stream().map(this::dim).toList();
  }

  private Dim dim(DimContext dim) {
    Span span = spans.of(dim);
    if (dim.name() != null) {
      return new Dim.Named(dim.name().getText(), span);
    }
    String text = dim.NUMBER().getText();
    if (!text.chars().allMatch(Character::isDigit)) {
      problems.add(Diagnostic.error(spans.source(), span, "a dimension must be a whole number, got '" + text + "'"));
      return new Dim.Fixed(1, span);
    }
    try {
      long size = Long.parseLong(text);
      if (size < 1) {
        problems.add(Diagnostic.error(spans.source(), span, "a dimension must be at least 1, got " + text));
      }
      return new Dim.Fixed(size, span);
    } catch (NumberFormatException tooLong) {
      problems.add(Diagnostic.error(spans.source(), span, "dimension " + text + " is too large"));
      return new Dim.Fixed(1, span);
    }
  }

  private Optional<Statement.Init> initializer(InitializerContext init) {
    if (init == null) {
      return Optional.empty();
    }
    Span span = spans.of(init);
    if (init instanceof PlainInitContext plain) {
      return Optional.of(new Statement.Init(plain.NAME().getText(), List.of(), span));
    }
    InitWithArgumentsContext withArguments = (InitWithArgumentsContext) init;
    List<Double> arguments = new ArrayList<>();
    for (InitArgumentContext argument : withArguments.initArgument()) {
      double value = number(argument.NUMBER().getSymbol());
      arguments.add(argument.MINUS() != null ? -value : value);
    }
    return Optional.of(new Statement.Init(calleeName(withArguments.CALLEE().getSymbol()), arguments, span));
  }

  // ------------------------------------------------------------ expressions

  @Override
  public Expr visitTransposeExpr(TransposeExprContext context) {
    return new Expr.Transpose(visit(context.expr()), spans.of(context));
  }

  @Override
  public Expr visitPowerExpr(PowerExprContext context) {
    return new Expr.Power(visit(context.expr(0)), visit(context.expr(1)), spans.of(context));
  }

  @Override
  public Expr visitNegateExpr(NegateExprContext context) {
    return new Expr.Negate(visit(context.expr()), spans.of(context));
  }

  @Override
  public Expr visitProductExpr(ProductExprContext context) {
    BinaryOp op = context.op == null ? BinaryOp.MATMUL : switch (context.op.getType()) {
      case NablaLexer.STAR, NablaLexer.ODOT -> BinaryOp.MUL;
      case NablaLexer.SLASH -> BinaryOp.DIV;
      default -> BinaryOp.MATMUL; // '@', '·'
    };
    return new Expr.Binary(op, visit(context.expr(0)), visit(context.expr(1)), spans.of(context));
  }

  @Override
  public Expr visitSumExpr(SumExprContext context) {
    BinaryOp op = context.op.getType() == NablaLexer.PLUS ? BinaryOp.ADD : BinaryOp.SUB;
    return new Expr.Binary(op, visit(context.expr(0)), visit(context.expr(1)), spans.of(context));
  }

  @Override
  public Expr visitAtomExpr(AtomExprContext context) {
    return visit(context.atom());
  }

  @Override
  public Expr visitNumberAtom(NumberAtomContext context) {
    Token token = context.NUMBER().getSymbol();
    return new Expr.Number(number(token), token.getText(), spans.of(token));
  }

  @Override
  public Expr visitNameAtom(NameAtomContext context) {
    return new Expr.Name(context.getText(), spans.of(context));
  }

  @Override
  public Expr visitCallAtom(CallAtomContext context) {
    Token callee = context.CALLEE().getSymbol();
    String function = calleeName(callee);
    Span calleeSpan = spans.of(callee);
    Span nameSpan = spans.ofChars(calleeSpan.start(), calleeSpan.end() - 1);
    List<Expr> arguments = new ArrayList<>();
    List<Expr.NamedArgument> named = new ArrayList<>();
    if (context.arguments() != null) {
      for (ArgumentContext argument : context.arguments().argument()) {
        if (argument instanceof NamedArgumentContext option) {
          named.add(new Expr.NamedArgument(option.name().getText(), spans.of(option.name()), visit(option.expr()),
              spans.of(option)));
        } else {
          if (!named.isEmpty()) {
            problems.add(Diagnostic.error(spans.source(), spans.of(argument),
                "a positional argument cannot follow a named one",
                "write the named arguments last, e.g. " + function + "(K, X, stride=2)"));
          }
          arguments.add(visit(((PositionalArgumentContext) argument).expr()));
        }
      }
    }
    if (!named.isEmpty() || calls.isCall(function, arguments.size(), localNames)) {
      return new Expr.Call(function, nameSpan, arguments, named, spans.of(context));
    }
    return new Expr.Binary(BinaryOp.MATMUL, new Expr.Name(function, nameSpan), arguments.get(0), spans.of(context));
  }

  @Override
  public Expr visitParenAtom(ParenAtomContext context) {
    return visit(context.expr());
  }

  private double number(Token token) {
    double value = Double.parseDouble(token.getText());
    if (Double.isInfinite(value)) {
      problems.add(Diagnostic.error(spans.source(), spans.of(token), "number " + token.getText() + " is too large"));
    }
    return value;
  }
}
