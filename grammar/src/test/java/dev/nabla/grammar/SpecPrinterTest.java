package dev.nabla.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.SpecPrinter;
import dev.nabla.grammar.diagnostic.SourceFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The canonical text of a spec parses back to the same spec: what spec hashes rely on. */
class SpecPrinterTest {

  @ParameterizedTest
  @ValueSource(strings = {Examples.LESSON_SPEC, Examples.BLOCK_GRAPH_SPEC, Examples.EXERCISE_4_SPEC, """
      model Odd
      input  x                       # a scalar input
      target t[n1]
      param  W[n1, 1] init normal(-0.5, 1.0E-4)
      param  c init constant(-0)
      Y = -x^2 W ᵀ' + W(x) ⊙ (x / 2) - 1e-3 · x^-1 @ c
      loss = mse(Y, t)
      """})
  void printedSpecsParseBackUnchanged(String text) {
    Spec original = SpecParser.parseSpec(new SourceFile("a.nabla", text)).orThrow();
    String printed = SpecPrinter.print(original);
    Spec reparsed = SpecParser.parseSpec(new SourceFile("printed.nabla", printed)).orThrow();
    assertEquals(WithoutSpans.of(original.statements()), WithoutSpans.of(reparsed.statements()));
    assertEquals(printed, SpecPrinter.print(reparsed));
  }
}
