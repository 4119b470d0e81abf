package dev.nabla.grammar.check;

import dev.nabla.grammar.Builtin;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks of a spec that need no shapes: what is declared (once, with a usable name), the lines
 * every spec needs (model, input, loss), and every name and call in the formulas. All problems are
 * reported together, in source order.
 *
 * <p>Values must be declared on an earlier line than the one using them (a spec reads top to
 * bottom, like the code it becomes). Defs are templates expanded where they are called, so they
 * may be called before their line, but never, directly or not, from their own body.
 */
public final class SpecChecks {
  private static final Map<String, Integer> INIT_ARGUMENTS = initArguments();
  private static final String INIT_KINDS =
      "one of: zeros, ones, constant(c), normal(mean, std), uniform(lo, hi), linear, xavier, kaiming";

  private final Spec spec;
  private final SourceFile source;
  private final List<Diagnostic> problems = new ArrayList<>();
  /** The first declaration of each value name (inputs, labels, targets, params, lets). */
  private final Map<String, Declared> values = new LinkedHashMap<>();
  private final Map<String, Declared> defs = new LinkedHashMap<>();
  /** For each def, the defs its body calls, for the recursion check. */
  private final Map<String, Set<String>> defCalls = new LinkedHashMap<>();

  /** The name formulas give the label's one-hot vector; usable in a spec that declares a label and no other {@code t}. */
  public static final String ONE_HOT = "t";

  private record Declared(String name, Statement statement, int line, Span nameSpan) {}

  private SpecChecks(Spec spec) {
    this.spec = spec;
    this.source = spec.source();
  }

  public static List<Diagnostic> check(Spec spec) {
    return new SpecChecks(spec).run();
  }

  private List<Diagnostic> run() {
    if (spec.statements().isEmpty()) {
      return List.of(Diagnostic.error(source, at(0), "empty spec: expected a 'model' line, an 'input', "
          + "parameters and a 'loss = ...' line", "for example: model Tiny / input X[2] / param W[1, 2] / "
          + "loss = sum(W X)"));
    }
    declareNames();
    checkSingleLines();
    checkInits();
    List<Statement> statements = spec.statements();
    for (int index = 0; index < statements.size(); index++) {
      Statement statement = statements.get(index);
      if (statement instanceof Statement.Let let) {
        checkFormula(let.value(), index, Map.of(), null);
      } else if (statement instanceof Statement.Def def) {
        Map<String, Statement.Name> parameters = new LinkedHashMap<>();
        def.parameters().forEach(p -> parameters.putIfAbsent(p.name(), p));
        checkFormula(def.body(), index, parameters, def.name());
      }
    }
    checkDefRecursion();
    problems.sort(Comparator.comparingInt(d -> d.span().start()));
    return List.copyOf(problems);
  }

  // ------------------------------------------------------------ declarations

  private void declareNames() {
    List<Statement> statements = spec.statements();
    for (int index = 0; index < statements.size(); index++) {
      Statement statement = statements.get(index);
      String name = DeclaredNames.nameOf(statement);
      Span nameSpan = DeclaredNames.nameSpan(statement, source);
      Optional<String> reserved = ReservedWords.whyReserved(name);
      reserved.ifPresent(why -> problems.add(Diagnostic.error(source, nameSpan, why)));
      if (statement instanceof Statement.Def def) {
        declareParameters(def);
      }
      if (statement instanceof Statement.Model || reserved.isPresent()) {
        continue;
      }
      Declared first = values.containsKey(name) ? values.get(name) : defs.get(name);
      if (first != null) {
        problems.add(Diagnostic.error(source, nameSpan, "'" + name + "' is already declared",
            "first declared at " + first.nameSpan().position()));
        continue;
      }
      Declared declared = new Declared(name, statement, index, nameSpan);
      if (statement instanceof Statement.Def) {
        defs.put(name, declared);
      } else {
        values.put(name, declared);
      }
    }
  }

  private void declareParameters(Statement.Def def) {
    Map<String, Statement.Name> seen = new LinkedHashMap<>();
    for (Statement.Name parameter : def.parameters()) {
      ReservedWords.whyReserved(parameter.name())
          .ifPresent(why -> problems.add(Diagnostic.error(source, parameter.span(), why)));
      Statement.Name first = seen.putIfAbsent(parameter.name(), parameter);
      if (first != null) {
        problems.add(Diagnostic.error(source, parameter.span(),
            "parameter '" + parameter.name() + "' appears twice in def '" + def.name() + "'",
            "first at " + first.span().position()));
      }
    }
  }

  /** model and input once; a label or a target, not both; a loss. */
  private void checkSingleLines() {
    List<Statement.Model> models = spec.only(Statement.Model.class);
    if (models.isEmpty()) {
      problems.add(Diagnostic.error(source, at(0), "the spec has no 'model' line",
          "start it with the name of the generated class, e.g. 'model FashionMlp'"));
    }
    onlyOne(models, "a spec has one 'model' line", "the first is at ");
    List<Statement.Input> inputs = spec.only(Statement.Input.class);
    if (inputs.isEmpty()) {
      problems.add(Diagnostic.error(source, at(0), "the spec has no 'input' line",
          "declare the sample the network reads, e.g. 'input X[784]'"));
    }
    onlyOne(inputs, "only one input is supported for now", "the first input is at ");
    List<Statement> supervision = spec.statements().stream()
        .filter(s -> s instanceof Statement.Label || s instanceof Statement.Target).toList();
    for (Statement extra : supervision.subList(Math.min(1, supervision.size()), supervision.size())) {
      Statement first = supervision.get(0);
      String message = first.getClass() != extra.getClass() ? "a spec has a label or a target, not both"
          : extra instanceof Statement.Label ? "only one label is supported" : "only one target is supported";
      problems.add(Diagnostic.error(source, extra.span(), message,
          "'" + DeclaredNames.nameOf(first) + "' is declared at " + first.span().position()));
    }
    if (spec.value(Spec.LOSS).isEmpty()) {
      List<Statement> statements = spec.statements();
      problems.add(Diagnostic.error(source, at(statements.get(statements.size() - 1).span().end()),
          "the spec has no 'loss = ...' line",
          "loss is the scalar that training minimizes, e.g. 'loss = nll(out, y)'"));
    }
  }

  private void onlyOne(List<? extends Statement> statements, String message, String firstAt) {
    for (Statement extra : statements.subList(Math.min(1, statements.size()), statements.size())) {
      problems.add(Diagnostic.error(source, extra.span(), message, firstAt + statements.get(0).span().position()));
    }
  }

  private void checkInits() {
    for (Statement.Param param : spec.only(Statement.Param.class)) {
      param.init().ifPresent(init -> {
        Integer expected = INIT_ARGUMENTS.get(init.kind());
        if (expected == null) {
          String hint = Suggestions.closest(init.kind(), INIT_ARGUMENTS.keySet())
              .map(near -> "did you mean '" + near + "'?").orElse(INIT_KINDS);
          problems.add(Diagnostic.error(source, init.span(), "unknown initializer '" + init.kind() + "'", hint));
        } else if (expected != init.arguments().size()) {
          problems.add(Diagnostic.error(source, init.span(), init.kind() + " takes "
              + ExpressionRules.count(expected, "number") + ", got " + init.arguments().size(), INIT_KINDS));
        }
      });
    }
  }

  // ------------------------------------------------------------ formulas

  /** Names and calls in the formula of the statement at {@code index}, a let or a def's body. */
  private void checkFormula(Expr formula, int index, Map<String, Statement.Name> locals, String inDef) {
    ExprWalk.forEach(formula, node -> {
      if (node instanceof Expr.Name name && !locals.containsKey(name.name())) {
        checkName(name, index, locals);
      } else if (node instanceof Expr.Call call) {
        checkCall(call, locals, inDef);
      } else if (node instanceof Expr.Power power) {
        ExpressionRules.constantExponent(source, power).ifPresent(problems::add);
      }
    });
  }

  private void checkName(Expr.Name use, int index, Map<String, Statement.Name> locals) {
    String name = use.name();
    Declared declared = values.get(name);
    if (declared != null) {
      if (declared.line() == index) {
        problems.add(Diagnostic.error(source, use.span(), "'" + name + "' is used in its own definition"));
      } else if (declared.line() > index) {
        problems.add(Diagnostic.error(source, use.span(), "'" + name + "' is used before it is defined",
            "it is defined at " + declared.nameSpan().position()));
      }
    } else if (name.equals(ONE_HOT) && values.values().stream().anyMatch(value -> value.statement() instanceof Statement.Label)) {
      return; // t, as formulas write it: the label's one-hot vector
    } else if (defs.containsKey(name)) {
      problems.add(Diagnostic.error(source, use.span(), "'" + name + "' is a def: call it as " + name + "(...)"));
    } else if (Builtin.named(name).isPresent()) {
      problems.add(ExpressionRules.functionUsedAsValue(source, use, Builtin.named(name).get()));
    } else if (ReservedWords.KEYWORDS.contains(name)) {
      problems.add(Diagnostic.error(source, use.span(), ReservedWords.whyReserved(name).orElseThrow()));
    } else {
      List<String> known = Stream.concat(values.keySet().stream(), locals.keySet().stream()).toList();
      String hint = Suggestions.closest(name, known).map(near -> "did you mean '" + near + "'?")
          .orElse("declare it on an earlier line: input, label, target, param, or '" + name + " = ...'");
      problems.add(Diagnostic.error(source, use.span(), "unknown name '" + name + "'", hint));
    }
  }

  private void checkCall(Expr.Call call, Map<String, Statement.Name> locals, String inDef) {
    String function = call.function();
    Optional<Builtin> builtin = Builtin.named(function);
    if (builtin.isPresent()) {
      ExpressionRules.argumentCount(source, call, builtin.get().arity()).ifPresent(problems::add);
      problems.addAll(ExpressionRules.constantArguments(source, call, builtin.get()));
    } else if (defs.containsKey(function)) {
      Statement.Def def = (Statement.Def) defs.get(function).statement();
      if (!call.named().isEmpty()) {
        problems.add(Diagnostic.error(source, call.named().get(0).nameSpan(),
            "named arguments are for built-in functions; '" + function + "' takes its arguments by position"));
      }
      ExpressionRules.argumentCount(source, call, def.parameters().size()).ifPresent(problems::add);
      if (inDef != null) {
        defCalls.computeIfAbsent(inDef, d -> new LinkedHashSet<>()).add(function);
      }
    } else if (values.containsKey(function) || locals.containsKey(function)) {
      problems.add(Diagnostic.error(source, call.nameSpan(), "'" + function + "' is a value, not a function",
          "a product with one factor in parentheses is written '" + function + " (x)'"));
    } else {
      List<String> functions = Stream.concat(Arrays.stream(Builtin.values()).map(Builtin::spelling),
          defs.keySet().stream()).toList();
      String message = "unknown function '" + function + "'";
      problems.add(Suggestions.closest(function, functions)
          .map(near -> Diagnostic.error(source, call.nameSpan(), message, "did you mean '" + near + "'?"))
          .orElseGet(() -> Diagnostic.error(source, call.nameSpan(), message)));
    }
  }

  // ------------------------------------------------------------ defs

  private void checkDefRecursion() {
    Set<String> reported = new HashSet<>();
    for (Declared def : defs.values()) {
      if (reported.contains(def.name())) {
        continue;
      }
      List<String> cycle = pathBackTo(def.name(), def.name(), new ArrayList<>(), new HashSet<>());
      if (cycle == null) {
        continue;
      }
      reported.addAll(cycle);
      String through = cycle.size() == 1 ? "" : " through " + String.join(", ", cycle.subList(1, cycle.size()));
      problems.add(Diagnostic.error(source, def.nameSpan(), "def '" + def.name() + "' calls itself" + through,
          String.join(" \u2192 ", cycle) + " \u2192 " + def.name()
              + ": a def is expanded where it is called, so it cannot call itself"));
    }
  }

  /** A chain of calls from {@code from} that ends in a call of {@code target}, or null. */
  private List<String> pathBackTo(String target, String from, List<String> path, Set<String> visited) {
    if (!visited.add(from)) {
      return null;
    }
    path.add(from);
    for (String callee : defCalls.getOrDefault(from, Set.of())) {
      if (callee.equals(target)) {
        return path;
      }
      List<String> found = pathBackTo(target, callee, path, visited);
      if (found != null) {
        return found;
      }
    }
    path.remove(path.size() - 1);
    return null;
  }

  private Span at(int offset) {
    return new Span(offset, offset, source.lineOf(offset), source.columnOf(offset));
  }

  private static Map<String, Integer> initArguments() {
    Map<String, Integer> arguments = new LinkedHashMap<>();
    arguments.put("zeros", 0);
    arguments.put("ones", 0);
    arguments.put("constant", 1);
    arguments.put("normal", 2);
    arguments.put("uniform", 2);
    arguments.put("linear", 0);
    arguments.put("xavier", 0);
    arguments.put("kaiming", 0);
    return Collections.unmodifiableMap(arguments);
  }
}
