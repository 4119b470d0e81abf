package dev.nabla.grammar.ast;

import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.List;
import java.util.Optional;

/**
 * A whole spec file: one sample's network. Statements are in source order; names are declared
 * before they are used.
 */
public record Spec(SourceFile source, List<Statement> statements) {

  public Spec {
    statements = List.copyOf(statements);
  }

  /** The name of the value differentiated. */
  public static final String LOSS = "loss";

  /** The name of the value {@code predict} returns, when the spec declares it. */
  public static final String OUTPUT = "out";

  public Optional<Statement.Model> model() {
    return only(Statement.Model.class).stream().findFirst();
  }

  public <S extends Statement> List<S> only(Class<S> kind) {
    return statements.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  public Optional<Statement.Let> value(String name) {
    return only(Statement.Let.class).stream().filter(let -> let.name().equals(name)).findFirst();
  }
}
