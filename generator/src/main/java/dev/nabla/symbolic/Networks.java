package dev.nabla.symbolic;

import dev.nabla.grammar.SpecParser;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The front of the pipeline: text in, a checked {@link Network} out, or a {@link
 * DiagnosticException} with every problem found (syntax, names, shapes).
 */
public final class Networks {
  private Networks() {}

  /** A spec file's network. */
  public static Network fromSpec(SourceFile source) {
    Spec spec = SpecParser.parseSpec(source).orThrow();
    return Lowering.lower(spec, canonicalText(source));
  }

  /** A one-liner's network, with symbolic shapes unless {@code dims} gives them. */
  public static Network fromExpression(SourceFile source, Optional<Lowering.LossChoice> loss, Map<String, List<Long>> dims) {
    Expr expr = SpecParser.parseExpression(source).orThrow();
    return Lowering.lower(source, expr, loss, dims);
  }

  public static Network fromExpression(String text) {
    return fromExpression(SourceFile.ofExpression(text), Optional.empty(), Map.of());
  }

  /**
   * What the model's hash is taken of: the spec without comments and with blank space normalized, so
   * that editing a comment does not orphan a checkpoint while any change to the math does.
   */
  static String canonicalText(SourceFile source) {
    StringBuilder out = new StringBuilder();
    for (String line : source.text().split("\n", -1)) {
      int comment = line.indexOf('#');
      String code = (comment >= 0 ? line.substring(0, comment) : line).strip().replaceAll("\\s+", " ");
      if (!code.isEmpty()) {
        out.append(code).append('\n');
      }
    }
    return out.toString();
  }
}
