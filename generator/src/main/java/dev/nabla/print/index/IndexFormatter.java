package dev.nabla.print.index;

import dev.nabla.print.Notation;
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
import dev.nabla.symbolic.Numbers;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prints index formulas in one notation:
 *
 * <ul>
 *   <li>UNICODE, as the lesson writes: {@code (y2_p − t_p) · y1_q}, {@code w2_{k,m}}, {@code Σ_k},
 *       {@code 1{z1_m ≥ 0}}, {@code 1{m=n}};
 *   <li>LATEX: an element {@code w2_{p,q}} is {@code w_{2,pq}} (the name's trailing number, a comma,
 *       then the indices, run together when each is one character and separated by commas
 *       otherwise), {@code δ2_p} is {@code \delta_{2,p}}, {@code Σ_k} is {@code \sum_{k}}, products
 *       use {@code \cdot}, quotients {@code \frac}, indicators {@code \mathbb{1}\{…\}};
 *   <li>TEXT, plain ASCII: {@code (y2[p] - t[p]) * y1[q]}, {@code sum_k}, {@code step(z1[m])},
 *       {@code 1{m=n}}, {@code δ2_p} as {@code delta2[p]}.
 * </ul>
 *
 * Parentheses appear only where precedence needs them: a sum Σ extends as far right as it can, so it
 * is wrapped wherever it is not the whole formula (or a whole argument); a right operand that starts
 * with a minus is always wrapped.
 */
public final class IndexFormatter {
  private static final int SUMMATION = 0;
  private static final int ADD = 1;
  private static final int MUL = 2;
  private static final int POW = 4;
  private static final int ATOM = 5;

  private final Notation notation;

  public IndexFormatter(Notation notation) {
    this.notation = notation;
  }

  public Notation notation() {
    return notation;
  }

  private record Printed(String text, int precedence, boolean startsWithMinus) {}

  public String format(IndexExpr expr) {
    return print(expr).text;
  }

  /** {@code ∂H/∂w2_{p,q}}, {@code dH/dw2[p,q]}, {@code \frac{\partial H}{\partial w_{2,pq}}}. */
  public String partial(String of, String by) {
    return switch (notation) {
      case UNICODE -> "∂" + of + "/∂" + by;
      case TEXT -> "d" + of + "/d" + by;
      case LATEX -> "\\frac{\\partial " + of + "}{\\partial " + by + "}";
    };
  }

  /** An element of a named value, such as {@code w2_{p,q}}; a scalar's name alone. */
  public String element(String name, List<Index> indices) {
    List<String> parts = indices.stream().map(Index::toString).toList();
    return switch (notation) {
      case UNICODE -> parts.isEmpty() ? name
          : parts.size() == 1 && parts.get(0).length() == 1 ? name + "_" + parts.get(0)
          : name + "_{" + String.join(",", parts) + "}";
      case TEXT -> {
        String ascii = name.replace("δ", "delta");
        yield parts.isEmpty() ? ascii : ascii + "[" + String.join(",", parts) + "]";
      }
      case LATEX -> latexElement(name, parts);
    };
  }

  private static String latexElement(String name, List<String> parts) {
    boolean short1 = parts.stream().allMatch(part -> part.length() == 1);
    return dev.nabla.print.Notation.latexName(name, String.join(short1 ? "" : ",", parts));
  }

  /** The equals sign as the notation writes it between the sides of an equation. */
  public String equation(String... sides) {
    return String.join(" = ", sides);
  }

  public String minus() {
    return notation.minus();
  }

  private String times() {
    return switch (notation) {
      case UNICODE -> " · ";
      case TEXT -> " * ";
      case LATEX -> " \\cdot ";
    };
  }

  private Printed print(IndexExpr expr) {
    if (expr instanceof Element element) {
      return atom(element(element.name(), element.indices()));
    }
    if (expr instanceof Number number) {
      java.util.Optional<Numbers.Fraction> fraction = Numbers.fraction(Math.abs(number.value()));
      String text = fraction.map(f -> notation == Notation.LATEX ? "\\frac{" + f.numerator() + "}{" + f.denominator() + "}" : "(" + f + ")")
          .orElseGet(() -> Numbers.format(Math.abs(number.value())));
      if (number.value() < 0) {
        return new Printed(minus() + text, MUL, true);
      }
      return atom(text);
    }
    if (expr instanceof IndexExpr.Routing routing) {
      // at is (channel, row, column): the channel picks the image, the rest the position in it.
      String at = String.join(",", routing.at().subList(1, routing.at().size()).stream().map(Object::toString).toList());
      String window = String.join(",", routing.window().stream().map(Object::toString).toList());
      if (routing.image() == null) {
        return atom(switch (notation) {
          case UNICODE -> "1{(" + at + ") ∈ window (" + window + ")}";
          case LATEX -> "\\mathbb{1}\\{(" + at + ") \\in \\operatorname{window}(" + window + ")\\}";
          case TEXT -> "in_window((" + at + "), (" + window + "))";
        });
      }
      String image = element(routing.image(), routing.at().subList(0, 1));
      return atom(switch (notation) {
        case UNICODE -> "1{(" + at + ") = argmax of window (" + window + ") of " + image + "}";
        case LATEX -> "\\mathbb{1}\\{(" + at + ") = \\operatorname{argmax}_{(" + window + ")} " + image + "\\}";
        case TEXT -> "argmax_indicator(" + image + ", (" + at + "), (" + window + "))";
      });
    }
    if (expr instanceof Delta delta) {
      String condition = delta.left() + "=" + delta.right();
      return atom(notation == Notation.LATEX ? "\\mathbb{1}\\{" + condition + "\\}" : "1{" + condition + "}");
    }
    if (expr instanceof Negate negate) {
      Printed operand = print(negate.operand());
      if (operand.precedence == SUMMATION) {
        return new Printed(minus() + operand.text, SUMMATION, true);
      }
      return new Printed(minus() + wrap(operand, MUL, true), MUL, true);
    }
    if (expr instanceof Add add) {
      List<Printed> terms = add.terms().stream().map(this::print).toList();
      StringBuilder text = new StringBuilder(wrap(terms.get(0), ADD, false));
      for (int i = 1; i < terms.size(); i++) {
        text.append(" + ").append(wrap(terms.get(i), ADD, true));
      }
      return new Printed(text.toString(), ADD, terms.get(0).startsWithMinus);
    }
    if (expr instanceof Subtract subtract) {
      Printed left = print(subtract.left());
      Printed right = print(subtract.right());
      return new Printed(wrap(left, ADD, false) + " " + minus() + " " + wrap(right, MUL, true), ADD, left.startsWithMinus);
    }
    if (expr instanceof Multiply multiply) {
      List<Printed> factors = multiply.factors().stream().map(this::print).toList();
      StringBuilder text = new StringBuilder(wrap(factors.get(0), MUL, false));
      for (int i = 1; i < factors.size(); i++) {
        text.append(times()).append(wrap(factors.get(i), MUL + 1, true));
      }
      return new Printed(text.toString(), MUL, factors.get(0).startsWithMinus);
    }
    if (expr instanceof Divide divide) {
      Printed left = print(divide.left());
      Printed right = print(divide.right());
      if (notation == Notation.LATEX) {
        return atom("\\frac{" + left.text + "}{" + right.text + "}");
      }
      return new Printed(wrap(left, MUL, false) + " / " + wrap(right, MUL + 1, true), MUL, left.startsWithMinus);
    }
    if (expr instanceof Power power) {
      String base = wrap(print(power.base()), ATOM, true);
      String exponent = Numbers.format(power.exponent());
      return new Printed(switch (notation) {
        case UNICODE -> base + superscript(exponent);
        case LATEX -> base + "^{" + exponent + "}";
        case TEXT -> base + "^" + exponent;
      }, POW, false);
    }
    if (expr instanceof Apply apply) {
      String argument = print(apply.argument()).text;
      if (apply.function().equals("step")) {
        return atom(switch (notation) {
          case UNICODE -> "1{" + argument + " ≥ 0}";
          case LATEX -> "\\mathbb{1}\\{" + argument + " \\geq 0\\}";
          case TEXT -> "step(" + argument + ")";
        });
      }
      String function = notation.function(apply.function());
      return atom(function + "(" + argument + ")");
    }
    Sum sum = (Sum) expr;
    // Nested sums share one sign, as a convolution's are written: Σ_{p,q} δ_{o,p,q} · x_{c,p+i,q+j}.
    List<String> over = new java.util.ArrayList<>(List.of(sum.index().name()));
    IndexExpr body = sum.body();
    while (body instanceof Sum inner) {
      over.add(inner.index().name());
      body = inner.body();
    }
    String indices = over.size() == 1 ? over.get(0) : "{" + String.join(",", over) + "}";
    String sigma = switch (notation) {
      case UNICODE -> "Σ_" + indices;
      case LATEX -> "\\sum_{" + String.join(",", over) + "}";
      case TEXT -> "sum_" + indices;
    };
    return new Printed(sigma + " " + wrap(print(body), MUL, false), SUMMATION, false);
  }

  private static String wrap(Printed printed, int needed, boolean wrapMinus) {
    return printed.precedence < needed || (wrapMinus && printed.startsWithMinus)
        ? "(" + printed.text + ")"
        : printed.text;
  }

  private static Printed atom(String text) {
    return new Printed(text, ATOM, false);
  }

  private static String superscript(String exponent) {
    StringBuilder out = new StringBuilder();
    for (char c : exponent.toCharArray()) {
      int digit = "0123456789".indexOf(c);
      if (digit >= 0) {
        out.append("⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(digit));
      } else if (c == '-') {
        out.append('⁻');
      } else {
        return "^" + exponent;
      }
    }
    return out.toString();
  }

  /** Joins already printed cells into aligned columns, three spaces apart, trailing blanks removed. */
  static List<String> align(List<List<String>> rows) {
    int columns = rows.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int j = 0; j < row.size(); j++) {
        widths[j] = Math.max(widths[j], width(row.get(j)));
      }
    }
    return rows.stream().map(row -> {
      StringBuilder line = new StringBuilder();
      for (int j = 0; j < row.size(); j++) {
        line.append(row.get(j));
        if (j < row.size() - 1) {
          line.append(" ".repeat(widths[j] - width(row.get(j)) + 3));
        }
      }
      return line.toString().stripTrailing();
    }).collect(Collectors.toList());
  }

  private static int width(String text) {
    return text.codePointCount(0, text.length());
  }
}
