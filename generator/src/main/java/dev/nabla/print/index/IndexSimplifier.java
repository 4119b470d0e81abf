package dev.nabla.print.index;

import dev.nabla.print.index.IndexExpr.Add;
import dev.nabla.print.index.IndexExpr.Apply;
import dev.nabla.print.index.IndexExpr.Delta;
import dev.nabla.print.index.IndexExpr.Divide;
import dev.nabla.print.index.IndexExpr.Element;
import dev.nabla.print.index.IndexExpr.Index;
import dev.nabla.print.index.IndexExpr.Multiply;
import dev.nabla.print.index.IndexExpr.Negate;
import dev.nabla.print.index.IndexExpr.Number;
import dev.nabla.print.index.IndexExpr.Power;
import dev.nabla.print.index.IndexExpr.Subtract;
import dev.nabla.print.index.IndexExpr.Sum;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tidies an index formula the way a person would: no {@code · 1}, no {@code + 0}, numbers folded,
 * minus signs pulled out of products, {@code 1{m=m}} = 1 and {@code 1{0=1}} = 0, and a sum over a
 * Kronecker delta collapsed ({@code Σ_k 1{k=m} x_k = x_m}). Factors that do not depend on a sum's
 * index move out in front of it. The order of the remaining factors and terms is kept, so the
 * result is deterministic.
 */
public final class IndexSimplifier {
  /** The letters summation indices get, in order of preference (the lesson's k, n, m first). */
  static final List<String> SUMMATION_LETTERS = List.of("k", "n", "m", "j", "i", "l", "r", "s", "a", "b", "c", "d", "e", "f", "g", "h");

  private IndexSimplifier() {}

  public static IndexExpr simplify(IndexExpr expr) {
    if (expr instanceof Element || expr instanceof Number || expr instanceof IndexExpr.Routing) {
      return expr;
    }
    if (expr instanceof Delta delta) {
      if (delta.left().equals(delta.right())) {
        return IndexExpr.number(1);
      }
      if (delta.left() instanceof Index.At && delta.right() instanceof Index.At) {
        return IndexExpr.number(0);
      }
      return delta;
    }
    if (expr instanceof Negate negate) {
      return negate(simplify(negate.operand()));
    }
    if (expr instanceof Add add) {
      return add(add.terms().stream().map(IndexSimplifier::simplify).toList());
    }
    if (expr instanceof Subtract subtract) {
      return subtract(simplify(subtract.left()), simplify(subtract.right()));
    }
    if (expr instanceof Multiply multiply) {
      return multiply(multiply.factors().stream().map(IndexSimplifier::simplify).toList());
    }
    if (expr instanceof Divide divide) {
      return divide(simplify(divide.left()), simplify(divide.right()));
    }
    if (expr instanceof Power power) {
      IndexExpr base = simplify(power.base());
      if (power.exponent() == 1) {
        return base;
      }
      if (power.exponent() == 0) {
        return IndexExpr.number(1);
      }
      if (base instanceof Number number) {
        return IndexExpr.number(Math.pow(number.value(), power.exponent()));
      }
      return new Power(base, power.exponent());
    }
    if (expr instanceof Apply apply) {
      IndexExpr argument = simplify(apply.argument());
      if (argument instanceof Number number) {
        for (Unary unary : Unary.values()) {
          if (unary.toString().equals(apply.function())) {
            return IndexExpr.number(unary.apply(number.value()));
          }
        }
      }
      return new Apply(apply.function(), argument);
    }
    return sum((Sum) expr);
  }

  private static IndexExpr negate(IndexExpr operand) {
    if (operand instanceof Number number) {
      return IndexExpr.number(number.value() == 0 ? 0 : -number.value());
    }
    if (operand instanceof Negate inner) {
      return inner.operand();
    }
    if (operand instanceof Subtract subtract) {
      return new Subtract(subtract.right(), subtract.left());
    }
    return new Negate(operand);
  }

  private static IndexExpr add(List<IndexExpr> simplified) {
    List<IndexExpr> terms = new ArrayList<>();
    double constant = 0;
    int constantAt = -1;
    for (IndexExpr term : simplified) {
      List<IndexExpr> parts = term instanceof Add inner ? inner.terms() : List.of(term);
      for (IndexExpr part : parts) {
        if (part instanceof Number number) {
          constant += number.value();
          if (constantAt < 0) {
            constantAt = terms.size();
          }
        } else {
          terms.add(part);
        }
      }
    }
    if (constant != 0) {
      terms.add(constantAt, IndexExpr.number(constant));
    }
    if (terms.isEmpty()) {
      return IndexExpr.number(0);
    }
    // (−a) + b is written b − a.
    if (isNegative(terms.get(0))) {
      for (int i = 1; i < terms.size(); i++) {
        if (!isNegative(terms.get(i))) {
          terms.add(0, terms.remove(i));
          break;
        }
      }
    }
    IndexExpr result = terms.get(0);
    List<IndexExpr> run = new ArrayList<>(List.of(result));
    for (int i = 1; i < terms.size(); i++) {
      IndexExpr term = terms.get(i);
      if (isNegative(term)) {
        result = new Subtract(join(run), negate(term));
        run = new ArrayList<>(List.of(result));
      } else {
        run.add(term);
      }
    }
    return join(run);
  }

  private static IndexExpr join(List<IndexExpr> run) {
    return run.size() == 1 ? run.get(0) : new Add(run);
  }

  private static boolean isNegative(IndexExpr expr) {
    return expr instanceof Negate || (expr instanceof Number number && number.value() < 0);
  }

  private static IndexExpr subtract(IndexExpr left, IndexExpr right) {
    if (right.isNumber(0)) {
      return left;
    }
    if (left.isNumber(0)) {
      return negate(right);
    }
    if (left instanceof Number a && right instanceof Number b) {
      return IndexExpr.number(a.value() - b.value());
    }
    if (isNegative(right)) {
      return add(List.of(left, negate(right)));
    }
    return new Subtract(left, right);
  }

  private static IndexExpr multiply(List<IndexExpr> simplified) {
    List<IndexExpr> factors = new ArrayList<>();
    double coefficient = 1;
    for (IndexExpr factor : simplified) {
      List<IndexExpr> parts = factor instanceof Multiply inner ? inner.factors() : List.of(factor);
      for (IndexExpr part : parts) {
        while (part instanceof Negate negate) {
          coefficient = -coefficient;
          part = negate.operand();
        }
        if (part instanceof Multiply nested) {
          IndexExpr flat = multiply(nested.factors());
          if (flat instanceof Negate negate) {
            coefficient = -coefficient;
            flat = negate.operand();
          }
          if (flat instanceof Multiply again) {
            factors.addAll(again.factors());
            continue;
          }
          part = flat;
        }
        if (part instanceof Number number) {
          coefficient *= number.value();
        } else {
          factors.add(part);
        }
      }
    }
    if (coefficient == 0) {
      return IndexExpr.number(0);
    }
    boolean negative = coefficient < 0;
    double magnitude = Math.abs(coefficient);
    if (magnitude != 1 || factors.isEmpty()) {
      factors.add(0, IndexExpr.number(magnitude));
    }
    IndexExpr product = factors.size() == 1 ? factors.get(0) : new Multiply(factors);
    return negative ? negate(product) : product;
  }

  private static IndexExpr divide(IndexExpr left, IndexExpr right) {
    if (right.isNumber(1)) {
      return left;
    }
    if (left.isNumber(0)) {
      return IndexExpr.number(0);
    }
    if (left instanceof Number a && right instanceof Number b) {
      return IndexExpr.number(a.value() / b.value());
    }
    if (left instanceof Negate negate) {
      return negate(divide(negate.operand(), right));
    }
    return new Divide(left, right);
  }

  private static IndexExpr sum(Sum sum) {
    Index.Var k = sum.index();
    IndexExpr body = simplify(sum.body());
    if (body.isNumber(0)) {
      return body;
    }
    if (body instanceof Negate negate) {
      return negate(sum(new Sum(k, sum.range(), negate.operand())));
    }
    if (body instanceof Add add && add.terms().stream().anyMatch(term -> deltaPartner(term, k) != null)) {
      return add(add.terms().stream().map(term -> sum(new Sum(k, sum.range(), term))).toList());
    }
    if (body instanceof Subtract subtract
        && (deltaPartner(subtract.left(), k) != null || deltaPartner(subtract.right(), k) != null)) {
      return subtract(sum(new Sum(k, sum.range(), subtract.left())), sum(new Sum(k, sum.range(), subtract.right())));
    }
    Index partner = deltaPartner(body, k);
    if (partner != null) {
      if (body instanceof Delta) {
        return IndexExpr.number(1);
      }
      List<IndexExpr> rest = new ArrayList<>(((Multiply) body).factors());
      rest.remove(deltaFactor((Multiply) body, k));
      return simplify(substitute(new Multiply(rest), k, partner));
    }
    if (!mentions(body, k)) {
      IndexExpr size = sum.range().isKnown()
          ? IndexExpr.number(sum.range().size())
          : new IndexExpr.Element(sum.range().toString(), List.of());
      return multiply(List.of(size, body));
    }
    if (body instanceof Multiply multiply) {
      List<IndexExpr> outside = new ArrayList<>();
      List<IndexExpr> inside = new ArrayList<>();
      for (IndexExpr factor : multiply.factors()) {
        (mentions(factor, k) ? inside : outside).add(factor);
      }
      if (!outside.isEmpty()) {
        IndexExpr inner = inside.size() == 1 ? inside.get(0) : new Multiply(inside);
        outside.add(new Sum(k, sum.range(), inner));
        return multiply(outside);
      }
    }
    return new Sum(k, sum.range(), body);
  }

  /** The other index of a factor {@code 1{k=j}} of {@code expr} (a delta or a product), or null. */
  private static Index deltaPartner(IndexExpr expr, Index.Var k) {
    if (expr instanceof Delta delta) {
      return partner(delta, k);
    }
    if (expr instanceof Multiply multiply) {
      Delta delta = deltaFactor(multiply, k);
      return delta == null ? null : partner(delta, k);
    }
    return null;
  }

  private static Delta deltaFactor(Multiply multiply, Index.Var k) {
    for (IndexExpr factor : multiply.factors()) {
      if (factor instanceof Delta delta && partner(delta, k) != null) {
        return delta;
      }
    }
    return null;
  }

  private static Index partner(Delta delta, Index.Var k) {
    if (delta.left().equals(k) && !delta.right().equals(k)) {
      return delta.right();
    }
    if (delta.right().equals(k) && !delta.left().equals(k)) {
      return delta.left();
    }
    return null;
  }

  /** {@code expr} with every occurrence of the index {@code var} replaced by {@code value}. */
  public static IndexExpr substitute(IndexExpr expr, Index.Var var, Index value) {
    return substitute(expr, Map.of(var, value));
  }

  public static IndexExpr substitute(IndexExpr expr, Map<Index.Var, Index> values) {
    return substitute(expr, values, false);
  }

  /**
   * @param renaming whether summation indices are renamed too (a renaming of indices), rather
   *     than shielded from the substitution (a summation index is bound)
   */
  private static IndexExpr substitute(IndexExpr expr, Map<Index.Var, Index> values, boolean renaming) {
    if (expr instanceof Element element) {
      return new Element(element.name(), element.indices().stream().map(index -> replace(index, values)).toList());
    }
    if (expr instanceof Number) {
      return expr;
    }
    if (expr instanceof Delta delta) {
      return new Delta(replace(delta.left(), values), replace(delta.right(), values));
    }
    if (expr instanceof IndexExpr.Routing routing) {
      return new IndexExpr.Routing(routing.image(), routing.at().stream().map(index -> replace(index, values)).toList(),
          routing.window().stream().map(index -> replace(index, values)).toList());
    }
    if (expr instanceof Negate negate) {
      return new Negate(substitute(negate.operand(), values, renaming));
    }
    if (expr instanceof Add add) {
      return new Add(add.terms().stream().map(term -> substitute(term, values, renaming)).toList());
    }
    if (expr instanceof Subtract subtract) {
      return new Subtract(substitute(subtract.left(), values, renaming), substitute(subtract.right(), values, renaming));
    }
    if (expr instanceof Multiply multiply) {
      return new Multiply(multiply.factors().stream().map(factor -> substitute(factor, values, renaming)).toList());
    }
    if (expr instanceof Divide divide) {
      return new Divide(substitute(divide.left(), values, renaming), substitute(divide.right(), values, renaming));
    }
    if (expr instanceof Power power) {
      return new Power(substitute(power.base(), values, renaming), power.exponent());
    }
    if (expr instanceof Apply apply) {
      return new Apply(apply.function(), substitute(apply.argument(), values, renaming));
    }
    Sum sum = (Sum) expr;
    if (renaming) {
      Index renamed = replace(sum.index(), values);
      Index.Var index = renamed instanceof Index.Var var ? var : sum.index();
      return new Sum(index, sum.range(), substitute(sum.body(), values, true));
    }
    Map<Index.Var, Index> inner = values;
    if (values.containsKey(sum.index())) {
      inner = new HashMap<>(values);
      inner.remove(sum.index());
    }
    return new Sum(sum.index(), sum.range(), substitute(sum.body(), inner, false));
  }

  private static Index replace(Index index, Map<Index.Var, Index> values) {
    if (index instanceof Index.Affine affine) {
      // Only a renaming reaches inside a computed position (2p+i−1): a variable for a variable.
      return affine.withVars(affine.vars().stream()
          .map(var -> values.get(var) instanceof Index.Var renamed ? renamed : var).toList());
    }
    return index instanceof Index.Var var && values.containsKey(var) ? values.get(var) : index;
  }

  /** Whether the index {@code var} occurs in {@code expr}. */
  public static boolean mentions(IndexExpr expr, Index.Var var) {
    return indices(expr).contains(var.name());
  }

  /** The names of every index variable in {@code expr}, summation indices included, in order of appearance. */
  public static Set<String> indices(IndexExpr expr) {
    Set<String> found = new LinkedHashSet<>();
    collect(expr, found);
    return found;
  }

  private static void collect(IndexExpr expr, Set<String> found) {
    if (expr instanceof Element element) {
      element.indices().forEach(index -> note(index, found));
    } else if (expr instanceof Delta delta) {
      note(delta.left(), found);
      note(delta.right(), found);
    } else if (expr instanceof IndexExpr.Routing routing) {
      routing.at().forEach(index -> note(index, found));
      routing.window().forEach(index -> note(index, found));
    } else if (expr instanceof Sum sum) {
      found.add(sum.index().name());
      collect(sum.body(), found);
    } else {
      children(expr).forEach(child -> collect(child, found));
    }
  }

  /** The operands of a formula (none for an element, a number or a delta; the body of a sum). */
  static List<IndexExpr> children(IndexExpr expr) {
    if (expr instanceof Negate negate) {
      return List.of(negate.operand());
    }
    if (expr instanceof Add add) {
      return add.terms();
    }
    if (expr instanceof Subtract subtract) {
      return List.of(subtract.left(), subtract.right());
    }
    if (expr instanceof Multiply multiply) {
      return multiply.factors();
    }
    if (expr instanceof Divide divide) {
      return List.of(divide.left(), divide.right());
    }
    if (expr instanceof Power power) {
      return List.of(power.base());
    }
    if (expr instanceof Apply apply) {
      return List.of(apply.argument());
    }
    if (expr instanceof Sum sum) {
      return List.of(sum.body());
    }
    return List.of();
  }

  private static void note(Index index, Set<String> found) {
    if (index instanceof Index.Var var) {
      found.add(var.name());
    } else if (index instanceof Index.Affine affine) {
      affine.vars().forEach(var -> found.add(var.name()));
    }
  }

  /**
   * Gives the summation indices the translation made up ({@code #1}, {@code #2}) the letters k, n,
   * m, j, … in order of appearance, skipping every letter the formula already uses.
   */
  public static IndexExpr nameSummations(IndexExpr expr) {
    return nameSummations(expr, Set.of());
  }

  /** As {@link #nameSummations(IndexExpr)}, also leaving alone the letters {@code reserved} (the free indices of the equation's left side). */
  public static IndexExpr nameSummations(IndexExpr expr, Set<String> reserved) {
    Set<String> taken = new LinkedHashSet<>(reserved);
    for (String name : indices(expr)) {
      if (!isInternal(name)) {
        taken.add(name);
      }
    }
    Map<Index.Var, Index> renames = new HashMap<>();
    for (String name : indices(expr)) {
      if (isInternal(name)) {
        // #p asks for p (the convolution's sums over p, q, i, j), where the formula leaves it free.
        String preferred = name.substring(1, name.contains(".") ? name.indexOf('.') : name.length());
        String letter = !preferred.isEmpty() && Character.isLetter(preferred.charAt(0)) && !taken.contains(preferred)
            ? preferred : nextLetter(taken);
        taken.add(letter);
        renames.put(new Index.Var(name), new Index.Var(letter));
      }
    }
    return renames.isEmpty() ? expr : substitute(expr, renames, true);
  }

  private static String nextLetter(Set<String> taken) {
    for (int round = 1; ; round++) {
      for (String letter : SUMMATION_LETTERS) {
        String candidate = round == 1 ? letter : letter + round;
        if (!taken.contains(candidate)) {
          return candidate;
        }
      }
    }
  }

  static boolean isInternal(String name) {
    return name.startsWith("#");
  }
}
