package dev.nabla.grammar.diagnostic;

import java.util.List;

/**
 * Thrown by a phase that found errors in its input, carrying all of them. Callers print them with
 * {@link DiagnosticFormatter}; the exception's own message is only the first headline.
 */
public final class DiagnosticException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<Diagnostic> diagnostics;

  public DiagnosticException(List<Diagnostic> diagnostics) {
    super(diagnostics.isEmpty() ? "no diagnostics" : diagnostics.get(0).headline(), null, false, false);
    this.diagnostics = List.copyOf(diagnostics);
  }

  public DiagnosticException(Diagnostic diagnostic) {
    this(List.of(diagnostic));
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  public String formatted() {
    return DiagnosticFormatter.format(diagnostics);
  }
}
