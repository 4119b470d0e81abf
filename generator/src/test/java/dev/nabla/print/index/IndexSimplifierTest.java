package dev.nabla.print.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.print.Notation;
import dev.nabla.print.index.IndexExpr.Delta;
import dev.nabla.print.index.IndexExpr.Element;
import dev.nabla.print.index.IndexExpr.Index;
import dev.nabla.print.index.IndexExpr.Negate;
import dev.nabla.print.index.IndexExpr.Subtract;
import dev.nabla.print.index.IndexExpr.Sum;
import dev.nabla.symbolic.Dim;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IndexSimplifierTest {
  private static final IndexFormatter UNICODE = new IndexFormatter(Notation.UNICODE);
  private static final Index.Var K = new Index.Var("#1");
  private static final Index M = Index.var("m");
  private static final Dim TEN = Dim.of(10);

  private static Element x(Index index) {
    return new Element("x", List.of(index));
  }

  private static String simplified(IndexExpr expr) {
    return UNICODE.format(IndexSimplifier.nameSummations(IndexSimplifier.simplify(expr)));
  }

  @Test
  void aSumOverADeltaPicksOneElement() {
    assertEquals("x_m", simplified(new Sum(K, TEN, IndexExpr.multiply(new Delta(K, M), x(K)))));
    assertEquals("1", simplified(new Sum(K, TEN, new Delta(M, K))));
  }

  @Test
  void onesZerosAndNumbers() {
    assertEquals("x_m", simplified(IndexExpr.multiply(IndexExpr.number(1), x(M))));
    assertEquals("0", simplified(IndexExpr.multiply(IndexExpr.number(0), x(M))));
    assertEquals("x_m", simplified(new IndexExpr.Add(List.of(x(M), IndexExpr.number(0)))));
    assertEquals("6 · x_m", simplified(IndexExpr.multiply(IndexExpr.number(2), x(M), IndexExpr.number(3))));
    assertEquals("1", simplified(new Delta(Index.at(2), Index.at(2))));
    assertEquals("0", simplified(new Delta(Index.at(2), Index.at(3))));
  }

  @Test
  void minusSigns() {
    assertEquals("−x_m · x_0", simplified(IndexExpr.multiply(x(M), new Negate(x(Index.at(0))))));
    assertEquals("x_m + x_0", simplified(new Subtract(x(M), new Negate(x(Index.at(0))))));
    assertEquals("−x_0", simplified(new Subtract(IndexExpr.number(0), x(Index.at(0)))));
    assertEquals("x_0 − x_m", simplified(new IndexExpr.Add(List.of(new Negate(x(M)), x(Index.at(0))))));
  }

  @Test
  void factorsFreeOfTheIndexLeaveTheSum() {
    Element a = new Element("a", List.of());
    assertEquals("a · (Σ_k x_k)", simplified(new Sum(K, TEN, IndexExpr.multiply(a, x(K)))));
  }

  @Test
  void summationIndicesAvoidTheFreeOnes() {
    IndexExpr sum = new Sum(K, TEN, new Element("w", List.of(K, M)));
    assertEquals("Σ_k w_{k,m}", UNICODE.format(IndexSimplifier.nameSummations(sum)));
    assertEquals("Σ_n w_{n,m}", UNICODE.format(IndexSimplifier.nameSummations(sum, Set.of("k"))));
  }

  @Test
  void parentheses() {
    IndexExpr sum = new Sum(K, TEN, x(K));
    assertEquals("(Σ_k x_k) · x_m", simplified(IndexExpr.multiply(sum, x(M))));
    assertEquals("x_m − (x_0 − x_1)", UNICODE.format(new Subtract(x(M), new Subtract(x(Index.at(0)), x(Index.at(1))))));
    assertEquals("Σ_k (x_k − x_m)", simplified(new Sum(K, TEN, new Subtract(x(K), x(M)))));
  }
}
