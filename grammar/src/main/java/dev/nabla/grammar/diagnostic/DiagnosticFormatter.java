package dev.nabla.grammar.diagnostic;

import java.util.List;

/**
 * Renders diagnostics the way compilers do:
 *
 * <pre>
 * net.nabla:3:12: error: expected an expression after '+'
 *   Y1 = relu(W1 X +)
 *                  ^
 *   hint: ...
 * </pre>
 *
 * Lines longer than {@link #MAX_EXCERPT} are cut around the caret so that a 1 MB line does not
 * flood the terminal.
 */
public final class DiagnosticFormatter {
  static final int MAX_EXCERPT = 120;

  private DiagnosticFormatter() {}

  public static String format(List<Diagnostic> diagnostics) {
    StringBuilder out = new StringBuilder();
    for (Diagnostic diagnostic : diagnostics) {
      out.append(format(diagnostic));
    }
    return out.toString();
  }

  public static String format(Diagnostic diagnostic) {
    StringBuilder out = new StringBuilder(diagnostic.headline()).append('\n');
    Span span = diagnostic.span();
    SourceFile source = diagnostic.source();
    if (span.isKnown() && span.line() <= source.lineCount()) {
      String line = printable(source.line(span.line()));
      int caret = span.column() - 1;
      int width = Math.max(1, Math.min(source.text().codePointCount(
          Math.min(span.start(), source.text().length()),
          Math.min(span.end(), source.text().length())), line.length() - caret));
      int from = 0;
      if (line.length() > MAX_EXCERPT) {
        from = Math.max(0, Math.min(caret - MAX_EXCERPT / 2, line.length() - MAX_EXCERPT));
        line = line.substring(from, Math.min(line.length(), from + MAX_EXCERPT));
        caret -= from;
        width = Math.min(width, MAX_EXCERPT - caret);
      }
      out.append("  ").append(line).append('\n');
      out.append("  ").append(" ".repeat(Math.max(0, caret))).append('^');
      if (width > 1) {
        out.append("~".repeat(width - 1));
      }
      out.append('\n');
    }
    for (String hint : diagnostic.hints()) {
      out.append("  hint: ").append(hint).append('\n');
    }
    return out.toString();
  }

  /** Tabs become spaces (so the caret lines up) and control characters become '?'. */
  private static String printable(String line) {
    StringBuilder out = new StringBuilder(line.length());
    line.codePoints().forEach(cp -> {
      if (cp == '\t') {
        out.append(' ');
      } else if (Character.isISOControl(cp) || cp == 0xFFFD) {
        out.append('?');
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.toString();
  }
}
