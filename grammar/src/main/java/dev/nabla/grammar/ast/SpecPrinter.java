package dev.nabla.grammar.ast;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The canonical text of a spec: one statement per line in source order, single spaces, no
 * comments, formulas as {@link ExprPrinter} writes them, init arguments as numbers ({@code 0.01},
 * {@code -1}). Parsing the output gives back an equal spec (spans aside), and two specs that mean
 * the same up to layout print the same, which is what spec hashes are taken from.
 */
public final class SpecPrinter {
  private SpecPrinter() {}

  public static String print(Spec spec) {
    StringBuilder out = new StringBuilder();
    for (Statement statement : spec.statements()) {
      out.append(print(statement)).append('\n');
    }
    return out.toString();
  }

  public static String print(Statement statement) {
    if (statement instanceof Statement.Model model) {
      return "model " + model.name();
    } else if (statement instanceof Statement.Input input) {
      return "input " + input.name() + shape(input.shape());
    } else if (statement instanceof Statement.Label label) {
      return "label " + label.name() + " : " + label.classes();
    } else if (statement instanceof Statement.Target target) {
      return "target " + target.name() + shape(target.shape());
    } else if (statement instanceof Statement.Param param) {
      return "param " + param.name() + shape(param.shape()) + param.init().map(SpecPrinter::init).orElse("");
    } else if (statement instanceof Statement.Let let) {
      return let.name() + " = " + ExprPrinter.print(let.value());
    }
    Statement.Def def = (Statement.Def) statement;
    return "def " + def.name() + "("
        + def.parameters().stream().map(Statement.Name::name).collect(Collectors.joining(", ")) + ") = "
        + ExprPrinter.print(def.body());
  }

  private static String shape(List<Dim> shape) {
    return shape.isEmpty() ? "" : shape.stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String init(Statement.Init init) {
    if (init.arguments().isEmpty()) {
      return " init " + init.kind();
    }
    return " init " + init.kind()
        + init.arguments().stream().map(SpecPrinter::number).collect(Collectors.joining(", ", "(", ")"));
  }

  /** Whole numbers without a point; others as Java prints a double, which the grammar reads. */
  static String number(double value) {
    if (value == 0 && 1 / value < 0) {
      return "-0";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }
}
