package dev.nabla.print.index;

import dev.nabla.print.index.IndexExpr.Index;
import dev.nabla.symbolic.Tensor;
import dev.nabla.symbolic.Unary;
import java.util.HashMap;
import java.util.Map;

/**
 * Evaluates an index formula in double precision, given a value for every element name and every
 * free index: how a printed formula is checked against the interpreter and finite differences.
 */
public final class IndexEvaluator {
  private IndexEvaluator() {}

  public static double evaluate(IndexExpr expr, Map<String, Tensor> values, Map<String, Long> indices) {
    return new Object() {
      final Map<String, Long> bound = new HashMap<>(indices);

      long position(Index index) {
        if (index instanceof Index.At at) {
          return at.position();
        }
        Long value = bound.get(((Index.Var) index).name());
        if (value == null) {
          throw new IllegalArgumentException("no value for the index " + index);
        }
        return value;
      }

      double eval(IndexExpr e) {
        if (e instanceof IndexExpr.Element element) {
          Tensor tensor = values.get(element.name());
          if (tensor == null) {
            throw new IllegalArgumentException("no value for " + element.name());
          }
          return switch (element.indices().size()) {
            case 0 -> tensor.scalarValue();
            case 1 -> tensor.get(Math.toIntExact(position(element.indices().get(0))));
            default -> tensor.get(Math.toIntExact(position(element.indices().get(0))),
                Math.toIntExact(position(element.indices().get(1))));
          };
        }
        if (e instanceof IndexExpr.Number number) {
          return number.value();
        }
        if (e instanceof IndexExpr.Delta delta) {
          return position(delta.left()) == position(delta.right()) ? 1 : 0;
        }
        if (e instanceof IndexExpr.Negate negate) {
          return -eval(negate.operand());
        }
        if (e instanceof IndexExpr.Add add) {
          double sum = 0;
          for (IndexExpr term : add.terms()) {
            sum += eval(term);
          }
          return sum;
        }
        if (e instanceof IndexExpr.Subtract subtract) {
          return eval(subtract.left()) - eval(subtract.right());
        }
        if (e instanceof IndexExpr.Multiply multiply) {
          double product = 1;
          for (IndexExpr factor : multiply.factors()) {
            product *= eval(factor);
          }
          return product;
        }
        if (e instanceof IndexExpr.Divide divide) {
          return eval(divide.left()) / eval(divide.right());
        }
        if (e instanceof IndexExpr.Power power) {
          return Math.pow(eval(power.base()), power.exponent());
        }
        if (e instanceof IndexExpr.Apply apply) {
          double argument = eval(apply.argument());
          for (Unary unary : Unary.values()) {
            if (unary.toString().equals(apply.function())) {
              return unary.apply(argument);
            }
          }
          throw new IllegalArgumentException("unknown function " + apply.function());
        }
        IndexExpr.Sum sum = (IndexExpr.Sum) e;
        String name = sum.index().name();
        Long saved = bound.get(name);
        double total = 0;
        for (long i = 0; i < sum.range().size(); i++) {
          bound.put(name, i);
          total += eval(sum.body());
        }
        if (saved == null) {
          bound.remove(name);
        } else {
          bound.put(name, saved);
        }
        return total;
      }
    }.eval(expr);
  }
}
