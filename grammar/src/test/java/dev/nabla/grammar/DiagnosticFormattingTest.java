package dev.nabla.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.DiagnosticFormatter;
import dev.nabla.grammar.diagnostic.SourceFile;
import org.junit.jupiter.api.Test;

/** What a person sees: the headline, the line, a caret under the place, the hints. */
class DiagnosticFormattingTest {

  @Test
  void aSyntaxErrorShowsTheLineAndACaret() {
    var result = SpecParser.parseSpec(new SourceFile("net.nabla", """
        model M
        input X[784]
        Y1 = relu(W1 X +)
        loss = sum(Y1)
        """));
    assertEquals("""
        net.nabla:3:17: error: expected an expression after '+'
          Y1 = relu(W1 X +)
                          ^
        """, DiagnosticFormatter.format(result.diagnostics()));
  }

  @Test
  void allNameErrorsOfAFileComeTogetherWithHints() {
    var result = SpecParser.parseSpec(new SourceFile("net.nabla", """
        model M
        input X[784]
        param W1[20, 784]
        param W1[20, 784]
        Y1 = reul(W1 X + b1)
        loss = nll(Y1)
        """));
    assertEquals("""
        net.nabla:4:7: error: 'W1' is already declared
          param W1[20, 784]
                ^~
          hint: first declared at 3:7
        net.nabla:5:6: error: unknown function 'reul'
          Y1 = reul(W1 X + b1)
               ^~~~
          hint: did you mean 'relu'?
        net.nabla:5:18: error: unknown name 'b1'
          Y1 = reul(W1 X + b1)
                           ^~
          hint: did you mean 'W1'?
        net.nabla:6:8: error: nll takes 2 arguments, got 1
          loss = nll(Y1)
                 ^~~~~~~
        """, DiagnosticFormatter.format(result.diagnostics()));
  }

  @Test
  void orThrowCarriesEveryDiagnostic() {
    var result = SpecParser.parseExpression(SourceFile.ofExpression("reul(x) + sigmod(y)"));
    DiagnosticException thrown = assertThrows(DiagnosticException.class, result::orThrow);
    assertEquals(2, thrown.diagnostics().size());
    assertEquals("<expr>:1:1: error: unknown function 'reul'", thrown.getMessage());
  }
}
