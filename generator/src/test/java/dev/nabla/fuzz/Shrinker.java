package dev.nabla.fuzz;

import dev.nabla.grammar.SpecParser;
import dev.nabla.grammar.ParseResult;
import dev.nabla.grammar.ast.Dim;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.SpecPrinter;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Shrinks a failing spec to a small one that still fails: greedily, it tries smaller variants and
 * keeps the first that is still a valid spec and still fails, until none does. Variants, biggest cut
 * first: every dimension of one size set to 1 (or 2, or one less), a named value removed with its uses replaced
 * by a name it is computed from, a statement removed, one dimension set to 1, a subexpression
 * replaced by one of its operands. Each step makes the spec strictly smaller, so it ends.
 */
public final class Shrinker {
  private Shrinker() {}

  /** What shrinking found: the smallest failing spec, and how many candidates were tried. */
  public record Result(String spec, int attempts, int steps) {}

  /**
   * @param text a valid spec for which {@code fails} holds
   * @param fails whether a (valid) candidate still fails
   * @param maxAttempts a bound on the number of candidates tested
   */
  public static Result shrink(String text, Predicate<String> fails, int maxAttempts) {
    String current = SpecPrinter.print(parse(text));
    if (!Differential.valid(current) || !fails.test(current)) {
      current = text; // the canonical form does not reproduce; shrink from the original
    }
    int attempts = 0;
    int steps = 0;
    Set<String> tried = new java.util.HashSet<>();
    boolean progress = true;
    while (progress && attempts < maxAttempts) {
      progress = false;
      for (Spec candidate : candidates(parse(current))) {
        String printed = SpecPrinter.print(candidate);
        if (printed.equals(current) || !tried.add(printed) || !Differential.valid(printed)) {
          continue;
        }
        attempts++;
        if (fails.test(printed)) {
          current = printed;
          steps++;
          progress = true;
          break;
        }
        if (attempts >= maxAttempts) {
          break;
        }
      }
    }
    return new Result(current, attempts, steps);
  }

  static Spec parse(String text) {
    ParseResult<Spec> parsed = SpecParser.parseSpec(new SourceFile("shrink.nabla", text));
    if (parsed.hasErrors()) {
      throw new IllegalArgumentException("not a spec: " + parsed.diagnostics() + "\n" + text);
    }
    return parsed.orThrow();
  }

  /** Every one-step-smaller variant, biggest cuts first. */
  static List<Spec> candidates(Spec spec) {
    List<Statement> statements = spec.statements();
    List<Spec> out = new ArrayList<>();
    // 1. every dimension of one size to 1, then to 2
    Set<Long> sizes = new TreeSet<>(java.util.Comparator.reverseOrder());
    for (Statement statement : statements) {
      for (Dim dim : dims(statement)) {
        if (dim instanceof Dim.Fixed fixed && fixed.size() > 1) {
          sizes.add(fixed.size());
        }
      }
    }
    for (int target : new int[] {1, 2, -1}) {
      for (long size : sizes) {
        long to = target < 0 ? size - 1 : target;
        if (size > to && !(target < 0 && to <= 2)) {
          out.add(withStatements(spec, statements.stream().map(s -> resize(s, size, to, -1)).toList()));
        }
      }
    }
    // 2. a named value bypassed: removed, its uses replaced by a name it is computed from
    for (int i = 0; i < statements.size(); i++) {
      if (statements.get(i) instanceof Statement.Let let && !let.name().equals(Spec.LOSS)) {
        Set<String> sources = new LinkedHashSet<>();
        names(let.value(), sources);
        for (String source : sources) {
          List<Statement> bypassed = new ArrayList<>();
          for (int j = 0; j < statements.size(); j++) {
            if (j != i) {
              bypassed.add(j < i ? statements.get(j) : rename(statements.get(j), let.name(), source));
            }
          }
          out.add(withStatements(spec, bypassed));
        }
      }
    }
    // 3. a statement removed
    for (int i = 0; i < statements.size(); i++) {
      Statement statement = statements.get(i);
      if (statement instanceof Statement.Model || statement instanceof Statement.Let let && let.name().equals(Spec.LOSS)) {
        continue;
      }
      List<Statement> fewer = new ArrayList<>(statements);
      fewer.remove(i);
      out.add(withStatements(spec, fewer));
    }
    // 4. one dimension to 1
    for (int i = 0; i < statements.size(); i++) {
      List<Dim> dims = dims(statements.get(i));
      for (int d = 0; d < dims.size(); d++) {
        if (dims.get(d) instanceof Dim.Fixed fixed && fixed.size() > 1) {
          List<Statement> changed = new ArrayList<>(statements);
          changed.set(i, resize(statements.get(i), fixed.size(), 1, d));
          out.add(withStatements(spec, changed));
        }
      }
    }
    // 5. a subexpression replaced by one of its operands
    for (int i = 0; i < statements.size(); i++) {
      Statement statement = statements.get(i);
      if (statement instanceof Statement.Let let) {
        for (Expr smaller : smaller(let.value())) {
          List<Statement> changed = new ArrayList<>(statements);
          changed.set(i, new Statement.Let(let.name(), let.nameSpan(), smaller, let.span()));
          out.add(withStatements(spec, changed));
        }
      } else if (statement instanceof Statement.Def def) {
        for (Expr smaller : smaller(def.body())) {
          List<Statement> changed = new ArrayList<>(statements);
          changed.set(i, new Statement.Def(def.name(), def.parameters(), smaller, def.span()));
          out.add(withStatements(spec, changed));
        }
      }
    }
    return out;
  }

  private static Spec withStatements(Spec spec, List<Statement> statements) {
    return new Spec(spec.source(), statements);
  }

  private static List<Dim> dims(Statement statement) {
    if (statement instanceof Statement.Input input) {
      return input.shape();
    } else if (statement instanceof Statement.Param param) {
      return param.shape();
    } else if (statement instanceof Statement.Target target) {
      return target.shape();
    } else if (statement instanceof Statement.Label label) {
      return List.of(label.classes());
    }
    return List.of();
  }

  /** The statement with dimensions of {@code from} set to {@code to}: all of them, or only the one at {@code only}. */
  private static Statement resize(Statement statement, long from, long to, int only) {
    List<Dim> dims = dims(statement);
    List<Dim> resized = new ArrayList<>();
    for (int d = 0; d < dims.size(); d++) {
      Dim dim = dims.get(d);
      boolean change = dim instanceof Dim.Fixed fixed && fixed.size() == from && (only < 0 || only == d);
      resized.add(change ? new Dim.Fixed(to, dim.span()) : dim);
    }
    if (statement instanceof Statement.Input input) {
      return new Statement.Input(input.name(), resized, input.span());
    } else if (statement instanceof Statement.Param param) {
      return new Statement.Param(param.name(), resized, param.init(), param.span());
    } else if (statement instanceof Statement.Target target) {
      return new Statement.Target(target.name(), resized, target.span());
    } else if (statement instanceof Statement.Label label) {
      // a classifier needs two classes
      return resized.get(0) instanceof Dim.Fixed fixed && fixed.size() < 2 ? label
          : new Statement.Label(label.name(), resized.get(0), label.span());
    }
    return statement;
  }

  private static void names(Expr expr, Set<String> into) {
    if (expr instanceof Expr.Name name) {
      into.add(name.name());
    } else if (expr instanceof Expr.Call call) {
      call.arguments().forEach(argument -> names(argument, into));
    } else if (expr instanceof Expr.Binary binary) {
      names(binary.left(), into);
      names(binary.right(), into);
    } else if (expr instanceof Expr.Negate negate) {
      names(negate.operand(), into);
    } else if (expr instanceof Expr.Transpose transpose) {
      names(transpose.operand(), into);
    } else if (expr instanceof Expr.Power power) {
      names(power.base(), into);
    }
  }

  private static Statement rename(Statement statement, String from, String to) {
    if (statement instanceof Statement.Let let) {
      return new Statement.Let(let.name(), let.nameSpan(), rename(let.value(), from, to), let.span());
    }
    return statement;
  }

  private static Expr rename(Expr expr, String from, String to) {
    if (expr instanceof Expr.Name name) {
      return name.name().equals(from) ? new Expr.Name(to, name.span()) : name;
    } else if (expr instanceof Expr.Call call) {
      return new Expr.Call(call.function(), call.nameSpan(),
          call.arguments().stream().map(argument -> rename(argument, from, to)).toList(), call.span());
    } else if (expr instanceof Expr.Binary binary) {
      return new Expr.Binary(binary.op(), rename(binary.left(), from, to), rename(binary.right(), from, to), binary.span());
    } else if (expr instanceof Expr.Negate negate) {
      return new Expr.Negate(rename(negate.operand(), from, to), negate.span());
    } else if (expr instanceof Expr.Transpose transpose) {
      return new Expr.Transpose(rename(transpose.operand(), from, to), transpose.span());
    } else if (expr instanceof Expr.Power power) {
      return new Expr.Power(rename(power.base(), from, to), power.exponent(), power.span());
    }
    return expr;
  }

  /** Every expression made from {@code expr} by replacing one subexpression with one of its operands. */
  static List<Expr> smaller(Expr expr) {
    List<Expr> out = new ArrayList<>(operands(expr));
    if (expr instanceof Expr.Call call) {
      for (int i = 0; i < call.arguments().size(); i++) {
        for (Expr replacement : smaller(call.arguments().get(i))) {
          List<Expr> arguments = new ArrayList<>(call.arguments());
          arguments.set(i, replacement);
          out.add(new Expr.Call(call.function(), call.nameSpan(), arguments, call.span()));
        }
      }
    } else if (expr instanceof Expr.Binary binary) {
      for (Expr replacement : smaller(binary.left())) {
        out.add(new Expr.Binary(binary.op(), replacement, binary.right(), binary.span()));
      }
      for (Expr replacement : smaller(binary.right())) {
        out.add(new Expr.Binary(binary.op(), binary.left(), replacement, binary.span()));
      }
    } else if (expr instanceof Expr.Negate negate) {
      for (Expr replacement : smaller(negate.operand())) {
        out.add(new Expr.Negate(replacement, negate.span()));
      }
    } else if (expr instanceof Expr.Transpose transpose) {
      for (Expr replacement : smaller(transpose.operand())) {
        out.add(new Expr.Transpose(replacement, transpose.span()));
      }
    } else if (expr instanceof Expr.Power power) {
      for (Expr replacement : smaller(power.base())) {
        out.add(new Expr.Power(replacement, power.exponent(), power.span()));
      }
    }
    return out;
  }

  private static List<Expr> operands(Expr expr) {
    if (expr instanceof Expr.Call call) {
      return call.arguments();
    } else if (expr instanceof Expr.Binary binary) {
      return List.of(binary.left(), binary.right());
    } else if (expr instanceof Expr.Negate negate) {
      return List.of(negate.operand());
    } else if (expr instanceof Expr.Transpose transpose) {
      return List.of(transpose.operand());
    } else if (expr instanceof Expr.Power power) {
      return List.of(power.base());
    }
    return List.of();
  }
}
