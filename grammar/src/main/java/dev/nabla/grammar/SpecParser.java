package dev.nabla.grammar;

import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.check.ExpressionChecks;
import dev.nabla.grammar.check.SpecChecks;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;
import dev.nabla.grammar.parser.SyntaxReader;
import dev.nabla.grammar.parser.SyntaxResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Reads the network language: a spec file, or an expression alone (a command-line one-liner).
 *
 * <p>Whatever the text, the answer is an AST or diagnostics, never an exception: first the syntax
 * (all bad lines, one diagnostic each), then, when the syntax is right, the checks that need no
 * shapes (all of them together). Shapes are the generator's business.
 */
public final class SpecParser {
  /** Beyond this many, more diagnostics would bury the first ones, which matter most. */
  static final int MAX_DIAGNOSTICS = 100;

  private SpecParser() {}

  public static ParseResult<Spec> parseSpec(SourceFile source) {
    return guarded(source, SyntaxReader::readSpec, (spec, s) -> SpecChecks.check(spec));
  }

  public static ParseResult<Expr> parseExpression(SourceFile source) {
    return guarded(source, SyntaxReader::readExpression, (expr, s) -> ExpressionChecks.check(s, expr));
  }

  /** Reads a spec file as UTF-8; see {@link SourceFile#read(Path)} for undecodable bytes. */
  public static ParseResult<Spec> readSpec(Path file) throws IOException {
    return parseSpec(SourceFile.read(file));
  }

  private static <T> ParseResult<T> guarded(SourceFile source, Function<SourceFile, SyntaxResult<T>> syntax,
      BiFunction<T, SourceFile, List<Diagnostic>> checks) {
    try {
      SyntaxResult<T> read = syntax.apply(source);
      List<Diagnostic> diagnostics = new ArrayList<>(read.diagnostics());
      read.value().ifPresent(value -> diagnostics.addAll(checks.apply(value, source)));
      diagnostics.sort(Comparator.comparingInt(d -> d.span().start()));
      return ParseResult.of(read.value(), capped(source, diagnostics));
    } catch (RuntimeException | StackOverflowError bug) {
      // A bug of ours must still reach the user as a diagnostic, not as a stack trace.
      return ParseResult.of(Optional.empty(), List.of(Diagnostic.error(source, Span.NONE,
          "internal error in the nabla parser: " + bug, "please report this, with the input")));
    }
  }

  private static List<Diagnostic> capped(SourceFile source, List<Diagnostic> diagnostics) {
    if (diagnostics.size() <= MAX_DIAGNOSTICS) {
      return diagnostics;
    }
    List<Diagnostic> first = new ArrayList<>(diagnostics.subList(0, MAX_DIAGNOSTICS));
    first.add(Diagnostic.error(source, Span.NONE, "too many errors: showing the first " + MAX_DIAGNOSTICS));
    return first;
  }
}
