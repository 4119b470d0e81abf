package dev.nabla.symbolic;

import dev.nabla.grammar.Builtin;
import dev.nabla.grammar.ast.BinaryOp;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.DiagnosticException;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a checked AST into a {@link Network}: expands {@code def} blocks, infers and checks shapes
 * (reporting a mismatch at the expression that has it, naming both operands), applies the stability
 * rewrites, and finally rebuilds the graph with every shape resolved and symbolic dimensions named
 * {@code n0, n1, …}.
 */
public final class Lowering {
  /** How deep {@code def} calls may nest before the expansion is refused. */
  private static final int MAX_EXPANSION_DEPTH = 500;

  private final SourceFile source;
  private final Graph graph = new Graph();
  private final ShapeSolver solver = graph.solver();
  private final boolean freeNamesAllowed;
  private final Map<String, List<Long>> declaredDims;
  private final List<Diagnostic> errors = new ArrayList<>();
  private final List<Rewrite> rewrites = new ArrayList<>();
  private final Map<String, Node> globals = new LinkedHashMap<>();
  private final Map<String, Statement.Def> defs = new HashMap<>();
  private final Map<String, Dim> namedDims = new HashMap<>();
  private final Map<Node, Statement.Init> initializers = new IdentityHashMap<>();
  private final Map<Node, String> names = new IdentityHashMap<>();
  /** Each loss function called, with the prediction it was given (as written, before a rewrite), in text order. */
  private final List<LossCall> lossCalls = new ArrayList<>();
  /** What each stability rewrite's result was built from as written: {@code probs} for the {@code logsoftmax} of {@code log(probs)}. */
  private final Map<Node, List<Node>> rewrittenFrom = new IdentityHashMap<>();
  /** Values whose definition had an error: later uses are not reported again. */
  private final java.util.Set<String> failed = new java.util.HashSet<>();
  private int expansionDepth;
  /** How many dropouts were lowered: each gets a mask of its own. */
  private int dropouts;

  private record LossCall(Node prediction, Node result) {}

  /** Abandons the statement being lowered after its first error, which is already reported. */
  private static final class Abandon extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abandon() {
      super(null, null, false, false);
    }
  }

  private Lowering(SourceFile source, boolean freeNamesAllowed, Map<String, List<Long>> declaredDims) {
    this.source = source;
    this.freeNamesAllowed = freeNamesAllowed;
    this.declaredDims = declaredDims;
  }

  /** What a one-liner is trained against, when it does not call a loss itself. */
  public enum LossChoice {
    /** Cross-entropy against a one-hot label: the default for a softmax output. */
    CE,
    /** Negative log-likelihood of log-probabilities: the default for a logsoftmax output. */
    NLL,
    /** Binary cross-entropy against a target: the default for a sigmoid output. */
    BCE,
    /** Mean squared error against a target: the default otherwise. */
    MSE
  }

  /**
   * Lowers a spec file. Names were checked by the grammar's checker; shapes are checked here.
   *
   * @throws DiagnosticException with every shape error found
   */
  public static Network lower(Spec spec, String canonicalText) {
    return new Lowering(spec.source(), false, Map.of()).lowerSpec(spec, canonicalText);
  }

  /**
   * Lowers a one-liner such as {@code softmax(W2 relu(W1 X + b1) + b2)}: {@code X} and {@code x}
   * are inputs, other free names parameters, ranks by {@link ShapeSolver.Rank}'s rule and sizes
   * symbolic unless {@code dims} gives them. A scalar expression is its own loss (differentiated as
   * it stands); otherwise, or when {@code loss} says, the loss is chosen from the output's last function.
   */
  public static Network lower(SourceFile source, Expr expression, Optional<LossChoice> loss, Map<String, List<Long>> dims) {
    return new Lowering(source, true, dims).lowerExpression(expression, loss);
  }

  private Network lowerSpec(Spec spec, String canonicalText) {
    List<Node> inputs = new ArrayList<>();
    List<Node> parameters = new ArrayList<>();
    Node label = null;
    Node target = null;
    String modelName = spec.model().map(Statement.Model::name).orElse("Model");
    for (Statement statement : spec.statements()) {
      try {
        if (statement instanceof Statement.Input input) {
          inputs.add(declare(input.name(), Op.Leaf.input(input.name()), shapeOf(input.shape()), input.span()));
        } else if (statement instanceof Statement.Param param) {
          Node node = declare(param.name(), Op.Leaf.param(param.name()), shapeOf(param.shape()), param.span());
          parameters.add(node);
          param.init().ifPresent(init -> initializers.put(node, init));
        } else if (statement instanceof Statement.Label declared) {
          Dim classes = dimOf(declared.classes());
          label = declare(declared.name(), Op.Leaf.label(declared.name(), classes), Shape.vector(classes), declared.span());
        } else if (statement instanceof Statement.Target declared) {
          target = declare(declared.name(), Op.Leaf.target(declared.name()), shapeOf(declared.shape()), declared.span());
        } else if (statement instanceof Statement.Def def) {
          defs.put(def.name(), def);
        } else if (statement instanceof Statement.Let let) {
          Node value = lower(let.value(), Map.of());
          globals.put(let.name(), value);
          names.putIfAbsent(value, let.name());
        }
      } catch (Abandon abandoned) {
        // reported; go on with the next statement so that every error of the file is found
        declaredName(statement).ifPresent(failed::add);
      }
    }
    Node loss = globals.get(Spec.LOSS);
    if (loss == null && errors.isEmpty() && !failed.contains(Spec.LOSS)) {
      errors.add(Diagnostic.error(source, Span.NONE, "the spec declares no loss", "add a line such as: loss = nll(out, y)"));
    }
    if (loss != null && !loss.shape().isUnknown() && !solver.resolve(loss.shape()).isScalar()) {
      Statement.Let let = spec.value(Spec.LOSS).orElseThrow();
      errors.add(Diagnostic.error(source, let.value().span(),
          "the loss must be a scalar, but it is " + ShapeSolver.describe(solver.resolve(loss.shape())),
          "reduce it with sum(...) or mean(...), or use a loss function such as nll or mse"));
    }
    Node output = errors.isEmpty() ? output(spec, loss) : null;
    if (!errors.isEmpty()) {
      throw new DiagnosticException(errors);
    }
    return finish(modelName, inputs, parameters, label, target, output, loss, canonicalText);
  }

  /**
   * What {@code predict} returns: the value named {@code out}; without one, the prediction the
   * loss's first loss function is given ({@code pred} in {@code loss = bce(pred, t) + …}, as written,
   * before a stability rewrite fuses it away, and {@code pred} in {@code nll(log(pred), y)}); without a loss function, the last named value the loss
   * uses that does not need the label or target, or the loss itself when it needs neither. Otherwise
   * the loss stands in, and what needs a prediction asks the spec to say ({@link Networks#requirePrediction}). The output never needs the label or target: {@code predict} has only
   * the input.
   */
  private Node output(Spec spec, Node loss) {
    if (globals.containsKey(Spec.OUTPUT)) {
      Node out = globals.get(Spec.OUTPUT);
      Optional<String> truth = truthUsedBy(out);
      if (truth.isPresent()) {
        errors.add(Diagnostic.error(source, spec.value(Spec.OUTPUT).orElseThrow().value().span(),
            "out is what predict returns, from the input alone, but it uses the " + truth.get(),
            "compute the prediction in out and compare it with " + truth.get().substring(truth.get().indexOf(' ') + 1) + " in the loss"));
        return null;
      }
      return out;
    }
    java.util.Set<Node> used = usedAsWritten(loss);
    for (LossCall call : lossCalls) {
      if (used.contains(call.result()) && truthUsedBy(call.prediction()).isEmpty()) {
        return namedOperand(call.prediction());
      }
    }
    Node lastNamed = null;
    for (Statement statement : spec.statements()) {
      if (statement instanceof Statement.Let let && !let.name().equals(Spec.LOSS)) {
        Node value = globals.get(let.name());
        if (value != null && used.contains(value) && truthUsedBy(value).isEmpty() && !value.isLeaf()) {
          lastNamed = value;
        }
      }
    }
    if (lastNamed != null) {
      return lastNamed;
    }
    if (truthUsedBy(loss).isEmpty()) {
      return loss;
    }
    // Nothing here predicts from the input alone. The formulas still derive; what needs a prediction (a
    // generated class, training) refuses the spec with Networks.requirePrediction.
    return loss;
  }

  /**
   * The named value a loss function's prediction was rewritten from, {@code pred} in {@code nll(log(pred), y)}
   * (whose prediction became {@code logsoftmax(logits)}): what the spec calls its prediction. Otherwise the prediction.
   */
  private Node namedOperand(Node prediction) {
    List<Node> from = rewrittenFrom.getOrDefault(prediction, List.of());
    if (!names.containsKey(prediction) && from.size() == 1 && names.containsKey(from.get(0)) && !from.get(0).isLeaf()) {
      return from.get(0);
    }
    return prediction;
  }

  /**
   * The values the loss uses as the spec wrote it: those it reaches, and those a stability rewrite fused
   * away on the way ({@code probs} in {@code loss = -sum(onehot(y) * log(probs))}, which became
   * {@code cross_entropy(z, y)}), so that a prediction named as people name it is still found.
   */
  private java.util.Set<Node> usedAsWritten(Node loss) {
    java.util.Set<Node> used = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<Node> stack = new ArrayList<>(List.of(loss));
    while (!stack.isEmpty()) {
      Node node = stack.remove(stack.size() - 1);
      if (used.add(node)) {
        stack.addAll(node.inputs());
        stack.addAll(rewrittenFrom.getOrDefault(node, List.of()));
      }
    }
    return used;
  }

  /** "label y" or "target t" when {@code value} depends on one. */
  private static Optional<String> truthUsedBy(Node value) {
    for (Node node : Differentiator.reachable(value)) {
      if (node.op() instanceof Op.Leaf leaf && (leaf.kind() == Op.Leaf.Kind.LABEL || leaf.kind() == Op.Leaf.Kind.TARGET)) {
        return Optional.of((leaf.kind() == Op.Leaf.Kind.LABEL ? "label " : "target ") + leaf.name());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> declaredName(Statement statement) {
    if (statement instanceof Statement.Let let) {
      return Optional.of(let.name());
    } else if (statement instanceof Statement.Param param) {
      return Optional.of(param.name());
    } else if (statement instanceof Statement.Input input) {
      return Optional.of(input.name());
    } else if (statement instanceof Statement.Label label) {
      return Optional.of(label.name());
    } else if (statement instanceof Statement.Target target) {
      return Optional.of(target.name());
    }
    return Optional.empty();
  }

  private Network lowerExpression(Expr expression, Optional<LossChoice> requested) {
    Node value;
    try {
      value = lower(expression, Map.of());
    } catch (Abandon abandoned) {
      throw new DiagnosticException(errors);
    }
    Node output = value.op() instanceof Loss ? value.input(0) : value;
    // A scalar is differentiated as it stands (f = xᵀ A x), unless a loss is asked for.
    boolean asItStands = requested.isEmpty() && solver.resolve(value.shape()).isScalar();
    Node loss = value.op() instanceof Loss || asItStands
        ? value
        : attachLoss(value, requested.orElseGet(() -> defaultLoss(value)), expression.span());
    if (!errors.isEmpty()) {
      throw new DiagnosticException(errors);
    }
    List<Node> inputs = new ArrayList<>();
    List<Node> parameters = new ArrayList<>();
    Node label = null;
    Node target = null;
    for (Node node : leavesByFirstUse()) {
      Op.Leaf leaf = (Op.Leaf) node.op();
      switch (leaf.kind()) {
        case INPUT -> inputs.add(node);
        case PARAM -> parameters.add(node);
        case LABEL -> label = node;
        case TARGET -> target = node;
      }
    }
    return finish("Expression", inputs, parameters, label, target, output, loss, source.text().strip());
  }

  /**
   * The leaves in the order the computation first uses them: {@code W1} before {@code W2} in
   * {@code W2 relu(W1 X + b1)}, although the text names {@code W2} first. Symbolic dimensions are
   * numbered in this order, so the first layer's get the first names.
   */
  private List<Node> leavesByFirstUse() {
    Map<Node, Integer> firstUse = new IdentityHashMap<>();
    List<Node> leaves = new ArrayList<>();
    for (Node node : graph.nodes()) {
      if (node.isLeaf()) {
        leaves.add(node);
      }
      for (Node input : node.inputs()) {
        firstUse.putIfAbsent(input, node.id());
      }
    }
    leaves.sort(java.util.Comparator.comparingInt((Node leaf) -> firstUse.getOrDefault(leaf, Integer.MAX_VALUE))
        .thenComparingInt(Node::id));
    return leaves;
  }

  private static LossChoice defaultLoss(Node output) {
    if (output.is(Structural.SOFTMAX)) {
      return LossChoice.CE;
    }
    if (output.is(Structural.LOGSOFTMAX)) {
      return LossChoice.NLL;
    }
    return output.is(Unary.SIGMOID) ? LossChoice.BCE : LossChoice.MSE;
  }

  /** The loss of a one-liner's output: {@code H = −Σ t ⊙ log(output)} for a softmax, and so on. */
  private Node attachLoss(Node output, LossChoice choice, Span span) {
    Shape outputShape = solver.resolve(output.shape());
    try {
      return switch (choice) {
        case CE, NLL -> {
          Dim classes = solver.expectVector(outputShape).dim(0);
          Node label = graph.leaf(Op.Leaf.label("y", classes), Shape.vector(classes), Span.NONE);
          if (choice == LossChoice.CE && output.is(Structural.SOFTMAX)) {
            rewrites.add(new Rewrite("H = −Σ t ⊙ log(softmax(z))", "cross_entropy(z, y)", span,
                "softmax and the log of cross-entropy fused: stable for any logits, and ∂H/∂z = Y − t"));
            yield graph.apply(Loss.CROSS_ENTROPY, List.of(output.input(0), label), span);
          }
          if (choice == LossChoice.NLL && output.is(Structural.LOGSOFTMAX)) {
            rewrites.add(new Rewrite("nll(logsoftmax(z), y)", "cross_entropy(z, y)", span,
                "one fused, stable pass"));
            yield graph.apply(Loss.CROSS_ENTROPY, List.of(output.input(0), label), span);
          }
          Loss loss = choice == LossChoice.CE ? Loss.CROSS_ENTROPY : Loss.NLL;
          yield graph.apply(loss, List.of(output, label), span);
        }
        case BCE, MSE -> {
          Node target = graph.leaf(Op.Leaf.target("t"), outputShape, Span.NONE);
          yield choice == LossChoice.BCE
              ? rewriteOrApply(Loss.BCE, List.of(output, target), span)
              : graph.apply(Loss.MSE, List.of(output, target), span);
        }
      };
    } catch (ShapeException e) {
      errors.add(Diagnostic.error(source, span, "cannot attach a " + choice.name().toLowerCase() + " loss: " + e.getMessage()));
      return output;
    }
  }

  private Network finish(String name, List<Node> inputs, List<Node> parameters, Node label, Node target,
      Node output, Node loss, String canonicalText) {
    Rebuild rebuild = new Rebuild(graph, inputs, leavesByFirstUse(), List.of(loss, output));
    Map<Node, Statement.Init> finalInits = new IdentityHashMap<>();
    initializers.forEach((node, init) -> finalInits.put(rebuild.get(node), init));
    Map<Node, String> finalNames = new IdentityHashMap<>();
    // A named value the loss and the output do not use (or that a stability rewrite fused away) is not kept.
    List<Network.DroppedName> dropped = new ArrayList<>();
    names.forEach((node, value) -> {
      if (rebuild.get(node) != null) {
        finalNames.putIfAbsent(rebuild.get(node), value);
      } else {
        rebuild.asDropped(node, value).ifPresent(dropped::add);
      }
    });
    dropped.sort(java.util.Comparator.comparing(Network.DroppedName::name));
    return new Network(name, source, rebuild.graph(),
        inputs.stream().map(rebuild::get).toList(),
        parameters.stream().map(rebuild::get).toList(),
        Optional.ofNullable(label).map(rebuild::get),
        Optional.ofNullable(target).map(rebuild::get),
        finalInits, rebuild.get(output), rebuild.get(loss), finalNames, dropped,
        rewrites.stream().map(rewrite -> rewrite.withArguments(rebuild::get)).toList(), canonicalText);
  }

  // ---- declarations ----

  private Node declare(String name, Op.Leaf leaf, Shape shape, Span span) {
    checkFitsAnArray(name, shape, span);
    Node node = graph.leaf(leaf, shape, span);
    globals.put(name, node);
    return node;
  }

  /** The most elements one Java array holds (a few below Integer.MAX_VALUE on every JVM). */
  public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  /** A value must fit one Java array: reported before anything is allocated. */
  private void checkFitsAnArray(String what, Shape shape, Span span) {
    if (shape.isKnown() && shape.size() > MAX_VALUES) {
      errors.add(Diagnostic.error(source, span, String.format(java.util.Locale.ROOT,
          "%s (%s) has %,d values: more than one Java array holds (%,d)", what, shape, shape.size(), MAX_VALUES),
          "nabla keeps each value in one array; make the dimensions smaller"));
      throw new Abandon();
    }
  }

  private Shape shapeOf(List<dev.nabla.grammar.ast.Dim> dims) {
    List<Dim> resolved = new ArrayList<>();
    for (dev.nabla.grammar.ast.Dim dim : dims) {
      resolved.add(dimOf(dim));
    }
    if (resolved.size() > Shape.MAX_RANK) {
      errors.add(Diagnostic.error(source, dims.get(Shape.MAX_RANK).span(), "nabla handles at most " + Shape.MAX_RANK
          + " dimensions (a kernel [out channels, in channels, height, width]), not " + resolved.size()));
      throw new Abandon();
    }
    return new Shape(resolved);
  }

  private Dim dimOf(dev.nabla.grammar.ast.Dim dim) {
    if (dim instanceof dev.nabla.grammar.ast.Dim.Fixed fixed) {
      if (fixed.size() < 1 || fixed.size() > Integer.MAX_VALUE) {
        errors.add(Diagnostic.error(source, fixed.span(), "a dimension must be between 1 and " + Integer.MAX_VALUE + ", not " + fixed.size()));
        throw new Abandon();
      }
      return Dim.of(fixed.size());
    }
    String named = ((dev.nabla.grammar.ast.Dim.Named) dim).name();
    return namedDims.computeIfAbsent(named, solver::namedDim);
  }

  // ---- expressions ----

  private Node lower(Expr expr, Map<String, Node> scope) {
    if (expr instanceof Expr.Number number) {
      return graph.constant(number.value());
    }
    if (expr instanceof Expr.Name name) {
      return resolveName(name, scope);
    }
    if (expr instanceof Expr.Negate negate) {
      if (negate.operand() instanceof Expr.Number number) {
        return graph.constant(-number.value());
      }
      return build(Unary.NEG, List.of(lower(negate.operand(), scope)), expr);
    }
    if (expr instanceof Expr.Transpose transpose) {
      return build(Structural.TRANSPOSE, List.of(lower(transpose.operand(), scope)), expr);
    }
    if (expr instanceof Expr.Power power) {
      Node base = lower(power.base(), scope);
      return build(new Op.Power(constantExponent(power.exponent())), List.of(base), expr);
    }
    if (expr instanceof Expr.Binary binary) {
      Node left = lower(binary.left(), scope);
      Node right = lower(binary.right(), scope);
      Op op = switch (binary.op()) {
        case ADD -> Binary.ADD;
        case SUB -> Binary.SUB;
        case MUL -> Binary.MUL;
        case DIV -> Binary.DIV;
        case MATMUL -> Structural.MATMUL;
      };
      return build(op, List.of(left, right), expr);
    }
    return lowerCall((Expr.Call) expr, scope);
  }

  private double constantExponent(Expr exponent) {
    if (exponent instanceof Expr.Number number) {
      return number.value();
    }
    if (exponent instanceof Expr.Negate negate && negate.operand() instanceof Expr.Number number) {
      return -number.value();
    }
    errors.add(Diagnostic.error(source, exponent.span(), "the exponent of ^ must be a number, not " + text(exponent)));
    throw new Abandon();
  }

  private Node resolveName(Expr.Name name, Map<String, Node> scope) {
    Node node = scope.containsKey(name.name()) ? scope.get(name.name()) : globals.get(name.name());
    if (node != null) {
      return node;
    }
    if (failed.contains(name.name())) {
      throw new Abandon(); // its definition's error is reported; this use adds nothing
    }
    Optional<Node> declaredLabel = globals.values().stream()
        .filter(leaf -> leaf.op() instanceof Op.Leaf kind && kind.kind() == Op.Leaf.Kind.LABEL).findFirst();
    if (!freeNamesAllowed && name.name().equals(dev.nabla.grammar.check.SpecChecks.ONE_HOT) && declaredLabel.isPresent()) {
      return declaredLabel.get(); // t: the label's one-hot vector, as formulas write it
    }
    if (!freeNamesAllowed) {
      errors.add(Diagnostic.error(source, name.span(), "'" + name.name() + "' is not declared"));
      throw new Abandon();
    }
    boolean input = name.name().equals("X") || name.name().equals("x");
    Shape shape = declaredShape(name).orElseGet(() -> solver.freshUnknown(ShapeSolver.Rank.of(name.name())));
    Node leaf = graph.leaf(input ? Op.Leaf.input(name.name()) : Op.Leaf.param(name.name()), shape, name.span());
    globals.put(name.name(), leaf);
    return leaf;
  }

  private Optional<Shape> declaredShape(Expr.Name name) {
    List<Long> dims = declaredDims.get(name.name());
    return dims == null ? Optional.empty() : Optional.of(Shape.of(dims.stream().mapToLong(Long::longValue).toArray()));
  }

  private Node lowerCall(Expr.Call call, Map<String, Node> scope) {
    Statement.Def def = defs.get(call.function());
    if (def != null) {
      return expand(def, call, scope);
    }
    Builtin builtin = Builtin.named(call.function()).orElseThrow(() -> new IllegalStateException(
        "unchecked call of '" + call.function() + "' reached the lowering"));
    List<Expr> arguments = call.arguments();
    return switch (builtin) {
      case RELU -> build(Unary.RELU, lowerAll(arguments, scope), call);
      case SIGMOID -> build(Unary.SIGMOID, lowerAll(arguments, scope), call);
      case TANH -> build(Unary.TANH, lowerAll(arguments, scope), call);
      case EXP -> build(Unary.EXP, lowerAll(arguments, scope), call);
      case LOG -> build(Unary.LOG, lowerAll(arguments, scope), call);
      case SOFTPLUS -> build(Unary.SOFTPLUS, lowerAll(arguments, scope), call);
      case STEP -> build(Unary.STEP, lowerAll(arguments, scope), call);
      case SOFTMAX -> build(Structural.SOFTMAX, lowerAll(arguments, scope), call);
      case LOGSOFTMAX -> build(Structural.LOGSOFTMAX, lowerAll(arguments, scope), call);
      case SUM -> build(Structural.SUM, lowerAll(arguments, scope), call);
      case MEAN -> build(Structural.MEAN, lowerAll(arguments, scope), call);
      case ONEHOT -> labelArgument(arguments.get(0), scope, null);
      case NLL -> lowerLoss(Loss.NLL, call, scope);
      case CROSS_ENTROPY -> lowerLoss(Loss.CROSS_ENTROPY, call, scope);
      case BCE -> lowerLoss(Loss.BCE, call, scope);
      case MSE -> lowerLoss(Loss.MSE, call, scope);
      case CONV2D -> build(new Spatial.Conv2d(option(call, "stride", 1), option(call, "padding", 0)),
          lowerAll(arguments, scope), call);
      case MAXPOOL -> pooling(call, scope, true);
      case AVGPOOL -> pooling(call, scope, false);
      case FLATTEN -> build(new Spatial.Flatten(), lowerAll(arguments, scope), call);
      case DROPOUT -> dropout(call, scope);
    };
  }

  /** A named whole-number argument ({@code stride=2}), checked by the grammar's checks; {@code otherwise} when absent. */
  private static int option(Expr.Call call, String name, int otherwise) {
    return call.named(name).map(named -> (int) constantArgument(named.value())).orElse(otherwise);
  }

  private static double constantArgument(Expr value) {
    return value instanceof Expr.Negate negate ? -((Expr.Number) negate.operand()).value() : ((Expr.Number) value).value();
  }

  /** {@code maxpool(X, k, stride=s)}: the stride is the window's unless given. */
  private Node pooling(Expr.Call call, Map<String, Node> scope, boolean max) {
    int window = (int) constantArgument(call.arguments().get(1));
    int stride = option(call, "stride", window);
    Spatial op = max ? new Spatial.MaxPool(window, stride) : new Spatial.AvgPool(window, stride);
    return build(op, List.of(lower(call.arguments().get(0), scope)), call);
  }

  /** {@code dropout(p, x)}: {@code x ⊙ m} with a mask of its own for each dropout written (or expanded from a def). */
  private Node dropout(Expr.Call call, Map<String, Node> scope) {
    double p = constantArgument(call.arguments().get(0));
    Node x = lower(call.arguments().get(1), scope);
    Node mask = build(new Spatial.DropoutMask(p, dropouts++), List.of(x), call);
    return build(new Spatial.Dropout(p), List.of(x, mask), call);
  }

  private List<Node> lowerAll(List<Expr> arguments, Map<String, Node> scope) {
    List<Node> nodes = new ArrayList<>(arguments.size());
    for (Expr argument : arguments) {
      nodes.add(lower(argument, scope));
    }
    return nodes;
  }

  private Node lowerLoss(Loss loss, Expr.Call call, Map<String, Node> scope) {
    Node prediction = lower(call.arguments().get(0), scope);
    Expr second = call.arguments().get(1);
    Node truth = loss == Loss.NLL || loss == Loss.CROSS_ENTROPY
        ? labelArgument(second, scope, prediction)
        : targetArgument(second, scope, prediction);
    Node result = build(loss, List.of(prediction, truth), call);
    lossCalls.add(new LossCall(prediction, result));
    return result;
  }

  /** The label operand of nll, cross_entropy or onehot: a declared label, or in a one-liner a free name. */
  private Node labelArgument(Expr argument, Map<String, Node> scope, Node prediction) {
    if (argument instanceof Expr.Name name && freeNamesAllowed && !scope.containsKey(name.name()) && !globals.containsKey(name.name())) {
      Dim classes = prediction != null && solver.resolve(prediction.shape()).isVector()
          ? solver.resolve(prediction.shape()).dim(0)
          : solver.freshDim();
      Node label = graph.leaf(Op.Leaf.label(name.name(), classes), Shape.vector(classes), name.span());
      globals.put(name.name(), label);
      return label;
    }
    Node node = lower(argument, scope);
    if (!(node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.LABEL)) {
      errors.add(Diagnostic.error(source, argument.span(), "expected a class label here, but " + text(argument) + " is not one",
          "declare it with: label " + text(argument) + " : CLASSES"));
      throw new Abandon();
    }
    return node;
  }

  private Node targetArgument(Expr argument, Map<String, Node> scope, Node prediction) {
    if (argument instanceof Expr.Name name && freeNamesAllowed && !scope.containsKey(name.name()) && !globals.containsKey(name.name())) {
      Node target = graph.leaf(Op.Leaf.target(name.name()), solver.resolve(prediction.shape()), name.span());
      globals.put(name.name(), target);
      return target;
    }
    return lower(argument, scope);
  }

  /** A {@code def} call: its body lowered with the parameters bound to the arguments' nodes. */
  private Node expand(Statement.Def def, Expr.Call call, Map<String, Node> scope) {
    if (call.arguments().size() != def.parameters().size()) {
      errors.add(Diagnostic.error(source, call.span(), def.name() + " takes " + def.parameters().size()
          + " argument" + (def.parameters().size() == 1 ? "" : "s") + ", got " + call.arguments().size()));
      throw new Abandon();
    }
    if (++expansionDepth > MAX_EXPANSION_DEPTH) {
      errors.add(Diagnostic.error(source, call.span(), "def blocks nest deeper than " + MAX_EXPANSION_DEPTH + " levels"));
      throw new Abandon();
    }
    try {
      Map<String, Node> bound = new HashMap<>();
      for (int i = 0; i < def.parameters().size(); i++) {
        bound.put(def.parameters().get(i).name(), lower(call.arguments().get(i), scope));
      }
      return lower(def.body(), bound);
    } finally {
      expansionDepth--;
    }
  }

  /** Builds one node, after the stability rewrites had their say; a shape error is reported here. */
  private Node build(Op op, List<Node> inputs, Expr expr) {
    try {
      // Shapes are checked on the operation as written, so that a message names what the user wrote
      // (nll), not what a stability rewrite would make of it (cross_entropy).
      Shape shape = solver.resolve(op.shape(inputs.stream().map(Node::shape).toList(), solver));
      checkFitsAnArray(text(expr), shape, expr.span());
      return rewriteOrApply(op, inputs, expr.span());
    } catch (ShapeException e) {
      errors.add(shapeDiagnostic(op, inputs, expr, e));
      throw new Abandon();
    }
  }

  private Node rewriteOrApply(Op op, List<Node> inputs, Span span) throws ShapeException {
    StabilityRewrites.Result rewritten = StabilityRewrites.apply(graph, op, inputs, span);
    if (rewritten != null) {
      rewrites.add(rewritten.rewrite());
      rewrittenFrom.put(rewritten.node(), inputs);
      return rewritten.node();
    }
    return graph.apply(op, inputs, span);
  }

  // ---- shape diagnostics ----

  private Diagnostic shapeDiagnostic(Op op, List<Node> inputs, Expr expr, ShapeException e) {
    List<Expr> operands = operandsOf(expr);
    if (op == Structural.MATMUL && operands.size() == 2) {
      Shape left = solver.resolve(inputs.get(0).shape());
      Shape right = solver.resolve(inputs.get(1).shape());
      String message = text(operands.get(0)) + " (" + left + ") cannot multiply " + text(operands.get(1)) + " (" + right + "): " + e.getMessage();
      List<String> hints = new ArrayList<>(e.hints());
      Node flattened = inputs.get(1);
      if (flattened.op() instanceof Spatial.Flatten && left.isMatrix() && operands.get(0) instanceof Expr.Name weight) {
        // flatten feeding a dense layer of the wrong width: say what the width is and where it comes from
        Shape image = solver.resolve(flattened.input(0).shape());
        hints.add(text(operands.get(1)) + " has " + image.dims().stream().map(Object::toString).collect(java.util.stream.Collectors.joining("·"))
            + " = " + right.dim(0) + " values (channels·height·width of " + image + "): declare " + weight.name() + "["
            + left.dim(0) + ", " + right.dim(0) + "]");
      }
      boolean transposed = operands.get(0) instanceof Expr.Transpose;
      if (left.isMatrix() && !right.isScalar() && solver.compatible(left.dim(0), right.rows())) {
        hints.add(transposed
            ? "without the transpose it fits: " + text(((Expr.Transpose) operands.get(0)).operand()) + " is " + left.transposed()
            : "did you mean " + text(operands.get(0)) + "ᵀ " + text(operands.get(1)) + "? " + text(operands.get(0)) + "ᵀ is " + left.transposed());
      }
      return Diagnostic.error(source, expr.span(), message, hints.toArray(String[]::new));
    }
    if (op instanceof Binary binary && operands.size() == 2) {
      Shape left = solver.resolve(inputs.get(0).shape());
      Shape right = solver.resolve(inputs.get(1).shape());
      String verb = switch (binary) {
        case ADD -> "add";
        case SUB -> "subtract";
        case MUL -> "multiply elementwise";
        case DIV -> "divide elementwise";
      };
      String message = "cannot " + verb + " " + text(operands.get(0)) + " (" + left + ") and " + text(operands.get(1)) + " (" + right + "): " + e.getMessage();
      List<String> hints = new ArrayList<>(e.hints());
      if (binary == Binary.ADD && left.isVector() && right.isVector() && operands.get(1) instanceof Expr.Name bias) {
        hints.add("a bias added to a vector of " + left.dim(0) + " has " + left.dim(0) + " entries: declare " + bias.name() + "[" + left.dim(0) + "]");
      } else if (left.isMatrix() && right.isMatrix() && left.transposed().equals(right)) {
        hints.add("the shapes are transposes of each other: did you mean " + text(operands.get(1)) + "ᵀ?");
      }
      return Diagnostic.error(source, expr.span(), message, hints.toArray(String[]::new));
    }
    if (op instanceof Loss) {
      return Diagnostic.error(source, expr.span(), e.getMessage(), e.hints().toArray(String[]::new));
    }
    if (op instanceof Spatial) {
      return Diagnostic.error(source, expr.span(), text(expr) + ": " + e.getMessage(), e.hints().toArray(String[]::new));
    }
    String operandText = inputs.size() == 1 && !operands.isEmpty()
        ? " of " + text(operands.get(0)) + " (" + solver.resolve(inputs.get(0).shape()) + ")"
        : "";
    return Diagnostic.error(source, expr.span(), op + operandText + ": " + e.getMessage(), e.hints().toArray(String[]::new));
  }

  private static List<Expr> operandsOf(Expr expr) {
    if (expr instanceof Expr.Binary binary) {
      return List.of(binary.left(), binary.right());
    }
    if (expr instanceof Expr.Call call) {
      return call.arguments();
    }
    if (expr instanceof Expr.Negate negate) {
      return List.of(negate.operand());
    }
    if (expr instanceof Expr.Transpose transpose) {
      return List.of(transpose.operand());
    }
    if (expr instanceof Expr.Power power) {
      return List.of(power.base());
    }
    return List.of();
  }

  /** The source text of an expression, on one line and cut short, as messages quote it. */
  private String text(Expr expr) {
    return text(expr.span());
  }

  String text(Span span) {
    if (!span.isKnown() || span.end() > source.text().length()) {
      return "the expression";
    }
    String text = source.text().substring(span.start(), span.end()).replaceAll("\\s+", " ").strip();
    return text.length() > 40 ? text.substring(0, 37) + "..." : text;
  }

  /**
   * The last step: every node made again in a fresh graph with resolved shapes, symbolic dimensions
   * named in a stable order (the inputs' first, then as the leaves appear), and a product with a
   * scalar made the scaling it is.
   */
  private static final class Rebuild {
    private final Graph target = new Graph();
    private final Map<Node, Node> mapped = new IdentityHashMap<>();

    Rebuild(Graph source, List<Node> inputs, List<Node> leavesInOrder, List<Node> roots) {
      // What a stability rewrite replaced is left behind: only what the loss and the output use is kept.
      java.util.Set<Node> used = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      used.addAll(Differentiator.reachable(roots));
      ShapeSolver solver = source.solver();
      ShapeSolver.DimNames dimNames = new ShapeSolver.DimNames();
      Map<Node, Shape> leafShapes = new IdentityHashMap<>();
      for (Node input : inputs) {
        leafShapes.put(input, solver.finish(input.shape(), dimNames));
      }
      for (Node node : leavesInOrder) {
        if (!leafShapes.containsKey(node)) {
          leafShapes.put(node, solver.finish(node.shape(), dimNames));
        }
      }
      for (Node node : source.nodes()) {
        if (node.op() instanceof Op.Leaf leaf) {
          Op.Leaf finished = leaf.classes() == null ? leaf
              : new Op.Leaf(leaf.kind(), leaf.name(), leafShapes.get(node).dim(0));
          mapped.put(node, target.leaf(finished, leafShapes.get(node), node.span()));
          continue;
        }
        if (!used.contains(node)) {
          continue;
        }
        List<Node> inputsOfNode = node.inputs().stream().map(mapped::get).toList();
        try {
          mapped.put(node, target.apply(rebuiltOp(node, inputsOfNode), inputsOfNode, node.span()));
        } catch (ShapeException e) {
          throw new IllegalStateException("shapes resolved inconsistently at " + node + ": " + e.getMessage(), e);
        }
      }
    }

    /** A product with a scalar is a scaling. */
    private static Op rebuiltOp(Node node, List<Node> inputs) {
      boolean scaling = node.op() == Structural.MATMUL && (inputs.get(0).shape().isScalar() || inputs.get(1).shape().isScalar());
      return scaling ? Binary.MUL : node.op();
    }

    /** A value not kept, named {@code name}, as an operation on kept values; empty when its operands were not kept either. */
    Optional<Network.DroppedName> asDropped(Node node, String name) {
      if (node.isLeaf()) {
        return Optional.empty();
      }
      List<Node> inputs = node.inputs().stream().map(mapped::get).toList();
      if (inputs.stream().anyMatch(java.util.Objects::isNull)) {
        return Optional.empty();
      }
      return Optional.of(new Network.DroppedName(rebuiltOp(node, inputs), inputs, name));
    }

    Graph graph() {
      return target;
    }

    Node get(Node node) {
      return mapped.get(node);
    }
  }
}
