package dev.nabla.symbolic;

import dev.nabla.grammar.SpecParser;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
   * {@code network}, if it can be turned into a class: every dimension sized ({@link #requireSizes}) and a
   * prediction computed from the input alone. A spec whose loss calls no loss function and names no such
   * value ({@code loss = sum((X w - y)^2)}) still derives; a class of it is refused with what to write.
   */
  public static Network requirePrediction(Network network) {
    requireSizes(network);
    boolean needsTruth = Differentiator.reachable(network.output()).stream()
        .anyMatch(node -> node.op() instanceof Op.Leaf leaf
            && (leaf.kind() == Op.Leaf.Kind.LABEL || leaf.kind() == Op.Leaf.Kind.TARGET));
    if (needsTruth) {
      throw new DiagnosticException(List.of(Diagnostic.error(network.source(), network.loss().span(),
          "cannot tell what the model predicts: the loss calls no loss function and names no value computed from the input alone",
          "name the prediction with a line such as: out = W x + b")));
    }
    return network;
  }

  /**
   * {@code network}, when every dimension has a size: what evaluating it, generating its class or
   * training it needs (printing its formulas does not). A dimension named in a declaration and never
   * given a number ({@code param W1[h, 5]} with no other use of {@code h} that fixes it), or a
   * one-liner's name without {@code --dim}, is reported at its declaration.
   *
   * @throws DiagnosticException naming every dimension without a size, once each
   */
  public static Network requireSizes(Network network) {
    List<Diagnostic> errors = new ArrayList<>();
    Set<Dim> reported = new HashSet<>();
    for (Node node : network.graph().nodes()) {
      if (!(node.op() instanceof Op.Leaf leaf) || node.shape().isKnown()) {
        continue;
      }
      if (node.shape().isUnknown()) {
        errors.add(Diagnostic.error(network.source(), node.span(), "the shape of " + leaf.name() + " is never fixed",
            "give it with --dim " + leaf.name() + "=ROWSxCOLUMNS"));
        continue;
      }
      for (Dim dim : node.shape().dims()) {
        if (!dim.isKnown() && reported.add(dim)) {
          errors.add(unsized(network.source(), node, leaf.name(), dim));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new DiagnosticException(errors);
    }
    return network;
  }

  private static Diagnostic unsized(SourceFile source, Node leaf, String name, Dim dim) {
    Span span = leaf.span();
    if (source.name().equals(SourceFile.ofExpression("").name())) {
      return Diagnostic.error(source, span, name + " has the shape " + leaf.shape() + ", but nothing gives " + dim + " a size",
          "give it with --dim " + name + "=" + (leaf.shape().rank() == 2 ? "ROWSxCOLUMNS" : "SIZE"));
    }
    return Diagnostic.error(source, dimSpan(source, span, dim.toString()),
        "dimension " + dim + " (of " + name + ") is never given a size: nothing in the spec fixes it",
        "write its size in its place, as in " + name + "[" + leaf.shape().dims().stream()
            .map(d -> d.isKnown() ? d.toString() : "20").collect(java.util.stream.Collectors.joining(", ")) + "]",
        "or use " + dim + " in a declaration that has it, such as the input's");
  }

  /** Where {@code dim} is written inside the brackets of the declaration at {@code declaration}, else the declaration. */
  private static Span dimSpan(SourceFile source, Span declaration, String dim) {
    if (!declaration.isKnown() || declaration.end() > source.text().length()) {
      return declaration;
    }
    String text = source.text().substring(declaration.start(), declaration.end());
    java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(?<![\\p{L}\\p{N}_])" + java.util.regex.Pattern.quote(dim)
        + "(?![\\p{L}\\p{N}_])").matcher(text);
    int bracket = text.indexOf('[');
    if (bracket < 0 || !matcher.find(bracket)) {
      return declaration;
    }
    int start = declaration.start() + matcher.start();
    return new Span(start, start + dim.length(), source.lineOf(start), source.columnOf(start));
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
