package dev.nabla.grammar.parser;

import dev.nabla.grammar.diagnostic.Diagnostic;
import java.util.List;
import java.util.Optional;

/**
 * What the syntax phase gives the facade: the AST when the text could be parsed, and the
 * diagnostics found on the way (a value can come with diagnostics, such as {@code W[2.5]}).
 */
public record SyntaxResult<T>(Optional<T> value, List<Diagnostic> diagnostics) {

  public SyntaxResult {
    diagnostics = List.copyOf(diagnostics);
  }

  static <T> SyntaxResult<T> failed(List<Diagnostic> diagnostics) {
    return new SyntaxResult<>(Optional.empty(), diagnostics);
  }
}
