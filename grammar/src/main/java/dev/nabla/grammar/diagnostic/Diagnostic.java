package dev.nabla.grammar.diagnostic;

import java.util.List;

/**
 * One problem found in an input: where it is, what is wrong, and optionally what would fit. Every
 * phase (syntax, names, shapes) reports problems as diagnostics; {@link DiagnosticFormatter} alone
 * turns them into text.
 */
public record Diagnostic(Severity severity, SourceFile source, Span span, String message, List<String> hints) {

  public enum Severity {
    ERROR("error"),
    WARNING("warning");

    private final String label;

    Severity(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public Diagnostic {
    hints = List.copyOf(hints);
  }

  public static Diagnostic error(SourceFile source, Span span, String message, String... hints) {
    return new Diagnostic(Severity.ERROR, source, span, message, List.of(hints));
  }

  public static Diagnostic warning(SourceFile source, Span span, String message, String... hints) {
    return new Diagnostic(Severity.WARNING, source, span, message, List.of(hints));
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** The first line of the formatted diagnostic: {@code file:line:col: error: message}. */
  public String headline() {
    String where = span.isKnown() ? source.name() + ":" + span.position() : source.name();
    return where + ": " + severity.label() + ": " + message;
  }

  @Override
  public String toString() {
    return headline();
  }
}
