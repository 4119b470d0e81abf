package dev.nabla.grammar;

import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.DiagnosticException;
import java.util.List;
import java.util.Optional;

/**
 * What parsing gives: the AST, present exactly when there is no error, and every diagnostic found
 * (errors and warnings), in source order.
 */
public record ParseResult<T>(Optional<T> value, List<Diagnostic> diagnostics) {

  public ParseResult {
    diagnostics = List.copyOf(diagnostics);
    if (value.isPresent() && diagnostics.stream().anyMatch(Diagnostic::isError)) {
      throw new IllegalArgumentException("a result with errors carries no value");
    }
  }

  static <T> ParseResult<T> of(Optional<T> value, List<Diagnostic> diagnostics) {
    boolean failed = diagnostics.stream().anyMatch(Diagnostic::isError);
    return new ParseResult<>(failed ? Optional.empty() : value, diagnostics);
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }

  /** The AST, or a {@link DiagnosticException} carrying all diagnostics. */
  public T orThrow() {
    return value.orElseThrow(() -> new DiagnosticException(diagnostics));
  }
}
