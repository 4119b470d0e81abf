package dev.nabla.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.ExprPrinter;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.SpecPrinter;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The syntax of convolutional networks: rank-3 and rank-4 declarations, named arguments and their checks. */
class ImageSyntaxTest {

  private static final String CNN = """
      model FashionCnn
      input  X[1, 28, 28]
      label  y : 10
      param  K1[32, 1, 3, 3]
      param  c1[32]
      param  W3[10, 6272]
      param  b3[10]
      A1 = relu(conv2d(K1, X, padding=1) + c1)
      P1 = maxpool(A1, 2)
      logits = W3 dropout(0.25, flatten(P1)) + b3
      loss = cross_entropy(logits, y)
      """;

  @Test
  void namedArgumentsParseAndPrintBack() {
    Spec spec = SpecParser.parseSpec(new SourceFile("cnn.nabla", CNN)).orThrow();
    assertEquals(4, spec.only(Statement.Param.class).get(0).shape().size());
    Expr.Call relu = (Expr.Call) spec.value("A1").orElseThrow().value();
    Expr.Call conv = (Expr.Call) ((dev.nabla.grammar.ast.Expr.Binary) relu.arguments().get(0)).left();
    assertEquals(2, conv.arguments().size());
    assertEquals("padding", conv.named().get(0).name());
    assertEquals("conv2d(K1, X, padding=1)", ExprPrinter.print(conv));
    String canonical = SpecPrinter.print(spec);
    assertEquals(canonical, SpecPrinter.print(SpecParser.parseSpec(new SourceFile("again.nabla", canonical)).orThrow()));
  }

  @Test
  void aCallMayContinueOnTheNextLineWithANamedArgument() {
    String text = CNN.replace("A1 = relu(conv2d(K1, X, padding=1) + c1)", "A1 = relu(conv2d(K1, X,\n    padding=1) + c1)");
    List<Diagnostic> problems = SpecParser.parseSpec(new SourceFile("cnn.nabla", text)).diagnostics();
    assertEquals(List.of(), problems);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "A1 = conv2d(K1, X, stride=0)      | 8:27: stride must be at least 1, not 0",
      "A1 = conv2d(K1, X, padding=-1)    | 8:28: padding must be at least 0, not -1",
      "A1 = conv2d(K1, X, stride=1.5)    | 8:27: stride must be a whole number, not 1.5",
      "A1 = conv2d(K1, X, strides=2)     | 8:20: conv2d has no argument 'strides'",
      "A1 = conv2d(K1, X, stride=2, stride=1) | 8:30: stride is given twice",
      "A1 = conv2d(K1, stride=2, X)      | 8:27: a positional argument cannot follow a named one",
      "A1 = maxpool(X, 0)                | 8:17: the pooling window must be at least 1, not 0",
      "A1 = maxpool(X, k)                | 8:17: the pooling window must be a whole number, not k",
      "A1 = maxpool(X, 2, padding=1)     | 8:20: maxpool has no argument 'padding'",
      "A1 = relu(X, stride=2)            | 8:14: relu takes no named arguments",
      "A1 = dropout(1, X)                | 8:14: the dropout probability must be a number in [0, 1), not 1",
      "A1 = dropout(X, 0.5)              | 8:14: the dropout probability must be a number in [0, 1), not X",
  })
  void constantArgumentsAreChecked(String line, String expected) {
    String text = CNN.replace("A1 = relu(conv2d(K1, X, padding=1) + c1)", line);
    List<Diagnostic> problems = SpecParser.parseSpec(new SourceFile("cnn.nabla", text)).diagnostics();
    assertFalse(problems.isEmpty(), line);
    assertEquals(expected, problems.get(0).span().position() + ": " + problems.get(0).message());
  }

  @Test
  void oneLinersCheckNamedArgumentsToo() {
    List<Diagnostic> problems = SpecParser.parseExpression(SourceFile.ofExpression("sum(conv2d(K, X, stride=0))")).diagnostics();
    assertEquals("1:25: stride must be at least 1, not 0",
        problems.stream().map(d -> d.span().position() + ": " + d.message()).collect(Collectors.joining(" | ")));
  }
}
