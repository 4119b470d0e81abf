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

  void emit(MethodBody body, Node node) {
    Op op = node.op();
    statement = node;
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
    String i = size(node) > 1 ? "i" : "0";
    boolean loop = body.loop("i", size(node));
    body.statement(target.at(b, i) + " = " + compute(body, node, b, i).code());
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
    String i = rows > 1 ? "i" : "0";
    String j = columns > 1 ? "j" : "0";
    body.statement(target.at(b, Expressions.index(Expressions.times(j, rows), i)) + " = " + at(body, input, b, i, j).code());
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
    String i = m > 1 ? "i" : "0";
    String k = inner > 1 ? "k" : "0";
    String j = n > 1 ? "j" : "0";
    String b = body.batch(perSample, true);
    boolean scale = accumulate && perSample;
    if (scale) {
      body.readsInvN = true;
    }
    String type = ex.type();
    java.util.function.BiFunction<String, String, String> out = (row, column) ->
        target.at(b, Expressions.index(Expressions.times(row, n), column));
    java.util.function.BiFunction<String, String, Ex> initial = (row, column) -> init == null ? ex.literal(0)
        : elem(body, init, b, operandIndex(init, Expressions.index(Expressions.times(row, n), column)));
    String assign = accumulate ? " += " : " = ";
    if (inner == 1) {
      boolean li = body.loop("i", m);
      Ex left = at(body, a, b, i, "0");
      if (scale) {
        left = ex.mul(Expressions.atom("invN"), left);
      }
      if (n > 1) {
        body.statement(type + " a = " + left.code());
        left = Expressions.atom("a");
      }
      boolean lj = body.loop("j", n);
      Ex value = ex.mul(left, at(body, bNode, b, "0", j));
      body.statement(out.apply(i, j) + assign + (init == null || accumulate ? value : ex.add(initial.apply(i, j), value)).code());
      body.end(lj);
      body.end(li);
    } else if (n > 1 && rowContiguous(bNode)) {
      if (!accumulate) {
        boolean li = body.loop("i", m);
        boolean lj = body.loop("j", n);
        body.statement(out.apply(i, j) + " = " + initial.apply(i, j).code());
        body.end(lj);
        body.end(li);
      }
      boolean li = body.loop("i", m);
      boolean lk = body.loop("k", inner);
      Ex left = at(body, a, b, i, k);
      body.statement(type + " a = " + (scale ? ex.mul(Expressions.atom("invN"), left) : left).code());
      boolean lj = body.loop("j", n);
      body.statement(out.apply(i, j) + " += a * " + at(body, bNode, b, k, j).at(Expressions.UNARY));
      body.end(lj);
      body.end(lk);
      body.end(li);
    } else if (!(rowContiguous(a) && columnContiguous(bNode)) && n == 1 && m > 1 && columnContiguous(a)) {
      if (!accumulate) {
        boolean li = body.loop("i", m);
        body.statement(out.apply(i, "0") + " = " + initial.apply(i, "0").code());
        body.end(li);
      }
      boolean lk = body.loop("k", inner);
      Ex right = at(body, bNode, b, k, "0");
      body.statement(type + " d = " + (scale ? ex.mul(Expressions.atom("invN"), right) : right).code());
      boolean li = body.loop("i", m);
      body.statement(out.apply(i, "0") + " += " + ex.mul(at(body, a, b, i, k), Expressions.atom("d")).code());
      body.end(li);
      body.end(lk);
    } else {
      boolean li = body.loop("i", m);
      boolean lj = body.loop("j", n);
      body.statement(type + " sum = " + (accumulate ? ex.literal(0) : initial.apply(i, j)).code());
      boolean lk = body.loop("k", inner);
      body.statement("sum += " + ex.mul(at(body, a, b, i, k), at(body, bNode, b, k, j)).code());
      body.end(lk);
      body.statement(out.apply(i, j) + assign + (scale ? "invN * sum" : "sum"));
      body.end(lj);
      body.end(li);
    }
    body.endBatch();
  }

  void softmax(MethodBody body, Node node) {
    boolean log = node.is(Structural.LOGSOFTMAX);
    Target target = arrayTarget(node);
    String type = ex.type();
    String b = body.batch(plan.perSample(node), true);
    String i = size(node) > 1 ? "i" : "0";
    String o = target.at(b, i);
    body.statement(type + " max = " + ex.literal(Double.NEGATIVE_INFINITY).code());
    boolean l1 = body.loop("i", size(node));
    body.statement(o + " = " + elem(body, node.input(0), b, i).code());
    body.statement("max = " + ex.exact("max", Expressions.atom("max"), Expressions.atom(o)).code());
    body.end(l1);
    body.statement(type + " sum = " + ex.literal(0).code());
    boolean l2 = body.loop("i", size(node));
    Ex shifted = ex.sub(Expressions.atom(o), Expressions.atom("max"));
    if (log) {
      body.statement("sum += " + ex.math("exp", shifted).code());
    } else {
      body.statement(o + " = " + ex.math("exp", shifted).code());
      body.statement("sum += " + o);
    }
    body.end(l2);
    if (log) {
      body.statement(type + " logSum = " + ex.add(Expressions.atom("max"), ex.math("log", Expressions.atom("sum"))).code());
    }
    boolean l3 = body.loop("i", size(node));
    body.statement(o + (log ? " -= logSum" : " /= sum"));
    body.end(l3);
    body.endBatch();
  }

  void reduce(MethodBody body, Node node) {
    Node input = node.input(0);
    Target target = arrayTarget(node);
    String b = body.batch(plan.perSample(node), true);
    String i = size(input) > 1 ? "i" : "0";
    body.statement(ex.type() + " sum = " + ex.literal(0).code());
    boolean loop = body.loop("i", size(input));
    body.statement("sum += " + elem(body, input, b, i).code());
    body.end(loop);
    Ex sum = Expressions.atom("sum");
    body.statement(target.at(b, "0") + " = " + (node.is(Structural.MEAN) ? ex.div(sum, ex.literal(size(input))) : sum).code());
    body.endBatch();
  }

  void loss(MethodBody body, Node node, Loss loss) {
    Node prediction = node.input(0);
    Node truth = node.input(1);
    Target target = arrayTarget(node);
    String type = ex.type();
    String b = body.batch(plan.perSample(node), true);
    int size = size(prediction);
    String i = size > 1 ? "i" : "0";
    boolean oneHot = truth == label;
    switch (loss) {
      case CROSS_ENTROPY -> {
        body.statement(type + " max = " + ex.literal(Double.NEGATIVE_INFINITY).code());
        boolean l1 = body.loop("i", size);
        body.statement("max = " + ex.exact("max", Expressions.atom("max"), elem(body, prediction, b, i)).code());
        body.end(l1);
        body.statement(type + " sum = " + ex.literal(0).code());
        boolean l2 = body.loop("i", size);
        body.statement("sum += " + ex.math("exp", ex.sub(elem(body, prediction, b, i), Expressions.atom("max"))).code());
        body.end(l2);
        Ex logSumExp = ex.add(Expressions.atom("max"), ex.math("log", Expressions.atom("sum")));
        body.statement(target.at(b, "0") + " = " + ex.sub(logSumExp, picked(body, prediction, truth, b, oneHot)).code());
      }
      case NLL -> body.statement(target.at(b, "0") + " = " + ex.neg(picked(body, prediction, truth, b, oneHot)).code());
      case BCE -> {
        body.statement(type + " sum = " + ex.literal(0).code());
        boolean loop = body.loop("i", size);
        body.statement(type + " p = " + elem(body, prediction, b, i).code());
        body.statement(type + " t = " + elem(body, truth, b, operandIndex(truth, i)).code());
        Ex floor = ex.literal(-100);
        Ex logP = ex.exact("max", ex.math("log", Expressions.atom("p")), floor);
        Ex logQ = ex.exact("max", ex.math("log1p", Expressions.atom("-p")), floor);
        Ex one = ex.literal(1);
        body.statement("sum -= " + ex.add(ex.mul(Expressions.atom("t"), logP),
            ex.mul(ex.sub(one, Expressions.atom("t")), logQ)).code());
        body.end(loop);
        body.statement(target.at(b, "0") + " = " + ex.div(Expressions.atom("sum"), ex.literal(size)).code());
      }
      case MSE -> {
        body.statement(type + " sum = " + ex.literal(0).code());
        boolean loop = body.loop("i", size);
        body.statement(type + " d = " + ex.sub(elem(body, prediction, b, i), elem(body, truth, b, operandIndex(truth, i))).code());
        body.statement("sum += d * d");
        body.end(loop);
        body.statement(target.at(b, "0") + " = " + ex.div(Expressions.atom("sum"), ex.literal(size)).code());
      }
    }
    body.endBatch();
  }

  /** {@code Σ t ⊙ v}: for a one-hot label, the one element {@code v[label]}. */
  Ex picked(MethodBody body, Node values, Node truth, String b, boolean oneHot) {
    if (oneHot && b != null) {
      body.readsLabels = true;
      return elem(body, values, b, "labels[b]");
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
        body.open("if (lo == 0)");
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
    String b = body.batch(perSample);
    String i = size(node) > 1 ? "i" : "0";
    boolean loop = body.loop("i", size(node));
    Ex value = elem(body, node, b, i);
    if (perSample) {
      body.readsInvN = true;
      body.statement(target.at(b, i) + " += " + ex.mul(Expressions.atom("invN"), value).code());
    } else {
      body.statement(target.at(b, i) + (term ? " += " : " = ") + value.code());
    }
    body.end(loop);
    body.endBatch();
  }

  /** A private pass: the statements of {@code nodes}, reading only what they need. */
  MethodSpec pass(String name, List<Node> nodes, boolean forward) {
    MethodBody body = new MethodBody();
    if (forward && oneHot) {
      String array = arrays.get(label);
      int classes = size(label);
      body.comment("t = onehot(" + Network.leafName(label) + ")");
      body.open("for (int b = lo; b < hi; b++)");
      body.code.addStatement("$T.fill($L, b * $L, (b + 1) * $L, $L)", ARRAYS, array, classes, classes, ex.literal(0).code());
      body.statement(array + "[b * " + classes + " + labels[b]] = " + ex.literal(1).code());
      body.close();
      body.readsLabels = true;
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
    emitInParts(body, name, nodes);
    for (Map.Entry<Node, List<Node>> entry : late.entrySet()) {
      for (Node parameter : entry.getValue()) {
        accumulate(body, entry.getKey(), parameter);
      }
    }
    MethodSpec.Builder method = MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
        .addParameter(float[].class, "x").addParameter(int[].class, "labels").addParameter(float[].class, "targets")
        .addParameter(int.class, "lo").addParameter(int.class, "hi").addParameter(int.class, "n");
    CodeBlock.Builder code = CodeBlock.builder();
    if (forward) {
      method.addJavadoc("The forward pass for the loss, {@code H = $L}, for samples {@code [lo, hi)} of a batch of {@code n}.\n",
          Identifiers.javadoc(oneLine(network.loss()), false));
      if (body.readsInvN) {
        code.addStatement("$L invN = $L / n", ex.type(), ex.literal(1).code());
      }
      code.add(body.code.build());
    } else {
      method.addJavadoc("The backward pass for samples {@code [lo, hi)} of a batch of {@code n}: their share of every parameter's"
          + " gradient averaged over the batch, {@code ∇C = (1/n) Σ_b ∇H}, added to this lane's gradients (zero before the pass).\n");
      if (body.readsInvN) {
        code.addStatement("$L invN = $L / n", ex.type(), ex.literal(1).code());
      }
      code.add(body.code.build());
    }
    return method.addCode(code.build()).build();
  }

  /** Values per helper method when a pass is long: keeps every method within javac's and the JIT's size limits. */
  static final int VALUES_PER_PART = 32;

  final List<MethodSpec> parts = new ArrayList<>();

  /** The statements of {@code nodes} in {@code body}, or, for a long pass, in calls of private methods of a few layers each. */
  void emitInParts(MethodBody body, String name, List<Node> nodes) {
    if (nodes.size() <= VALUES_PER_PART) {
      emitAll(body, nodes);
      return;
    }
    for (int start = 0; start < nodes.size(); start += VALUES_PER_PART) {
      MethodBody part = new MethodBody();
      emitAll(part, nodes.subList(start, Math.min(nodes.size(), start + VALUES_PER_PART)));
      MethodSpec.Builder method = MethodSpec.methodBuilder(name + "Part" + (start / VALUES_PER_PART + 1)).addModifiers(Modifier.PRIVATE)
          .addJavadoc("Values $L to $L of the $L pass.\n", start + 1, Math.min(nodes.size(), start + VALUES_PER_PART), name);
      // predictSamples and outputSamples have no batch size: only the passes of a batch hand theirs on.
      addInputs(method, part, !name.equals("predict") && !name.equals("output"));
      if (part.readsInvN) {
        method.addStatement("$L invN = $L / n", ex.type(), ex.literal(1).code());
      }
      MethodSpec built = method.addCode(part.code.build()).build();
      parts.add(built);
      body.readsX |= part.readsX;
      body.readsLabels |= part.readsLabels;
      body.readsTargets |= part.readsTargets;
      body.statement(call(built));
    }
  }

  void addInputs(MethodSpec.Builder method, MethodBody body, boolean batchSize) {
    Set<String> parameters = parametersOf(body);
    if (parameters.contains("x")) {
      method.addParameter(float[].class, "x");
    }
    if (parameters.contains("labels")) {
      method.addParameter(int[].class, "labels");
    }
    if (parameters.contains("targets")) {
      method.addParameter(float[].class, "targets");
    }
    method.addParameter(int.class, "lo");
    method.addParameter(int.class, "hi");
    if (batchSize) {
      method.addParameter(int.class, "n");
    }
  }

  Set<String> parametersOf(MethodBody body) {
    Set<String> parameters = new java.util.LinkedHashSet<>();
    if (body.readsX) {
      parameters.add("x");
    }
    if (body.readsLabels) {
      parameters.add("labels");
    }
    if (body.readsTargets) {
      parameters.add("targets");
    }
    return parameters;
  }

  static String call(MethodSpec method) {
    List<String> args = new ArrayList<>();
    for (ParameterSpec parameter : method.parameters()) {
      args.add(parameter.name());
    }
    return method.name() + "(" + String.join(", ", args) + ")";
  }

  MethodSpec predict() {
    MethodBody body = new MethodBody();
    predicting = true;
    emitInParts(body, "predict", plan.predictNodes());
    predicting = false;
    writeOutput(body);
    MethodSpec.Builder method = MethodSpec.methodBuilder("predictSamples").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .addJavadoc("Writes {@code $L} for samples {@code [lo, hi)} to {@code result}, $L values per sample.\n",
            Identifiers.javadoc(oneLine(network.output()), false), size(network.output()))
        .addParameter(float[].class, "x").addParameter(int.class, "lo").addParameter(int.class, "hi")
        .addParameter(float[].class, "result");
    return method.addCode(body.code.build()).build();
  }

  /**
   * The output after the forward pass, for an evaluation's one pass over a batch: the values of the prediction
   * pass that the loss did not need (usually none: the output is on the way to the loss), then the copy.
   */
  MethodSpec outputAfterForward() {
    MethodBody body = new MethodBody();
    Set<Node> forward = new HashSet<>(plan.forwardNodes());
    predicting = true; // an evaluation predicts: dropout is the identity
    emitInParts(body, "output", plan.predictNodes().stream().filter(node -> !forward.contains(node)).toList());
    predicting = false;
    writeOutput(body);
    MethodSpec.Builder method = MethodSpec.methodBuilder("outputSamples").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .addJavadoc("Writes {@code $L} for samples {@code [lo, hi)} to {@code result} after the forward pass ran for them.\n",
            Identifiers.javadoc(oneLine(network.output()), false))
        .addParameter(float[].class, "x").addParameter(int.class, "lo").addParameter(int.class, "hi")
        .addParameter(float[].class, "result");
    return method.addCode(body.code.build()).build();
  }

  /** The copy of the output to {@code result}, in float. */
  private void writeOutput(MethodBody body) {
    Node output = network.output();
    body.comment("the output, " + reference(output));
    String b = body.batch(true);
    String i = size(output) > 1 ? "i" : "0";
    boolean loop = body.loop("i", size(output));
    Ex value = elem(body, output, b, i);
    body.statement("result[" + Expressions.index(Expressions.times(b, size(output)), i) + "] = "
        + (ex.isFloat() ? value.code() : "(float) " + value.at(Expressions.UNARY)));
    body.end(loop);
    body.endBatch();
  }
}
