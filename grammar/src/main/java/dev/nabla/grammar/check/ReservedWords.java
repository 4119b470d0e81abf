package dev.nabla.grammar.check;

import dev.nabla.grammar.Builtin;
import java.util.Optional;
import java.util.Set;

/** Words that cannot name a value, a def or a parameter: the keywords and the built-in functions. */
public final class ReservedWords {
  public static final Set<String> KEYWORDS = Set.of("model", "input", "label", "target", "param", "def", "init");

  private ReservedWords() {}

  /** Why {@code name} cannot be used as a name, or empty when it can. */
  public static Optional<String> whyReserved(String name) {
    if (KEYWORDS.contains(name)) {
      return Optional.of("'" + name + "' is a keyword and cannot be used as a name");
    }
    if (Builtin.named(name).isPresent()) {
      return Optional.of("'" + name + "' is a built-in function and cannot be used as a name");
    }
    return Optional.empty();
  }
}
