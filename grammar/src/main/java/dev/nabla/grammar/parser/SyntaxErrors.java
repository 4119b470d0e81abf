package dev.nabla.grammar.parser;

import dev.nabla.grammar.diagnostic.Diagnostic;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects syntax errors, keeping the first one of each line: after the first mistake on a line,
 * what the parser says next is mostly a consequence of it, and a person fixes one thing per line
 * anyway. Every line with a mistake is reported, so one run shows all bad lines of a file.
 */
final class SyntaxErrors {
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private final Set<Integer> linesWithErrors = new HashSet<>();

  void report(Diagnostic diagnostic) {
    if (linesWithErrors.add(diagnostic.span().line())) {
      diagnostics.add(diagnostic);
    }
  }

  boolean isEmpty() {
    return diagnostics.isEmpty();
  }

  List<Diagnostic> inSourceOrder() {
    List<Diagnostic> sorted = new ArrayList<>(diagnostics);
    sorted.sort(Comparator.comparingInt(d -> d.span().start()));
    return List.copyOf(sorted);
  }
}
