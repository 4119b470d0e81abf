package dev.nabla.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.grammar.ast.BinaryOp;
import dev.nabla.grammar.ast.Dim;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.ExprPrinter;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.SpecPrinter;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.DiagnosticFormatter;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The lesson's formulas and networks, read as the lesson means them. */
class LessonExamplesTest {

  @ParameterizedTest(name = "{0}  =>  {1}")
  @CsvSource(delimiter = '|', textBlock = """
      softmax(W2 relu(W1 X + b1) + b2)                    | softmax(((W2 · relu(((W1 · X) + b1))) + b2))
      logsoftmax(W2 relu(W1 X + b1) + b2)                 | logsoftmax(((W2 · relu(((W1 · X) + b1))) + b2))
      sigmoid(W3 relu(W2 relu(W1 x + b1) + b2) + b3)      | sigmoid(((W3 · relu(((W2 · relu(((W1 · x) + b1))) + b2))) + b3))
      (Y2 - t) Y1ᵀ                                        | ((Y2 - t) · (Y1ᵀ))
      W2ᵀ (Y2 - t)                                        | ((W2ᵀ) · (Y2 - t))
      (W2ᵀ (Y2 - t)) ⊙ step(Z1)                           | (((W2ᵀ) · (Y2 - t)) * step(Z1))
      δ1 Xᵀ                                               | (δ1 · (Xᵀ))
      -x^2                                                | (-(x ^ 2))
      W -x                                                | (W - x)
      W - -x                                              | (W - (-x))
      W * -x                                              | (W * (-x))
      2 W X                                               | ((2 · W) · X)
      Aᵀ B                                                | ((Aᵀ) · B)
      x'                                                  | (xᵀ)
      x''                                                 | ((xᵀ)ᵀ)
      a * b c                                             | ((a * b) · c)
      a b * c                                             | ((a · b) * c)
      a / b / c                                           | ((a / b) / c)
      a - b - c                                           | ((a - b) - c)
      a + b c                                             | (a + (b · c))
      a @ b · c ⋅ d                                       | (((a · b) · c) · d)
      a − b                                               | (a - b)
      (x^2)^3                                             | ((x ^ 2) ^ 3)
      x^-1                                                | (x ^ (-1))
      x^0.5 y                                             | ((x ^ 0.5) · y)
      -a b                                                | ((-a) · b)
      W2 (Y2 - t)                                         | (W2 · (Y2 - t))
      W(x)                                                | (W · x)
      1e-3 W                                              | (1e-3 · W)
      mean((y - t)^2)                                     | mean(((y - t) ^ 2))
      """)
  void expressionsReadAsTheLessonMeansThem(String text, String canonical) {
    Expr expr = SpecParser.parseExpression(SourceFile.ofExpression(text)).orThrow();
    assertEquals(canonical, ExprPrinter.print(expr));
  }

  @Test
  void theLessonsSpecParsesWithoutDiagnostics() {
    var result = SpecParser.parseSpec(new SourceFile("lesson.nabla", Examples.LESSON_SPEC));
    assertEquals("", DiagnosticFormatter.format(result.diagnostics()));
    Spec spec = result.orThrow();
    assertEquals("FashionMlp", spec.model().orElseThrow().name());
    assertEquals("""
        model FashionMlp
        input X[784]
        label y : 10
        param W1[20, 784]
        param b1[20]
        param W2[10, 20]
        param b2[10]
        Y1 = relu(((W1 · X) + b1))
        out = logsoftmax(((W2 · Y1) + b2))
        loss = nll(out, y)
        """, SpecPrinter.print(spec));
  }

  @Test
  void declarationsKeepTheirShapes() {
    Spec spec = SpecParser.parseSpec(new SourceFile("lesson.nabla", Examples.LESSON_SPEC)).orThrow();
    Statement.Param w1 = spec.only(Statement.Param.class).get(0);
    assertEquals("W1", w1.name());
    assertEquals(List.of(20L, 784L), w1.shape().stream().map(d -> ((Dim.Fixed) d).size()).toList());
    assertEquals(Optional.empty(), w1.init());
    Statement.Label label = spec.only(Statement.Label.class).get(0);
    assertEquals(10L, ((Dim.Fixed) label.classes()).size());
  }

  @Test
  void exercise3BlockGraphIsWrittenWithDefs() {
    Spec spec = SpecParser.parseSpec(new SourceFile("blocks.nabla", Examples.BLOCK_GRAPH_SPEC)).orThrow();
    assertEquals(List.of("B1", "B2", "B3"), spec.only(Statement.Def.class).stream().map(Statement.Def::name).toList());
    assertEquals("B3(B2(X), B1(X))", ExprPrinter.print(spec.value("Y").orElseThrow().value()));
    Statement.Def b3 = spec.only(Statement.Def.class).get(2);
    assertEquals(List.of("u", "v"), b3.parameters().stream().map(Statement.Name::name).toList());
    assertEquals("sigmoid((W3 · (u + v)))", ExprPrinter.print(b3.body()));
    Statement.Param w3 = spec.only(Statement.Param.class).get(2);
    assertEquals(new Statement.Init("uniform", List.of(-0.1, 0.1), w3.init().orElseThrow().span()), w3.init().get());
  }

  @Test
  void exercise4NetworkIsOneLine() {
    Spec spec = SpecParser.parseSpec(new SourceFile("ex4.nabla", Examples.EXERCISE_4_SPEC)).orThrow();
    assertEquals("sigmoid(((W3 · relu(((W2 · relu(((W1 · x) + b1))) + b2))) + b3))",
        ExprPrinter.print(spec.value("out").orElseThrow().value()));
  }

  @Test
  void aStatementEndsAtTheEndOfItsLine() {
    Spec spec = SpecParser.parseSpec(new SourceFile("lesson.nabla", Examples.LESSON_SPEC)).orThrow();
    assertEquals("relu(((W1 · X) + b1))", ExprPrinter.print(spec.value("Y1").orElseThrow().value()));
  }

  @Test
  void aNameGluedToParenthesesIsACallOnlyForFunctions() {
    Spec spec = SpecParser.parseSpec(new SourceFile("s.nabla", """
        model M
        input X[4]
        param W[4, 4]
        def f(x) = W(x)
        A = W(X)
        B = f(X)
        loss = sum(A + B)
        """)).orThrow();
    assertInstanceOf(Expr.Binary.class, spec.value("A").orElseThrow().value());
    assertInstanceOf(Expr.Call.class, spec.value("B").orElseThrow().value());
    assertInstanceOf(Expr.Binary.class, spec.only(Statement.Def.class).get(0).body());
  }

  @Test
  void spansLocateEveryNode() {
    Expr expr = SpecParser.parseExpression(SourceFile.ofExpression("softmax(W2 relu(W1 X + b1) + b2)")).orThrow();
    Expr.Call softmax = (Expr.Call) expr;
    assertEquals(new Span(0, 32, 1, 1), softmax.span());
    assertEquals(new Span(0, 7, 1, 1), softmax.nameSpan());
    Expr.Binary sum = (Expr.Binary) softmax.arguments().get(0);
    assertEquals(BinaryOp.ADD, sum.op());
    assertEquals(new Span(8, 31, 1, 9), sum.span());
    Expr.Binary product = (Expr.Binary) sum.left();
    assertEquals(new Span(8, 26, 1, 9), product.span());
    assertEquals(new Span(8, 10, 1, 9), product.left().span());
  }

  @Test
  void columnsCountCodePoints() {
    // 𝐖 is outside the BMP: two chars, one column.
    var result = SpecParser.parseExpression(SourceFile.ofExpression("𝐖 x + $"));
    assertTrue(result.hasErrors());
    assertEquals("1:7", result.diagnostics().get(0).span().position());
    Expr ok = SpecParser.parseExpression(SourceFile.ofExpression("𝐖 x")).orThrow();
    Expr.Binary product = (Expr.Binary) ok;
    assertEquals(new Span(3, 4, 1, 3), product.right().span());
  }

  @Test
  void oneLinersTreatFreeNamesAsValues() {
    var result = SpecParser.parseExpression(SourceFile.ofExpression("W2 (Y2 - t) + unknown_thing"));
    assertFalse(result.hasErrors());
  }
}
