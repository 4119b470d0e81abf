package dev.nabla.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed inputs and exactly what the user is told: {@code line:column: message} of every
 * diagnostic, in order, separated by {@code |}. Spec cases start from a valid spec so that only
 * the line under test is wrong.
 */
class MalformedInputTest {

  /** Lines 1-2 of every spec case; the line under test is line 3. */
  private static final String HEAD = "model M\ninput X[4]\n";
  private static final String LOSS = "\nloss = sum(X)";

  static Stream<Arguments> expressions() {
    return Stream.of(
        expr("relu(W1 X +)", "1:12: expected an expression after '+'"),
        expr("a +", "1:4: expected an expression after '+'"),
        expr("a + * b", "1:5: expected an expression after '+'"),
        expr("a ^", "1:4: expected an expression after '^'"),
        expr("* a", "1:1: expected an expression, found '*'"),
        expr("relu(,x)", "1:6: expected an expression after 'relu('"),
        expr("relu(x,)", "1:8: expected an expression after ','"),
        expr("()", "1:2: expected an expression after '('"),
        expr("a ** 2", "1:4: expected an expression after '*'"),
        expr("(a + b", "1:7: missing ')' to close '(' at 1:1"),
        expr("relu(W1 X + b1", "1:15: missing ')' to close '(' at 1:5"),
        expr("f(g(x)", "1:7: missing ')' to close '(' at 1:2"),
        expr("a + b)", "1:6: unbalanced ')'"),
        expr("(a]", "1:3: expected ')' to close '(' at 1:1, found ']'"),
        expr("a $ b", "1:3: unexpected character '$'"),
        expr("a ; b", "1:3: unexpected character ';'"),
        expr("1{x >= 0}", "1:2: unexpected character '{'"),
        expr(".5 x", "1:1: unexpected character '.'"),
        expr("1.2.3", "1:4: unexpected character '.'"),
        expr("a\u0000b", "1:2: unexpected character U+0000"),
        expr("a \uFFFD b", "1:3: unexpected character U+FFFD"),
        expr("a × b", "1:3: unexpected character '×'"),
        expr("a = b", "1:3: expected the end of the expression after 'a', found '='"),
        expr("a, b", "1:2: unexpected ',' outside the arguments of a call"),
        expr("", "1:1: empty expression"),
        expr("# only a comment", "1:1: empty expression"),
        expr("x^y", "1:3: the exponent of '^' must be a constant number"),
        expr("x^(-y)", "1:4: the exponent of '^' must be a constant number"),
        expr("reul(x)", "1:1: unknown function 'reul'"),
        expr("sigmod(W x)", "1:1: unknown function 'sigmod'"),
        expr("f(a, b)", "1:1: unknown function 'f'"),
        expr("relu(x, y)", "1:1: relu takes 1 argument, got 2"),
        expr("nll(x)", "1:1: nll takes 2 arguments, got 1"),
        expr("relu", "1:1: 'relu' is a function: call it as relu(...)"),
        expr("1e999 x", "1:1: number 1e999 is too large"));
  }

  static Stream<Arguments> specs() {
    return Stream.of(
        spec(HEAD + "W X + b" + LOSS, "3:3: expected '=' after 'W'"),
        spec(HEAD + "param W[3,, 4]" + LOSS, "3:11: expected a dimension (a whole number or a name) after ','"),
        spec(HEAD + "param W[]" + LOSS, "3:9: expected a dimension (a whole number or a name) after '['"),
        spec(HEAD + "param W[3, 4" + LOSS, "3:13: missing ']' to close '[' at 3:8"),
        spec(HEAD + "label y : 3 10" + LOSS, "3:13: expected the end of the line after '3', found '10'"),
        spec(HEAD + "label y 3" + LOSS, "3:9: expected ':' and the number of classes after 'y'"),
        spec(HEAD + "param" + LOSS, "3:6: expected a name after 'param'"),
        spec("model\ninput X[4]" + LOSS, "1:6: expected a name after 'model'"),
        spec(HEAD + "param W[3, 4] init" + LOSS, "3:19: expected an initializer after 'init'"),
        spec(HEAD + "param W[3, 4] init normal(0, )" + LOSS, "3:30: expected a number after ','"),
        spec(HEAD + "def" + LOSS, "3:4: expected the def's name and parameters after 'def'"),
        spec(HEAD + "relu(X)" + LOSS, "3:1: expected a statement, found 'relu('"),
        spec(HEAD + "5 = X" + LOSS, "3:1: expected a statement, found '5'"),
        spec(HEAD + "Y = X, X" + LOSS, "3:6: unexpected ',' outside the arguments of a call"),
        spec(HEAD + "Y = relu(X) @\nZ = (X\nV = X)" + LOSS,
            "3:14: expected an expression after '@' | 4:7: missing ')' to close '(' at 4:5 | 5:6: unbalanced ')'"),
        spec(HEAD + "param W[3, 4] init gaussian(0, 1)" + LOSS, "3:15: unknown initializer 'gaussian'"),
        spec(HEAD + "param W[3, 4] init normal(0)" + LOSS, "3:15: normal takes 2 numbers, got 1"),
        spec(HEAD + "param W[3, 4] init zero" + LOSS, "3:15: unknown initializer 'zero'"),
        spec(HEAD + "param W[2.5]" + LOSS, "3:9: a dimension must be a whole number, got '2.5'"),
        spec(HEAD + "param W[0]" + LOSS, "3:9: a dimension must be at least 1, got 0"),
        spec(HEAD + "Y = reul(X)" + LOSS, "3:5: unknown function 'reul'"),
        spec(HEAD + "Y = relu(X, X)" + LOSS, "3:5: relu takes 1 argument, got 2"),
        spec(HEAD + "param W[4, 4]\nparam W[4, 4]" + LOSS, "4:7: 'W' is already declared"),
        spec(HEAD + "Y = W3 X" + LOSS, "3:5: unknown name 'W3'"),
        spec(HEAD + "Y = relu(Z)\nZ = X" + LOSS, "3:10: 'Z' is used before it is defined"),
        spec(HEAD + "Y = Y + X" + LOSS, "3:5: 'Y' is used in its own definition"),
        spec(HEAD + "def f(x) = f(x)" + LOSS, "3:5: def 'f' calls itself"),
        spec(HEAD + "def f(x) = g(x)\ndef g(x) = relu(f(x))" + LOSS, "3:5: def 'f' calls itself through g"),
        spec(HEAD + "def f(x, x) = x" + LOSS, "3:10: parameter 'x' appears twice in def 'f'"),
        spec(HEAD + "def f(x) = x\nY = f(X, X)" + LOSS, "4:5: f takes 1 argument, got 2"),
        spec(HEAD + "def dense(x) = relu(x)\nY = dense" + LOSS, "4:5: 'dense' is a def: call it as dense(...)"),
        spec(HEAD + "param W[4, 4]\nY = W(X, X)" + LOSS, "4:5: 'W' is a value, not a function"),
        spec(HEAD + "relu = X" + LOSS, "3:1: 'relu' is a built-in function and cannot be used as a name"),
        spec(HEAD + "input = X" + LOSS, "3:1: 'input' is a keyword and cannot be used as a name"),
        spec(HEAD + "Y = X ^ X" + LOSS, "3:9: the exponent of '^' must be a constant number"),
        spec(HEAD + "model N" + LOSS, "3:1: a spec has one 'model' line"),
        spec(HEAD + "input Z[4]" + LOSS, "3:1: only one input is supported for now"),
        spec(HEAD + "label y : 3\ntarget t[3]" + LOSS, "4:1: a spec has a label or a target, not both"),
        spec(HEAD + "Y = relu(X)", "3:12: the spec has no 'loss = ...' line"),
        spec("input X[4]" + LOSS, "1:1: the spec has no 'model' line"),
        spec("model M\nloss = 1", "1:1: the spec has no 'input' line"),
        spec("", "1:1: empty spec: expected a 'model' line, an 'input', parameters and a 'loss = ...' line"),
        spec("# only comments\n\n   # and blank lines\n",
            "1:1: empty spec: expected a 'model' line, an 'input', parameters and a 'loss = ...' line"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("expressions")
  void expressionDiagnostics(String text, String expected) {
    assertEquals(expected, described(SpecParser.parseExpression(SourceFile.ofExpression(text)).diagnostics()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("specs")
  void specDiagnostics(String text, String expected) {
    assertEquals(expected, described(SpecParser.parseSpec(new SourceFile("bad.nabla", text)).diagnostics()));
  }

  private static String described(List<Diagnostic> diagnostics) {
    return diagnostics.stream().map(d -> d.span().position() + ": " + d.message()).collect(Collectors.joining(" | "));
  }

  private static Arguments expr(String text, String expected) {
    return Arguments.of(text, expected);
  }

  private static Arguments spec(String text, String expected) {
    return Arguments.of(text, expected);
  }
}
