package dev.nabla.grammar.parser;

import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * The syntax phase: text to AST, or syntax diagnostics. Internal to the grammar module (the facade
 * is {@code dev.nabla.grammar.SpecParser}); no ANTLR type leaves this package.
 *
 * <p>Steps: lex everything; check the tokens line by line (strange characters, unbalanced
 * brackets, nesting depth); parse with {@link HumaneErrorStrategy}; refuse parse trees too deep
 * to walk; build the AST.
 */
public final class SyntaxReader {
  private SyntaxReader() {}

  public static SyntaxResult<Spec> readSpec(SourceFile source) {
    Reading reading = new Reading(source, false);
    if (!reading.checkTokens()) {
      return SyntaxResult.failed(reading.errors.inSourceOrder());
    }
    NablaParser.SpecContext tree = reading.parser().spec();
    for (NablaParser.StatementContext statement : tree.statement()) {
      reading.checkDepth(bodyOf(statement));
    }
    if (!reading.errors.isEmpty()) {
      return SyntaxResult.failed(reading.errors.inSourceOrder());
    }
    AstBuilder builder = new AstBuilder(reading.spans, declarations(tree.statement()));
    List<Statement> statements = tree.statement().stream().map(builder::statement).toList();
    return new SyntaxResult<>(Optional.of(new Spec(source, statements)), builder.problems());
  }

  public static SyntaxResult<Expr> readExpression(SourceFile source) {
    Reading reading = new Reading(source, true);
    if (!reading.checkTokens()) {
      return SyntaxResult.failed(reading.errors.inSourceOrder());
    }
    if (reading.isBlank()) {
      return SyntaxResult.failed(List.of(Diagnostic.error(source, reading.spans.at(0), "empty expression",
          "for example: softmax(W2 relu(W1 X + b1) + b2)")));
    }
    NablaParser.ExpressionContext tree = reading.parser().expression();
    reading.checkDepth(tree.expr());
    if (!reading.errors.isEmpty()) {
      return SyntaxResult.failed(reading.errors.inSourceOrder());
    }
    AstBuilder builder = new AstBuilder(reading.spans, CallResolver.forExpression());
    Expr expression = builder.expression(tree.expr());
    return new SyntaxResult<>(Optional.of(expression), builder.problems());
  }

  private static NablaParser.ExprContext bodyOf(NablaParser.StatementContext statement) {
    if (statement instanceof NablaParser.LetStatementContext let) {
      return let.expr();
    }
    if (statement instanceof NablaParser.DefStatementContext def) {
      return def.expr();
    }
    return null;
  }

  /** Which names are values and which are defs, so that {@code W(x)} can be told from {@code f(x)}. */
  private static CallResolver declarations(List<NablaParser.StatementContext> statements) {
    Set<String> values = new HashSet<>();
    Set<String> defs = new HashSet<>();
    for (NablaParser.StatementContext statement : statements) {
      if (statement instanceof NablaParser.DefStatementContext) {
        defs.add(AstBuilder.declaredName(statement));
      } else if (!(statement instanceof NablaParser.ModelStatementContext)) {
        values.add(AstBuilder.declaredName(statement));
      }
    }
    return CallResolver.forSpec(values, defs);
  }

  /** One source file on its way through lexer, token checks and parser. */
  private static final class Reading {
    final SourceSpans spans;
    final SyntaxErrors errors = new SyntaxErrors();
    final CommonTokenStream tokens;
    final boolean oneLiner;

    Reading(SourceFile source, boolean oneLiner) {
      this.spans = new SourceSpans(source);
      this.oneLiner = oneLiner;
      NablaLexer lexer = new NablaLexer(CharStreams.fromString(source.text(), source.name()));
      lexer.removeErrorListeners(); // cannot fail: UNEXPECTED_CHAR takes any character
      this.tokens = new CommonTokenStream(lexer);
      tokens.fill();
    }

    boolean checkTokens() {
      return TokenChecks.check(tokens.getTokens(), spans, errors);
    }

    boolean isBlank() {
      return tokens.getTokens().stream()
          .allMatch(t -> t.getChannel() != Token.DEFAULT_CHANNEL || TokenWords.isEndOfLine(t));
    }

    NablaParser parser() {
      NablaParser parser = new NablaParser(tokens);
      parser.removeErrorListeners();
      parser.setErrorHandler(new HumaneErrorStrategy(new SyntaxMessages(spans, tokens), errors, oneLiner));
      return parser;
    }

    void checkDepth(NablaParser.ExprContext expression) {
      if (expression == null || expression.exception != null) {
        return;
      }
      ParserRuleContext tooDeep = ExpressionDepth.firstTooDeep(expression, TokenChecks.MAX_TREE_DEPTH);
      if (tooDeep != null) {
        errors.report(Diagnostic.error(spans.source(), spans.of(tooDeep.getStart()), TokenChecks.TOO_LONG,
            TokenChecks.TOO_LONG_HINT));
      }
    }
  }
}
