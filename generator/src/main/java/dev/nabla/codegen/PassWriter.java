package dev.nabla.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import dev.nabla.codegen.Expressions.Ex;
import dev.nabla.codegen.Plan.Kernel;
import dev.nabla.codegen.Plan.Storage;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Structural;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/** The passes: forward, backward and predict, each value of the plan as a statement with its formula. */
abstract class PassWriter extends SpatialCalls {
  PassWriter(Network network, Gradients gradients, CodegenOptions options) {
    super(network, gradients, options);
  }

  /** Emits {@code nodes} in order. */
  void emitAll(MethodBody body, List<Node> nodes) {
    for (Node node : nodes) {
      emit(body, node);
    }
  }

  /** The statement of {@code node}; a problem without a place of its own (a folded constant) is reported at the statement's. */
  void emit(MethodBody body, Node node) {
    try {
      emitStatement(body, node);
    } catch (UnsupportedSpecException e) {
      throw e.placedAt(node.span());
    }
  }

  private void emitStatement(MethodBody body, Node node) {
    Op op = node.op();
    if (op instanceof Spatial.DropoutMask) {
      return; // drawn by its dropout's statement, which stores it for the backward pass
    }
    if (plan.storage(node) == Storage.GRADIENT) {
      for (Node parameter : plan.gradientOf().get(node)) {
        accumulate(body, node, parameter);
      }
      return;
    }
    body.comment(describe(node));
    Node fused = plan.fusedProduct().get(node);
    if (fused != null) {
      Node bias = node.input(0) == fused ? node.input(1) : node.input(0);
      if (plan.kernel(node) == Kernel.CONV) {
        convolution(body, node, fused, bias);
      } else if (plan.kernel(node) == Kernel.DENSE) {
        denseCall(body, node, fused, bias);
      } else {
        matmul(body, fused, bias, arrayTarget(node), false, plan.perSample(node));
      }
    } else if (plan.kernel(node) == Kernel.DENSE) {
      denseCall(body, node, node, null);
    } else if (plan.kernel(node) == Kernel.TRANSPOSED_DENSE) {
      transposedCall(body, node);
    } else if (op == Structural.MATMUL) {
      matmul(body, node, null, arrayTarget(node), false, plan.perSample(node));
    } else if (op == Structural.TRANSPOSE) {
      transpose(body, node);
    } else if (op == Structural.SOFTMAX || op == Structural.LOGSOFTMAX) {
      softmax(body, node);
    } else if (op == Structural.SUM || op == Structural.MEAN) {
      reduce(body, node);
    } else if (op instanceof Loss loss) {
      loss(body, node, loss);
    } else if (op instanceof Spatial spatial) {
      spatial(body, node, spatial);
    } else {
      elementwise(body, node);
    }
    for (Node parameter : plan.gradientOf().getOrDefault(node, List.of())) {
      accumulate(body, node, parameter);
    }
  }

  void elementwise(MethodBody body, Node node) {
    if (activationCall(body, node)) {
      return;
    }
    Target target = arrayTarget(node);
    String b = body.batch(plan.perSample(node));
    String i = body.index("i", size(node));
    boolean loop = body.loop("i", size(node));
    body.statement("$L = $L", target.at(b, i), compute(body, node, b, i).code());
    body.end(loop);
    body.endBatch();
  }

  void transpose(MethodBody body, Node node) {
    Node input = node.input(0);
    int rows = rows(input);
    int columns = columns(input);
    Target target = arrayTarget(node);
    String b = body.batch(plan.perSample(node));
    boolean outer = body.loop("i", rows);
    boolean inner = body.loop("j", columns);
    String i = body.index("i", rows);
    String j = body.index("j", columns);
    body.statement("$L = $L", target.at(b, Expressions.index(Expressions.times(j, rows), i)), at(body, input, b, i, j).code());
    body.end(inner);
    body.end(outer);
    body.endBatch();
  }

  /**
   * {@code C = A B}, plus a bias {@code init} when one is folded in, written to {@code target} or,
   * for a gradient, added to it (scaled by 1/n when summed over the batch). The loop order puts
   * contiguous memory innermost: a dot product over rows, or an axpy over the rows of B or the
   * columns of a transposed A.
   */
  void matmul(MethodBody body, Node product, Node init, Target target, boolean accumulate, boolean perSample) {
    Node a = product.input(0);
    Node bNode = product.input(1);
    int m = rows(a);
    int inner = columns(a);
    int n = columns(bNode);
    String i = body.index("i", m);
    String k = body.index("k", inner);
    String j = body.index("j", n);
    String b = body.batch(perSample, true);
    boolean scale = accumulate && perSample;
    Ex invN = scale ? Expressions.atom(body.read(MethodBody.Read.INV_N)) : null;
    String type = ex.type();
    java.util.function.BiFunction<String, String, String> out = (row, column) ->
        target.at(b, Expressions.index(Expressions.times(row, n), column));
    java.util.function.BiFunction<String, String, Ex> initial = (row, column) -> init == null ? ex.literal(0)
        : elem(body, init, b, operandIndex(init, Expressions.index(Expressions.times(row, n), column)));
    String assign = accumulate ? "+=" : "=";
    if (inner == 1) {
      boolean li = body.loop("i", m);
      Ex left = at(body, a, b, i, "0");
      if (scale) {
        left = ex.mul(invN, left);
      }
      if (n > 1) {
        String factor = body.name("a");
        body.statement("$L $N = $L", type, factor, left.code());
        left = Expressions.atom(factor);
      }
      boolean lj = body.loop("j", n);
      Ex value = ex.mul(left, at(body, bNode, b, "0", j));
      body.statement("$L $L $L", out.apply(i, j), assign, (init == null || accumulate ? value : ex.add(initial.apply(i, j), value)).code());
      body.end(lj);
      body.end(li);
    } else if (n > 1 && rowContiguous(bNode)) {
      if (!accumulate) {
        boolean li = body.loop("i", m);
        boolean lj = body.loop("j", n);
        body.statement("$L = $L", out.apply(i, j), initial.apply(i, j).code());
        body.end(lj);
        body.end(li);
      }
      boolean li = body.loop("i", m);
      boolean lk = body.loop("k", inner);
      Ex left = at(body, a, b, i, k);
      String factor = body.name("a");
      body.statement("$L $N = $L", type, factor, (scale ? ex.mul(invN, left) : left).code());
      boolean lj = body.loop("j", n);
      body.statement("$L += $N * $L", out.apply(i, j), factor, at(body, bNode, b, k, j).at(Expressions.UNARY));
      body.end(lj);
      body.end(lk);
      body.end(li);
    } else if (!(rowContiguous(a) && columnContiguous(bNode)) && n == 1 && m > 1 && columnContiguous(a)) {
      if (!accumulate) {
        boolean li = body.loop("i", m);
        body.statement("$L = $L", out.apply(i, "0"), initial.apply(i, "0").code());
        body.end(li);
      }
      boolean lk = body.loop("k", inner);
      Ex right = at(body, bNode, b, k, "0");
      String factor = body.name("d");
      body.statement("$L $N = $L", type, factor, (scale ? ex.mul(invN, right) : right).code());
      boolean li = body.loop("i", m);
      body.statement("$L += $L", out.apply(i, "0"), ex.mul(at(body, a, b, i, k), Expressions.atom(factor)).code());
      body.end(li);
      body.end(lk);
    } else {
      boolean li = body.loop("i", m);
      boolean lj = body.loop("j", n);
      Ex sum = Expressions.atom(body.name("sum"));
      body.statement("$L $L = $L", type, sum.code(), (accumulate ? ex.literal(0) : initial.apply(i, j)).code());
      boolean lk = body.loop("k", inner);
      body.statement("$L += $L", sum.code(), ex.mul(at(body, a, b, i, k), at(body, bNode, b, k, j)).code());
      body.end(lk);
      body.statement("$L $L $L", out.apply(i, j), assign, (scale ? ex.mul(invN, sum) : sum).code());
      body.end(lj);
      body.end(li);
    }
    body.endBatch();
  }

  void softmax(MethodBody body, Node node) {
    if (softmaxCall(body, node)) {
      return;
    }
    boolean log = node.is(Structural.LOGSOFTMAX);
    Target target = arrayTarget(node);
    String type = ex.type();
    String b = body.batch(plan.perSample(node), true);
    String i = body.index("i", size(node));
    String o = target.at(b, i);
    Ex max = Expressions.atom(body.name("max"));
    Ex sum = Expressions.atom(body.name("sum"));
    body.statement("$L $L = $L", type, max.code(), ex.literal(Double.NEGATIVE_INFINITY).code());
    boolean l1 = body.loop("i", size(node));
    body.statement("$L = $L", o, elem(body, node.input(0), b, i).code());
    body.statement("$L = $L", max.code(), ex.exact("max", max, Expressions.atom(o)).code());
    body.end(l1);
    body.statement("$L $L = $L", type, sum.code(), ex.literal(0).code());
    boolean l2 = body.loop("i", size(node));
    Ex shifted = ex.sub(Expressions.atom(o), max);
    if (log) {
      body.statement("$L += $L", sum.code(), ex.math("exp", shifted).code());
    } else {
      body.statement("$L = $L", o, ex.math("exp", shifted).code());
      body.statement("$L += $L", sum.code(), o);
    }
    body.end(l2);
    if (log) {
      String logSum = body.name("logSum");
      body.statement("$L $N = $L", type, logSum, ex.add(max, ex.math("log", sum)).code());
      boolean l3 = body.loop("i", size(node));
      body.statement("$L -= $N", o, logSum);
      body.end(l3);
    } else {
      boolean l3 = body.loop("i", size(node));
      body.statement("$L /= $L", o, sum.code());
      body.end(l3);
    }
    body.endBatch();
  }

  void reduce(MethodBody body, Node node) {
    Node input = node.input(0);
    Target target = arrayTarget(node);
    String b = body.batch(plan.perSample(node), true);
    String i = body.index("i", size(input));
    Ex sum = Expressions.atom(body.name("sum"));
    body.statement("$L $L = $L", ex.type(), sum.code(), ex.literal(0).code());
    boolean loop = body.loop("i", size(input));
    body.statement("$L += $L", sum.code(), elem(body, input, b, i).code());
    body.end(loop);
    body.statement("$L = $L", target.at(b, "0"), (node.is(Structural.MEAN) ? ex.div(sum, ex.literal(size(input))) : sum).code());
    body.endBatch();
  }

  void loss(MethodBody body, Node node, Loss loss) {
    Node prediction = node.input(0);
    Node truth = node.input(1);
    if (node == plan.logSoftmaxScoredLoss()) {
      String labels = truth.op() instanceof Op.Leaf leaf ? leaf.name() : reference(truth);
      body.comment("as nll(" + reference(network.output()) + ", " + labels + "): the log-softmax above, negated at the label");
      lossLoop(body, node, Loss.NLL, network.output(), truth);
      return;
    }
    if (loss == Loss.CROSS_ENTROPY && truth == label && crossEntropyCall(body, node, prediction)) {
      return;
    }
    lossLoop(body, node, loss, prediction, truth);
  }

  /** {@code node = loss(prediction, truth)} as loops over the lane's samples. */
  private void lossLoop(MethodBody body, Node node, Loss loss, Node prediction, Node truth) {
    Target target = arrayTarget(node);
    String type = ex.type();
    String b = body.batch(plan.perSample(node), true);
    int size = size(prediction);
    String i = body.index("i", size);
    boolean oneHot = truth == label;
    String value = target.at(b, "0");
    switch (loss) {
      case CROSS_ENTROPY -> {
        Ex max = Expressions.atom(body.name("max"));
        Ex sum = Expressions.atom(body.name("sum"));
        body.statement("$L $L = $L", type, max.code(), ex.literal(Double.NEGATIVE_INFINITY).code());
        boolean l1 = body.loop("i", size);
        body.statement("$L = $L", max.code(), ex.exact("max", max, elem(body, prediction, b, i)).code());
        body.end(l1);
        body.statement("$L $L = $L", type, sum.code(), ex.literal(0).code());
        boolean l2 = body.loop("i", size);
        body.statement("$L += $L", sum.code(), ex.math("exp", ex.sub(elem(body, prediction, b, i), max)).code());
        body.end(l2);
        Ex logSumExp = ex.add(max, ex.math("log", sum));
        body.statement("$L = $L", value, ex.sub(logSumExp, picked(body, prediction, truth, b, oneHot)).code());
      }
      case NLL -> body.statement("$L = $L", value, ex.neg(picked(body, prediction, truth, b, oneHot)).code());
      case BCE -> {
        Ex sum = Expressions.atom(body.name("sum"));
        String p = body.name("p");
        String t = body.name("t");
        body.statement("$L $L = $L", type, sum.code(), ex.literal(0).code());
        boolean loop = body.loop("i", size);
        body.statement("$L $N = $L", type, p, elem(body, prediction, b, i).code());
        body.statement("$L $N = $L", type, t, elem(body, truth, b, operandIndex(truth, i)).code());
        Ex floor = ex.literal(-100);
        Ex logP = ex.exact("max", ex.math("log", Expressions.atom(p)), floor);
        Ex logQ = ex.exact("max", ex.math("log1p", Expressions.atom("-" + p)), floor);
        Ex one = ex.literal(1);
        body.statement("$L -= $L", sum.code(), ex.add(ex.mul(Expressions.atom(t), logP),
            ex.mul(ex.sub(one, Expressions.atom(t)), logQ)).code());
        body.end(loop);
        body.statement("$L = $L", value, ex.div(sum, ex.literal(size)).code());
      }
      case MSE -> {
        Ex sum = Expressions.atom(body.name("sum"));
        String d = body.name("d");
        body.statement("$L $L = $L", type, sum.code(), ex.literal(0).code());
        boolean loop = body.loop("i", size);
        body.statement("$L $N = $L", type, d, ex.sub(elem(body, prediction, b, i), elem(body, truth, b, operandIndex(truth, i))).code());
        body.statement("$L += $N * $N", sum.code(), d, d);
        body.end(loop);
        body.statement("$L = $L", value, ex.div(sum, ex.literal(size)).code());
      }
    }
    body.endBatch();
  }

  /** {@code Σ t ⊙ v}: for a one-hot label, the one element {@code v[label]}. */
  Ex picked(MethodBody body, Node values, Node truth, String b, boolean oneHot) {
    if (oneHot && b != null) {
      return elem(body, values, b, body.read(MethodBody.Read.LABELS) + "[" + b + "]");
    }
    Ex dot = null;
    for (int i = 0; i < size(values); i++) {
      Ex term = ex.mul(elem(body, truth, b, Integer.toString(i)), elem(body, values, b, Integer.toString(i)));
      dot = dot == null ? term : ex.add(dot, term);
    }
    return dot;
  }

  /** Adds a gradient node's batch mean to the parameter's gradient array. */
  void accumulate(MethodBody body, Node node, Node parameter) {
    if (plan.isZero(node) || isFusedBiasGradient(node)) {
      return;
    }
    String gradient = gradientArrays.get(parameter);
    body.comment(gradient + " = ∂C/∂" + Network.leafName(parameter) + " = (1/n) Σ_b " + formula(node, false)
        + position(parameter));
    List<Plan.Term> terms = plan.gradientTerms().get(node);
    if (terms == null) {
      accumulateValue(body, node, parameter);
      return;
    }
    for (Plan.Term each : terms) {
      Node term = each.value();
      if (plan.isZero(term)) {
        continue;
      }
      if (each.transposed()) {
        body.comment(gradient + " += (1/n) Σ_b (" + formula(term, false) + ")ᵀ");
        transposedWeightGradientCall(body, term, parameter);
      } else if (plan.perSample(term)) {
        body.comment(gradient + " += (1/n) Σ_b " + formula(term, false));
        accumulateValue(body, term, parameter);
      } else {
        // The same for every sample, so (1/n) Σ_b of it is itself: added once, by the lane that has the batch's
        // first sample (the lanes' gradients are summed).
        body.comment(gradient + " += " + formula(term, false) + ", the same for every sample: added once per batch");
        body.open("if ($N == 0)", body.name("lo"));
        accumulateValue(body, term, parameter);
        body.close();
      }
    }
  }

  /**
   * Adds {@code node}'s batch mean to the parameter's gradient array: {@code (1/n) Σ_b} of it for a value per sample,
   * the value itself otherwise (written, for a whole gradient; added, for a term of one).
   */
  private void accumulateValue(MethodBody body, Node node, Node parameter) {
    String gradient = gradientArrays.get(parameter);
    Target target = (b, index) -> gradient + "[" + index + "]";
    boolean perSample = plan.perSample(node);
    boolean term = plan.gradients().of(parameter) != node;
    boolean accumulated = plan.storage(node) == Storage.GRADIENT || plan.storage(node) == Storage.TERM;
    if (accumulated && isSpatialGradient(node)) {
      accumulateSpatial(body, node, parameter);
      return;
    }
    if (accumulated && node.is(Structural.MATMUL)) {
      if (plan.kernel(node) == Kernel.WEIGHT_GRADIENT) {
        weightGradientCall(body, node, parameter);
        return;
      }
      matmul(body, node, null, target, true, perSample);
      return;
    }
    if (perSample && batchMeanCall(body, node, gradient)) {
      return;
    }
    String b = body.batch(perSample);
    String i = body.index("i", size(node));
    boolean loop = body.loop("i", size(node));
    Ex value = elem(body, node, b, i);
    if (perSample) {
      body.statement("$L += $L", target.at(b, i), ex.mul(Expressions.atom(body.read(MethodBody.Read.INV_N)), value).code());
    } else {
      body.statement("$L $L $L", target.at(b, i), term ? "+=" : "=", value.code());
    }
    body.end(loop);
    body.endBatch();
  }

  /** A pass's method, the helper methods it calls, and whether it reads the inputs (a double class keeps them widened). */
  /**
   * A pass's method and its parts, and how it reads the inputs: at all, through the rows of a shuffled batch, in the
   * batch's order.
   */
  record PassMethods(MethodSpec method, List<MethodSpec> parts, boolean readsInputs, boolean readsInputRows,
      boolean readsInputsInOrder) {
    PassMethods(MethodSpec method, List<MethodSpec> parts, MethodBody body) {
      this(method, parts, body.reads(MethodBody.Read.X), body.reads(MethodBody.Read.X_ROWS),
          body.reads(MethodBody.Read.X_IN_ORDER));
    }
  }

  /** Training's {@code forward} or {@code backward}: the statements of {@code nodes}, reading only what they need. */
  PassMethods pass(Pass pass, List<Node> nodes) {
    MethodBody body = new MethodBody(pass, names);
    boolean forward = pass == Pass.FORWARD;
    if (forward && oneHot) {
      body.comment("t = onehot(" + Network.leafName(label) + ")");
      oneHotCall(body, label);
    }
    Map<Node, List<Node>> early = new LinkedHashMap<>();
    Map<Node, List<Node>> late = new LinkedHashMap<>();
    if (!forward) {
      // A gradient that is not a statement of this pass is added directly: first, when it reads only
      // what the forward pass kept; after the pass, when it is a view (a transpose, a broadcast) of
      // something the pass computes.
      Set<Node> computedHere = new HashSet<>(nodes);
      for (Node parameter : network.parameters()) {
        Node root = plan.gradients().of(parameter);
        if (!nodes.contains(root)) {
          boolean readsThisPass = Differentiator.reachable(root).stream().anyMatch(computedHere::contains);
          (readsThisPass ? late : early).computeIfAbsent(root, key -> new ArrayList<>()).add(parameter);
        }
      }
      for (Map.Entry<Node, List<Node>> entry : early.entrySet()) {
        for (Node parameter : entry.getValue()) {
          accumulate(body, entry.getKey(), parameter);
        }
      }
    }
    List<MethodSpec> parts = emitInParts(body, nodes);
    for (Map.Entry<Node, List<Node>> entry : late.entrySet()) {
      for (Node parameter : entry.getValue()) {
        accumulate(body, entry.getKey(), parameter);
      }
    }
    MethodSpec.Builder method = MethodSpec.methodBuilder(pass.partName).addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
        .addParameter(float[].class, body.name("x")).addParameter(int.class, body.name("xOffset"))
        .addParameter(int[].class, body.name("xRows")).addParameter(int[].class, body.name("labels"))
        .addParameter(float[].class, body.name("targets")).addParameter(int.class, body.name("lo"))
        .addParameter(int.class, body.name("hi")).addParameter(int.class, body.name("n"));
    if (forward) {
      method.addJavadoc("The forward pass for the loss, {@code H = $L}, for samples {@code [lo, hi)} of a batch of {@code n}.\n",
          Identifiers.javadoc(oneLine(network.loss()), false));
    } else {
      method.addJavadoc("The backward pass for samples {@code [lo, hi)} of a batch of {@code n}: their share of every parameter's"
          + " gradient averaged over the batch, {@code ∇C = (1/n) Σ_b ∇H}, added to this lane's gradients (zero before the pass).\n");
    }
    declareInvN(method, body);
    return new PassMethods(method.addCode(body.code.build()).build(), parts, body);
  }

  /** {@code float invN = 1f / n} first, when the body scales by it. */
  private void declareInvN(MethodSpec.Builder method, MethodBody body) {
    if (body.reads(MethodBody.Read.INV_N)) {
      method.addStatement("$L $N = $L / $N", ex.type(), body.name("invN"), ex.literal(1).code(), body.name("n"));
    }
  }

  /** Values per helper method when a pass is long: keeps every method within javac's and the JIT's size limits. */
  static final int VALUES_PER_PART = 32;

  /**
   * The statements of {@code nodes} in {@code body}, or, for a long pass, in calls of private methods of a few layers each,
   * which it returns.
   */
  List<MethodSpec> emitInParts(MethodBody body, List<Node> nodes) {
    if (nodes.size() <= VALUES_PER_PART) {
      emitAll(body, nodes);
      return List.of();
    }
    List<MethodSpec> parts = new ArrayList<>();
    String name = body.pass.partName;
    for (int start = 0; start < nodes.size(); start += VALUES_PER_PART) {
      MethodBody part = new MethodBody(body.pass, names);
      emitAll(part, nodes.subList(start, Math.min(nodes.size(), start + VALUES_PER_PART)));
      MethodSpec.Builder method = MethodSpec.methodBuilder(name + "Part" + (start / VALUES_PER_PART + 1)).addModifiers(Modifier.PRIVATE)
          .addJavadoc("Values $L to $L of the $L pass.\n", start + 1, Math.min(nodes.size(), start + VALUES_PER_PART), name);
      addInputs(method, part);
      declareInvN(method, part);
      MethodSpec built = method.addCode(part.code.build()).build();
      parts.add(built);
      body.readsFromCaller(part);
      body.statement("$L", call(built));
    }
    return parts;
  }

  /** The parameters of a part: what it reads of the inputs, its samples, and (in a pass over a batch) the batch's size. */
  private static void addInputs(MethodSpec.Builder method, MethodBody part) {
    if (part.reads(MethodBody.Read.X)) {
      method.addParameter(float[].class, part.name("x"));
      method.addParameter(int.class, part.name("xOffset"));
    }
    if (part.reads(MethodBody.Read.X_ROWS)) {
      method.addParameter(int[].class, part.name("xRows"));
    }
    if (part.reads(MethodBody.Read.LABELS)) {
      method.addParameter(int[].class, part.name("labels"));
    }
    if (part.reads(MethodBody.Read.TARGETS)) {
      method.addParameter(float[].class, part.name("targets"));
    }
    method.addParameter(int.class, part.name("lo"));
    method.addParameter(int.class, part.name("hi"));
    if (part.pass.ofBatch) {
      method.addParameter(int.class, part.name("n"));
    }
  }

  static String call(MethodSpec method) {
    List<String> args = new ArrayList<>();
    for (ParameterSpec parameter : method.parameters()) {
      args.add(parameter.name());
    }
    return method.name() + "(" + String.join(", ", args) + ")";
  }

  /**
   * {@code predictSamples}: the prediction's values that the forward pass computes too, then {@link #outputAfterForward}'s
   * method for the rest and the output (dropout is the identity in both).
   */
  PassMethods predict() {
    MethodBody body = new MethodBody(Pass.PREDICT, names);
    Set<Node> forward = new HashSet<>(plan.forwardNodes());
    List<MethodSpec> parts = emitInParts(body, plan.predictNodes().stream().filter(forward::contains).toList());
    body.comment("the rest of the output, as after the forward pass");
    body.statement("outputSamples($N, $N, $N, $N, $N)", body.name("x"), body.name("xOffset"), body.name("lo"), body.name("hi"),
        body.name("result"));
    MethodSpec.Builder method = MethodSpec.methodBuilder("predictSamples").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .addJavadoc("Writes {@code $L} for samples {@code [lo, hi)} to {@code result}, $L values per sample.\n",
            Identifiers.javadoc(oneLine(network.output()), false), size(network.output()))
        .addParameter(float[].class, body.name("x")).addParameter(int.class, body.name("xOffset"))
        .addParameter(int.class, body.name("lo"))
        .addParameter(int.class, body.name("hi")).addParameter(float[].class, body.name("result"));
    return new PassMethods(method.addCode(body.code.build()).build(), parts, body);
  }

  /**
   * The output after the forward pass, for an evaluation's one pass over a batch: the values of the prediction
   * pass that the loss did not need (usually none: the output is on the way to the loss), then the copy.
   */
  PassMethods outputAfterForward() {
    MethodBody body = new MethodBody(Pass.OUTPUT, names);
    Set<Node> forward = new HashSet<>(plan.forwardNodes());
    List<MethodSpec> parts = emitInParts(body, plan.predictNodes().stream().filter(node -> !forward.contains(node)).toList());
    writeOutput(body);
    MethodSpec.Builder method = MethodSpec.methodBuilder("outputSamples").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .addJavadoc("Writes {@code $L} for samples {@code [lo, hi)} to {@code result} after the forward pass ran for them.\n",
            Identifiers.javadoc(oneLine(network.output()), false))
        .addParameter(float[].class, body.name("x")).addParameter(int.class, body.name("xOffset"))
        .addParameter(int.class, body.name("lo"))
        .addParameter(int.class, body.name("hi")).addParameter(float[].class, body.name("result"));
    return new PassMethods(method.addCode(body.code.build()).build(), parts, body);
  }

  /** The copy of the output to {@code result}, in float: by the runtime's {@code copyOutput} when it is kept per sample. */
  private void writeOutput(MethodBody body) {
    Node output = network.output();
    body.comment("the output, " + reference(output));
    if (plan.storage(output) == Storage.ARRAY && plan.perSample(output) && output != label) {
      body.statement("copyOutput($N, $L, $N, $N, $N)", arrays.get(output), size(output), body.name("lo"), body.name("hi"),
          body.name("result"));
      return;
    }
    String b = body.batch(true);
    String i = body.index("i", size(output));
    boolean loop = body.loop("i", size(output));
    Ex value = elem(body, output, b, i);
    body.statement("$N[$L] = $L", body.name("result"), Expressions.index(Expressions.times(b, size(output)), i),
        ex.isFloat() ? value.code() : CodeBlock.of("(float) $L", value.at(Expressions.UNARY)));
    body.end(loop);
    body.endBatch();
  }
}
