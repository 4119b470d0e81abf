package dev.nabla.grammar.check;

import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;

/** The name a statement declares, and where that name stands in the source. */
final class DeclaredNames {
  private DeclaredNames() {}

  static String nameOf(Statement statement) {
    if (statement instanceof Statement.Model model) {
      return model.name();
    } else if (statement instanceof Statement.Input input) {
      return input.name();
    } else if (statement instanceof Statement.Label label) {
      return label.name();
    } else if (statement instanceof Statement.Target target) {
      return target.name();
    } else if (statement instanceof Statement.Param param) {
      return param.name();
    } else if (statement instanceof Statement.Let let) {
      return let.name();
    }
    return ((Statement.Def) statement).name();
  }

  /**
   * The span of the declared name. A let records it; the other statements are
   * {@code keyword name ...}, so the name is the word after the keyword.
   */
  static Span nameSpan(Statement statement, SourceFile source) {
    if (statement instanceof Statement.Let let) {
      return let.nameSpan();
    }
    String text = source.text();
    Span span = statement.span();
    int at = span.start();
    while (at < span.end() && !Character.isWhitespace(text.charAt(at))) {
      at++;
    }
    while (at < span.end() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
    int end = Math.min(span.end(), at + nameOf(statement).length());
    if (!text.startsWith(nameOf(statement), at)) {
      return span; // not where expected (a span from elsewhere): the whole statement still locates it
    }
    return new Span(at, end, source.lineOf(at), source.columnOf(at));
  }

}
