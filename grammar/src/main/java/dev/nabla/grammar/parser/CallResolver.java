package dev.nabla.grammar.parser;

import dev.nabla.grammar.Builtin;
import dev.nabla.grammar.check.Suggestions;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Decides what a call-shaped {@code f(x)} means: a call, or a product written without a space
 * ({@code W(x)} is {@code W · x}). A call is what a built-in or a {@code def} makes; a declared
 * value with one argument makes a product; anything else stays a call, which the name checks then
 * report as an unknown function, with a "did you mean" when a function is near.
 */
interface CallResolver {

  boolean isCall(String callee, int argumentCount, Set<String> localNames);

  /** In a spec file, where the declarations say what each name is. */
  static CallResolver forSpec(Set<String> values, Set<String> defs) {
    return (callee, argumentCount, localNames) -> {
      if (Builtin.named(callee).isPresent() || defs.contains(callee)) {
        return true;
      }
      boolean isValue = values.contains(callee) || localNames.contains(callee);
      return !(isValue && argumentCount == 1);
    };
  }

  /**
   * In a one-line expression there are no declarations: a built-in or a near misspelling of one is
   * a call, any other name with one argument a product.
   */
  static CallResolver forExpression() {
    List<String> builtins = Arrays.stream(Builtin.values()).map(Builtin::spelling).toList();
    return (callee, argumentCount, localNames) -> Builtin.named(callee).isPresent()
        || Suggestions.closest(callee, builtins).isPresent()
        || argumentCount != 1;
  }
}
