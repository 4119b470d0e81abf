package dev.nabla.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.codegen.Expressions.Ex;
import dev.nabla.codegen.Plan.Storage;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Numbers;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Writes the Java class that trains a network: the only class that knows JavaPoet.
 *
 * <p>The class holds one flat row-major array per parameter, per gradient and per stored value;
 * values of one sample are batch-major (sample {@code b}'s vector of {@code m} at {@code [b m, (b+1) m)}).
 * Each value of the gradient graph is emitted once, forward and backward alike, as loops with constant
 * bounds whose innermost loop runs over contiguous memory; nothing is allocated per step.
 */
public final class JavaWriter {

  /**
   * Simple names the generated code reads without qualification: the types it refers to, whose names a
   * field must not shadow. The model's class may take any of them; JavaPoet and {@link Expressions}
   * then qualify the type.
   */
  static final Set<String> TYPES_USED = Set.of("Math", "Arrays", "SplittableRandom", "Initializers", "ModelInfo",
      "List", "String", "Override", "Float", "Double", "Integer", "Object", "FloatNetwork", "DoubleNetwork", "Parameter",
      "Precision", "Labels", "Test", "Assertions");

  /** The locals and parameters the generated methods declare: a field named like one would be shadowed by it. */
  private static final List<String> LOCALS = List.of("b", "i", "j", "k", "n", "x", "labels", "targets", "result",
      "seed", "random", "sum", "max", "a", "d", "p", "t", "invN", "logSum", "maxBatch", "threads", "owner", "parameter",
      "lo", "hi", "SPEC_HASH", "INFO", "DEFAULT_MAX_BATCH");

  private static final ClassName MODEL_INFO = ClassName.get("dev.nabla.runtime", "ModelInfo");
  private static final ClassName INITIALIZERS = ClassName.get("dev.nabla.runtime", "Initializers");
  private static final ClassName FLOAT_NETWORK = ClassName.get("dev.nabla.runtime", "FloatNetwork");
  private static final ClassName DOUBLE_NETWORK = ClassName.get("dev.nabla.runtime", "DoubleNetwork");
  private static final ClassName SPLITTABLE_RANDOM = ClassName.get("java.util", "SplittableRandom");
  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  private static final ClassName LIST = ClassName.get("java.util", "List");
  private static final int DEFAULT_MAX_BATCH = 64;

  private final Network network;
  private final CodegenOptions options;
  private final Plan plan;
  private final Expressions ex;
  private final String className;
  private final NameAllocator names = new NameAllocator();
  private final Set<String> taken = new HashSet<>();
  private final Map<Node, String> baseNames = new IdentityHashMap<>();
  private final Map<Node, String> arrays = new IdentityHashMap<>();
  private final Map<Node, String> gradientArrays = new IdentityHashMap<>();
  private final Map<Node, Node> adjointOwners;
  private final Node label;
  private final Node target;
  private final Map<Node, Integer> inputOffsets = new IdentityHashMap<>();
  private final int inputSize;
  /** Whether a pass reads the labels as one-hot rows, which the forward pass then fills. */
  private final boolean oneHot;
  /**
   * The most arrays a generated class declares: each is a field initialized in the constructor, and
   * about 6,000 of them fill the constructor's 64 KiB (measured: 6,004 compile, 9,004 do not).
   */
  static final int MAX_STORED_VALUES = 5_000;

  /** In a double model, the field holding the inputs widened to double, which its passes read instead of {@code x}. */
  private final String inputs;
  /** Whether any pass reads the inputs. */
  private boolean readsInputs;

  private JavaWriter(Network network, Gradients gradients, CodegenOptions options) {
    this.network = network;
    this.options = options;
    this.className = Identifiers.checkClassName(network.name());
    for (Node node : network.graph().nodes()) {
      if (!node.shape().isKnown()) {
        throw new IllegalArgumentException("cannot generate Java for " + network.name() + ": the shape of "
            + describe(node) + " is " + node.shape() + "; give every dimension a size");
      }
    }
    if (network.label().isPresent() && network.target().isPresent()) {
      throw new IllegalArgumentException("a model takes a class label or a target, not both");
    }
    this.plan = new Plan(network, gradients);
    int stored = plan.arrays().size() + 2 * network.parameters().size();
    if (stored > MAX_STORED_VALUES) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s keeps %,d values in arrays of their own, more than the %,d one generated class can hold (javac limits a"
              + " constructor to 64 KiB of code and a class to 65,535 constants); split the network into smaller specs",
          network.name(), stored, MAX_STORED_VALUES));
    }
    this.ex = new Expressions(options.precision(), className);
    this.label = network.label().orElse(null);
    this.target = network.target().orElse(null);
    this.adjointOwners = plan.adjointOwners();
    int offset = 0;
    for (Node input : network.inputs()) {
      inputOffsets.put(input, offset);
      offset = Math.addExact(offset, size(input));
    }
    this.inputSize = offset;
    for (String reserved : LOCALS) {
      names.newName(reserved, "reserved:" + reserved);
      taken.add(reserved);
    }
    for (String type : new java.util.TreeSet<>(TYPES_USED)) {
      names.newName(type, "type:" + type);
      taken.add(type);
    }
    taken.add(className);
    names.newName(className, "class");
    for (Node parameter : network.parameters()) {
      arrays.put(parameter, allocate(Network.leafName(parameter)));
    }
    for (Node parameter : network.parameters()) {
      gradientArrays.put(parameter, allocate("d" + arrays.get(parameter)));
    }
    this.inputs = options.precision() == Precision.DOUBLE ? allocate("inputs") : "x";
    this.oneHot = label != null && readsOneHot();
    if (oneHot) {
      arrays.put(label, allocate(lowerFirst(Network.leafName(label))));
    }
    for (Node node : plan.arrays()) {
      String base = baseName(node, new HashSet<>());
      boolean named = network.names().containsKey(node);
      arrays.put(node, allocate(named && plan.perSample(node) ? lowerFirst(base) : base));
    }
  }

  /** The class that trains {@code network}, with the gradients derived for its parameters. */
  public static JavaFile write(Network network, Gradients gradients, CodegenOptions options) {
    return new JavaWriter(network, gradients, options).writeModel();
  }

  /** The class and, if {@code options.withTests()}, its gradient-check test. */
  public static List<JavaFile> writeAll(Network network, Gradients gradients, CodegenOptions options) {
    JavaWriter writer = new JavaWriter(network, gradients, options);
    List<JavaFile> files = new ArrayList<>();
    files.add(writer.writeModel());
    if (options.withTests()) {
      files.add(GradientTestWriter.write(writer.className, options, network));
    }
    return files;
  }

  /** SHA-256 of the spec's canonical text, in hex: what checkpoints are matched against. */
  public static String specHash(Network network) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(network.canonicalText().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  // ---- names ----

  /** The next suffix to try per base name, so that naming thousands of values stays linear. */
  private final Map<String, Integer> nextSuffix = new HashMap<>();

  private String allocate(String suggestion) {
    String base = Identifiers.toAscii(suggestion);
    String name = base;
    int suffix = nextSuffix.getOrDefault(base, 2);
    while (taken.contains(name) || javax.lang.model.SourceVersion.isKeyword(name)) {
      name = base + suffix++;
    }
    nextSuffix.put(base, suffix);
    taken.add(name);
    String allocated = names.newName(name, new Object());
    taken.add(allocated);
    return allocated;
  }

  private static String capitalize(String name) {
    return name.isEmpty() ? name : name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
  }

  private static String lowerFirst(String name) {
    return name.isEmpty() ? name : name.substring(0, 1).toLowerCase(Locale.ROOT) + name.substring(1);
  }

  /** A short name for a value: the spec's, {@code dZ1} for an adjoint, or its role ({@code z2}, {@code softmax}). */
  private String baseName(Node node, Set<Node> visiting) {
    String known = baseNames.get(node);
    if (known != null) {
      return known;
    }
    String name;
    if (node.op() instanceof Op.Leaf leaf) {
      name = arrays.containsKey(node) ? arrays.get(node) : leaf.name();
    } else if (network.names().containsKey(node)) {
      name = network.names().get(node);
    } else if (adjointOwners.containsKey(node) && visiting.add(node)) {
      Node owner = adjointOwners.get(node);
      name = "d" + capitalize(arrays.containsKey(owner) ? arrays.get(owner) : baseName(owner, visiting));
    } else if ((node.is(Binary.ADD) || node.is(Binary.SUB)) && node.inputs().stream().anyMatch(in -> in.is(Structural.MATMUL))) {
      int layer = 1;
      for (Node other : network.graph().nodes()) {
        if (other == node) {
          break;
        }
        if ((other.is(Binary.ADD) || other.is(Binary.SUB)) && other.inputs().stream().anyMatch(in -> in.is(Structural.MATMUL))) {
          layer++;
        }
      }
      name = "z" + layer;
    } else {
      name = role(node);
    }
    baseNames.put(node, name);
    return name;
  }

  private static String role(Node node) {
    Op op = node.op();
    if (op instanceof Unary unary) {
      return unary == Unary.NEG ? "negated" : unary.toString();
    }
    if (op instanceof Binary binary) {
      return switch (binary) {
        case ADD -> "added";
        case SUB -> "difference";
        case MUL -> "product";
        case DIV -> "quotient";
      };
    }
    if (op instanceof Op.Power) {
      return "power";
    }
    if (op instanceof Loss) {
      return "loss";
    }
    if (op instanceof Structural structural) {
      return switch (structural) {
        case MATMUL -> "matmul";
        case TRANSPOSE -> "transposed";
        case SOFTMAX -> "softmax";
        case LOGSOFTMAX -> "logsoftmax";
        case SUM -> "summed";
        case MEAN -> "mean";
      };
    }
    return "value";
  }

  // ---- sizes ----

  private int size(Node node) {
    return Math.toIntExact(node.shape().size());
  }

  private static int rows(Node node) {
    return (int) node.shape().rows().size();
  }

  private static int columns(Node node) {
    return (int) node.shape().columns().size();
  }

  private TypeName scalarType() {
    return options.precision() == Precision.FLOAT ? TypeName.FLOAT : TypeName.DOUBLE;
  }

  private TypeName arrayType() {
    return ArrayTypeName.of(scalarType());
  }

  private boolean hasLabels() {
    return label != null;
  }

  /** Values kept per batch row: every per-sample array. */
  private int activationsPerSample() {
    int total = 0;
    for (Node node : arrays.keySet()) {
      if (!node.isLeaf() || node == label) {
        if (plan.perSample(node)) {
          total = Math.addExact(total, size(node));
        }
      }
    }
    return total;
  }

  private long parameterCount() {
    long total = 0;
    for (Node parameter : network.parameters()) {
      total += size(parameter);
    }
    return total;
  }

  // ---- method bodies ----

  /** A method body being written, with what it reads from its caller. */
  private final class Body {
    final CodeBlock.Builder code = CodeBlock.builder();
    boolean readsX;
    boolean readsLabels;
    boolean readsTargets;
    boolean readsInvN;
    final java.util.ArrayDeque<Boolean> scopes = new java.util.ArrayDeque<>();

    void statement(String text) {
      code.addStatement("$L", text);
    }

    void open(String text) {
      code.beginControlFlow("$L", text);
    }

    void close() {
      code.endControlFlow();
    }

    /** Ends the open {@code if} block and opens its {@code else}. */
    void otherwise() {
      code.nextControlFlow("else");
    }

    void comment(String text) {
      code.add("// $L\n", Identifiers.comment(text));
    }

    /** {@code for (int v = 0; v < size; v++)}, or nothing for a dimension of 1. */
    boolean loop(String variable, long size) {
      if (size <= 1) {
        return false;
      }
      open("for (int " + variable + " = 0; " + variable + " < " + size + "; " + variable + "++)");
      return true;
    }

    void end(boolean opened) {
      if (opened) {
        close();
      }
    }

    /** The batch loop around a per-sample value's code; {@code null} when the value is shared. */
    String batch(boolean perSample) {
      return batch(perSample, false);
    }

    /** As {@link #batch(boolean)}; a shared value whose code declares locals gets a block of its own. */
    String batch(boolean perSample, boolean scoped) {
      scopes.push(perSample || scoped);
      if (!perSample) {
        if (scoped) {
          code.add("{\n$>");
        }
        return null;
      }
      open("for (int b = lo; b < hi; b++)");
      return "b";
    }

    void endBatch() {
      if (scopes.pop()) {
        close();
      }
    }
  }

  /**
   * A value of the {@code float[]} batch the API takes, in the class's arithmetic: a double class
   * reads it as {@code (double) x[i]}, or {@code x[i] * x[j]} would be a float product.
   */
  private Ex widened(String floatElement) {
    return Expressions.atom(options.precision() == CodegenOptions.Precision.DOUBLE ? "(double) " + floatElement : floatElement);
  }

  /** Element {@code index} (within one sample) of {@code node}, for sample {@code b}. */
  private Ex elem(Body body, Node node, String b, String index) {
    Op op = node.op();
    Storage storage = plan.storage(node);
    if (op instanceof Op.Leaf leaf) {
      switch (leaf.kind()) {
        case INPUT -> {
          body.readsX = true;
          return Expressions.atom(inputArray() + "[" + Expressions.index(Expressions.times(b, inputSize), offsetOf(node), index) + "]");
        }
        case TARGET -> {
          body.readsTargets = true;
          return widened("targets[" + Expressions.index(Expressions.times(b, size(node)), index) + "]");
        }
        case LABEL -> {
          return Expressions.atom(arrays.get(node) + "[" + Expressions.index(Expressions.times(b, size(node)), index) + "]");
        }
        case PARAM -> {
          return Expressions.atom(arrays.get(node) + "[" + index + "]");
        }
      }
    }
    if (op instanceof Op.Constant constant) {
      return ex.literal(constant.value());
    }
    if (op instanceof Op.Size sized) {
      return ex.literal(sized.of().size());
    }
    if (op instanceof Op.Broadcast && storage != Storage.ARRAY) {
      return elem(body, node.input(0), b, "0");
    }
    return switch (storage) {
      case ARRAY -> Expressions.atom(arrays.get(node) + "[" + Expressions.index(
          plan.perSample(node) ? Expressions.times(b, size(node)) : null, index) + "]");
      case VIEW -> elem(body, node.input(0), b, index);
      case INLINE, GRADIENT -> compute(body, node, b, index);
      default -> throw new IllegalStateException("no element access for " + node);
    };
  }

  /** The array the passes read the inputs from: {@code x}, or in a double model its widened copy. */
  private String inputArray() {
    readsInputs = true;
    return inputs;
  }

  private String offsetOf(Node input) {
    int offset = inputOffsets.get(input);
    return offset == 0 ? null : Integer.toString(offset);
  }

  /** Element (i, j) of {@code node} seen as a matrix (a vector is a column, a scalar 1×1). */
  private Ex at(Body body, Node node, String b, String i, String j) {
    if (node.is(Structural.TRANSPOSE) && plan.storage(node) == Storage.VIEW) {
      return at(body, node.input(0), b, j, i);
    }
    return elem(body, node, b, Expressions.index(Expressions.times(i, columns(node)), j));
  }

  /** Whether moving along a row of {@code node} (its column index) reads consecutive memory. */
  private boolean rowContiguous(Node node) {
    if (node.is(Structural.TRANSPOSE) && plan.storage(node) == Storage.VIEW) {
      return columns(node.input(0)) == 1 || rows(node.input(0)) == 1 ? true : columnContiguous(node.input(0));
    }
    return true;
  }

  /** Whether moving down a column of {@code node} (its row index) reads consecutive memory. */
  private boolean columnContiguous(Node node) {
    if (node.is(Structural.TRANSPOSE) && plan.storage(node) == Storage.VIEW) {
      return rowContiguous(node.input(0));
    }
    return columns(node) == 1 || !isStored(node);
  }

  private boolean isStored(Node node) {
    Storage storage = plan.storage(node);
    return storage == Storage.ARRAY || storage == Storage.LEAF || storage == Storage.VIEW;
  }

  /** The value of an elementwise node from its operands' elements. */
  private Ex compute(Body body, Node node, String b, String index) {
    Op op = node.op();
    if (op instanceof Op.Broadcast) {
      return elem(body, node.input(0), b, "0");
    }
    if (op instanceof Op.Power power) {
      Ex x = elem(body, node.input(0), b, operandIndex(node.input(0), index));
      return power.exponent() == 2 ? ex.mul(x, x) : ex.math("pow", x, ex.literal(power.exponent()));
    }
    if (op instanceof Unary unary) {
      Ex x = elem(body, node.input(0), b, operandIndex(node.input(0), index));
      Ex zero = ex.literal(0);
      Ex one = ex.literal(1);
      return switch (unary) {
        case NEG -> ex.neg(x);
        case RELU -> ex.exact("max", x, zero);
        case SIGMOID -> ex.div(one, ex.add(one, ex.math("exp", ex.neg(x))));
        case TANH -> ex.math("tanh", x);
        case EXP -> ex.math("exp", x);
        case LOG -> ex.math("log", x);
        case SOFTPLUS -> ex.add(ex.exact("max", x, zero),
            ex.math("log1p", Expressions.atom(ex.mathType() + ".exp(-" + ex.mathType() + ".abs(" + x.code() + "))")));
        case STEP -> ex.conditional(x.at(Expressions.ADDITIVE) + " >= 0", one, zero);
      };
    }
    if (op instanceof Binary binary) {
      Ex left = elem(body, node.input(0), b, operandIndex(node.input(0), index));
      Ex right = elem(body, node.input(1), b, operandIndex(node.input(1), index));
      return switch (binary) {
        case ADD -> ex.add(left, right);
        case SUB -> ex.sub(left, right);
        case MUL -> ex.mul(left, right);
        case DIV -> ex.div(left, right);
      };
    }
    throw new IllegalStateException("not elementwise: " + node);
  }

  private static String operandIndex(Node operand, String index) {
    return operand.shape().isScalar() ? "0" : index;
  }

  // ---- emitting values ----

  /** Where a value is written: {@code target(b, index)}. */
  private interface Target {
    String at(String b, String index);
  }

  private Target arrayTarget(Node node) {
    String array = arrays.get(node);
    int size = size(node);
    boolean perSample = plan.perSample(node);
    return (b, index) -> array + "[" + Expressions.index(perSample ? Expressions.times(b, size) : null, index) + "]";
  }

  /** Emits {@code nodes} in order. */
  private void emitAll(Body body, List<Node> nodes) {
    for (Node node : nodes) {
      emit(body, node);
    }
  }

  private void emit(Body body, Node node) {
    Op op = node.op();
    if (plan.storage(node) == Storage.GRADIENT) {
      for (Node parameter : plan.gradientOf.get(node)) {
        accumulate(body, node, parameter);
      }
      return;
    }
    body.comment(describe(node));
    Node fused = plan.fusedProduct.get(node);
    if (fused != null) {
      Node bias = node.input(0) == fused ? node.input(1) : node.input(0);
      if (!denseCall(body, node, fused, bias)) {
        matmul(body, fused, bias, arrayTarget(node), false, plan.perSample(node));
      }
    } else if (op == Structural.MATMUL && (denseCall(body, node, node, null) || transposedCall(body, node))) {
      // written by the kernel
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
    } else {
      elementwise(body, node);
    }
    for (Node parameter : plan.gradientOf.getOrDefault(node, List.of())) {
      accumulate(body, node, parameter);
    }
  }

  private void elementwise(Body body, Node node) {
    Target target = arrayTarget(node);
    String b = body.batch(plan.perSample(node));
    String i = size(node) > 1 ? "i" : "0";
    boolean loop = body.loop("i", size(node));
    body.statement(target.at(b, i) + " = " + compute(body, node, b, i).code());
    body.end(loop);
    body.endBatch();
  }

  private void transpose(Body body, Node node) {
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
  private void matmul(Body body, Node product, Node init, Target target, boolean accumulate, boolean perSample) {
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

  private void softmax(Body body, Node node) {
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

  private void reduce(Body body, Node node) {
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

  private void loss(Body body, Node node, Loss loss) {
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
  private Ex picked(Body body, Node values, Node truth, String b, boolean oneHot) {
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
  private void accumulate(Body body, Node node, Node parameter) {
    if (plan.isZero(node)) {
      return;
    }
    String gradient = gradientArrays.get(parameter);
    Target target = (b, index) -> gradient + "[" + index + "]";
    body.comment(gradient + " = ∂C/∂" + Network.leafName(parameter) + " = (1/n) Σ_b " + formula(node, false)
        + position(parameter));
    boolean perSample = plan.perSample(node);
    if (plan.storage(node) == Storage.GRADIENT && node.is(Structural.MATMUL)) {
      if (weightGradientCall(body, node, parameter)) {
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
      body.statement(target.at(b, i) + " = " + value.code());
    }
    body.end(loop);
    body.endBatch();
  }

  // ---- comments ----

  private String position(Node node) {
    Node source = node;
    if (!source.span().isKnown() && adjointOwners.containsKey(node)) {
      source = adjointOwners.get(node);
    }
    return source.span().isKnown() ? "   [" + source.span().position() + "]" : "";
  }

  /** {@code z1 = W1 X + b1}, {@code dZ1 = ∂H/∂z1 = dY1 ⊙ 1{z1 ≥ 0}}: what a statement computes, and where from. */
  private String describe(Node node) {
    String name = arrays.containsKey(node) ? arrays.get(node) : baseNames.getOrDefault(node, role(node));
    Node owner = adjointOwners.get(node);
    String chain = owner != null && !owner.isLeaf() ? "∂H/∂" + reference(owner) + " = " : "";
    if (plan.storage(node) == Storage.GRADIENT) {
      return formula(node, true) + position(node);
    }
    return name + " = " + chain + formula(node, true) + position(node);
  }

  private String reference(Node node) {
    if (arrays.containsKey(node) && node != label) {
      return arrays.get(node);
    }
    if (node.op() instanceof Op.Leaf leaf) {
      return leaf.kind() == Op.Leaf.Kind.LABEL ? "onehot(" + leaf.name() + ")" : leaf.name();
    }
    return baseNames.containsKey(node) ? baseNames.get(node) : formula(node, false);
  }

  /** The node's formula, operands by name; values without a name of their own are written out. */
  private String formula(Node node, boolean top) {
    String text = formulaOf(node, top, 0);
    return text.length() > 300 ? text.substring(0, 297) + "..." : text;
  }

  private String formulaOf(Node node, boolean top, int depth) {
    Op op = node.op();
    if (!top) {
      Storage storage = plan.storage(node);
      boolean named = storage == Storage.ARRAY || storage == Storage.LEAF;
      if (op instanceof Op.Leaf leaf) {
        return leaf.kind() == Op.Leaf.Kind.LABEL ? "t" : leaf.name();
      }
      if (named) {
        return arrays.get(node);
      }
      if (op instanceof Op.Constant constant) {
        return Numbers.format(constant.value());
      }
      if (op instanceof Op.Size sized) {
        return Long.toString(sized.of().size());
      }
      if (depth > 12) {
        return "…";
      }
    }
    List<String> in = new ArrayList<>();
    for (int k = 0; k < node.inputs().size(); k++) {
      Node input = node.input(k);
      String text = formulaOf(input, false, depth + 1);
      Storage storage = plan.storage(input);
      boolean written = !input.isLeaf() && storage != Storage.ARRAY && storage != Storage.CONSTANT;
      int inner = written ? precedence(input.op()) : 6;
      boolean operator = op instanceof Binary || op == Structural.MATMUL || op == Unary.NEG
          || op == Structural.TRANSPOSE || op instanceof Op.Power;
      int outer = operator ? precedence(op) : 0;
      boolean right = k == 1 && (op == Binary.SUB || op == Binary.DIV || op == Structural.MATMUL);
      in.add(inner < outer || (right && inner == outer) ? "(" + text + ")" : text);
    }
    if (op instanceof Op.Broadcast) {
      return in.get(0);
    }
    if (op instanceof Op.Power power) {
      return in.get(0) + "^" + Numbers.format(power.exponent());
    }
    if (op instanceof Unary unary) {
      return switch (unary) {
        case NEG -> "−" + in.get(0);
        case STEP -> "1{" + in.get(0) + " ≥ 0}";
        default -> unary + "(" + in.get(0) + ")";
      };
    }
    if (op instanceof Binary binary) {
      String symbol = switch (binary) {
        case ADD -> " + ";
        case SUB -> " − ";
        case MUL -> node.input(0).shape().isScalar() || node.input(1).shape().isScalar() ? " " : " ⊙ ";
        case DIV -> " / ";
      };
      return in.get(0) + symbol + in.get(1);
    }
    if (op == Structural.MATMUL) {
      return in.get(0) + " " + in.get(1);
    }
    if (op == Structural.TRANSPOSE) {
      return in.get(0) + "ᵀ";
    }
    if (op == Structural.SUM) {
      return "Σ " + in.get(0);
    }
    return op + "(" + String.join(", ", in) + ")";
  }

  private static int precedence(Op op) {
    if (op == Binary.ADD || op == Binary.SUB) {
      return 1;
    }
    if (op == Binary.MUL || op == Binary.DIV || op == Structural.MATMUL) {
      return 2;
    }
    if (op == Unary.NEG) {
      return 3;
    }
    return op == Structural.TRANSPOSE || op instanceof Op.Power ? 5 : 4;
  }

  // ---- the class ----

  private JavaFile writeModel() {
    boolean isFloat = options.precision() == Precision.FLOAT;
    ClassName self = ClassName.get(options.packageName(), className);
    // The passes first: the fields a class declares depend on what its passes read.
    MethodSpec predict = predict();
    MethodSpec backward = pass("backward", plan.backwardNodes, false);
    MethodSpec forward = pass("forward", plan.forwardNodes, true);
    TypeSpec.Builder type = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .superclass(isFloat ? FLOAT_NETWORK : DOUBLE_NETWORK)
        .addJavadoc(classJavadoc());
    type.addField(FieldSpec.builder(String.class, "SPEC_HASH", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("SHA-256 of the spec's canonical text.\n")
        .initializer("$S", specHash(network)).build());
    type.addField(FieldSpec.builder(int.class, "DEFAULT_MAX_BATCH", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", DEFAULT_MAX_BATCH).build());
    type.addField(FieldSpec.builder(MODEL_INFO, "INFO", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(modelInfo()).build());
    for (int p = 0; p < network.parameters().size(); p++) {
      Node parameter = network.parameters().get(p);
      type.addField(FieldSpec.builder(arrayType(), arrays.get(parameter), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("$L\n", Identifiers.javadoc(Network.leafName(parameter) + "[" + dimensions(parameter).replace(" * ", ", ")
              + "]" + position(parameter), false))
          .initializer("parameter($L)", p).build());
    }
    for (int p = 0; p < network.parameters().size(); p++) {
      Node parameter = network.parameters().get(p);
      type.addField(FieldSpec.builder(arrayType(), gradientArrays.get(parameter), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("$L\n", Identifiers.javadoc("∂C/∂" + Network.leafName(parameter) + ", this lane's", false))
          .initializer("gradient($L)", p).build());
    }
    if (!isFloat && readsInputs) {
      type.addField(FieldSpec.builder(arrayType(), inputs, Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("The batch's inputs in double\n").initializer("inputs()").build());
    }
    List<Node> perSample = new ArrayList<>();
    if (oneHot) {
      perSample.add(label);
    }
    for (Node node : plan.arrays()) {
      if (plan.perSample(node)) {
        perSample.add(node);
      } else {
        type.addField(FieldSpec.builder(arrayType(), arrays.get(node), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("$L\n", Identifiers.javadoc(describe(node), false))
            .initializer("new $T[$L]", scalarType(), size(node)).build());
      }
    }
    for (Node node : perSample) {
      FieldSpec.Builder field = FieldSpec.builder(arrayType(), arrays.get(node), Modifier.PRIVATE, Modifier.FINAL);
      field.addJavadoc("$L\n", Identifiers.javadoc(node == label
          ? "onehot(" + Network.leafName(label) + "): the labels as one-hot rows, " + size(label) + " per sample"
          : describe(node) + "; " + size(node) + " per sample", false));
      type.addField(field.initializer("perSample($L)", size(node)).build());
    }
    type.addMethods(constructors(self));
    type.addMethod(initialize());

    type.addMethod(forward);
    type.addMethod(backward);
    type.addMethod(predict);
    type.addMethods(parts);
    type.addMethod(meanLoss());
    for (Node parameter : network.parameters()) {
      if (!plan.perSample(plan.gradients.of(parameter))) {
        type.addMethod(notSummed());
        break;
      }
    }
    return JavaFile.builder(options.packageName(), type.build())
        .addFileComment("Generated by nabla from $L. Do not edit: change the spec and generate again.",
            Identifiers.comment(network.source().name()))
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  /** The loss of the batch: the mean of the per-sample loss, or the loss itself when it is a value of the whole batch. */
  private MethodSpec meanLoss() {
    Node loss = network.loss();
    MethodSpec.Builder method = MethodSpec.methodBuilder("meanLoss").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED).returns(double.class).addParameter(int.class, "n");
    return (plan.perSample(loss) ? method.addStatement("return mean($L, n)", arrays.get(loss))
        : method.addStatement("return $L[0]", arrays.get(loss))).build();
  }

  /** Which gradients the lanes add up: not those computed from the parameters alone, which every lane has whole. */
  private MethodSpec notSummed() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("summedOverSamples").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED).returns(boolean.class).addParameter(int.class, "parameter");
    List<String> summed = new ArrayList<>();
    for (int p = 0; p < network.parameters().size(); p++) {
      if (plan.perSample(plan.gradients.of(network.parameters().get(p)))) {
        summed.add("parameter == " + p);
      }
    }
    return method.addStatement("return $L", summed.isEmpty() ? "false" : String.join(" || ", summed)).build();
  }

  private String dimensions(Node node) {
    Shape shape = node.shape();
    if (shape.isScalar()) {
      return "1";
    }
    return shape.isMatrix() ? shape.dim(0).size() + " * " + shape.dim(1).size() : Long.toString(shape.dim(0).size());
  }

  private CodeBlock classJavadoc() {
    CodeBlock.Builder doc = CodeBlock.builder();
    doc.add("The network $L, trained by the gradients nabla derived from its spec.\n\n", className);
    doc.add("<pre>\n$L\n</pre>\n\n", Identifiers.javadoc(network.source().text().strip(), true));
    doc.add("<p>In one line: {@code H = $L}", Identifiers.javadoc(oneLine(network.loss(), 0), false));
    if (network.output() != firstOperand(network.loss())) {
      doc.add(", predicting {@code $L}", Identifiers.javadoc(oneLine(network.output(), 0), false));
    }
    doc.add(".\n\n");
    int activations = activationsPerSample();
    long bytes = options.precision() == Precision.FLOAT ? 4 : 8;
    doc.add("<p>Arithmetic in {@code $L}. $L parameters; $L values kept per sample, so a batch of {@code maxBatch} samples\n"
        + "takes $L × ($L + $L × maxBatch) bytes of arrays. Batches are row-major: sample {@code b}'s input is\n"
        + "{@code x[b * $L .. (b + 1) * $L)}. Not thread-safe: the model owns the buffers of its passes. $L\n\n",
        ex.type(), parameterCount(), activations, bytes, 2 * parameterCount(), activations, inputSize, inputSize,
        minLaneBatch() == Integer.MAX_VALUE ? "Its loss is not per sample, so a batch is never split over threads."
            : "The runtime splits a batch of\nat least " + minLaneBatch() + " samples per thread over the model's threads and runs the products on its fastest kernels.");
    doc.add("<p>Generated by nabla; do not edit.\n");
    return doc.build();
  }

  private static Node firstOperand(Node loss) {
    return loss.op() instanceof Loss ? loss.input(0) : loss;
  }

  /** The whole formula from the leaves up, for the class Javadoc. */
  private String oneLine(Node node, int depth) {
    if (node.op() instanceof Op.Leaf leaf) {
      return leaf.name();
    }
    if (node.op() instanceof Op.Constant constant) {
      return Numbers.format(constant.value());
    }
    if (depth > 20) {
      return "…";
    }
    List<String> in = new ArrayList<>();
    for (Node input : node.inputs()) {
      String text = oneLine(input, depth + 1);
      boolean compound = input.op() instanceof Binary || input.is(Structural.MATMUL);
      in.add(compound && (node.op() instanceof Binary && !(node.is(Binary.ADD)) || node.is(Structural.MATMUL)
          || node.is(Structural.TRANSPOSE) || node.op() instanceof Op.Power) ? "(" + text + ")" : text);
    }
    Op op = node.op();
    String text;
    if (op instanceof Binary binary) {
      text = in.get(0) + " " + binary.symbol() + " " + in.get(1);
    } else if (op == Structural.MATMUL) {
      text = in.get(0) + " " + in.get(1);
    } else if (op == Structural.TRANSPOSE) {
      text = in.get(0) + "ᵀ";
    } else if (op instanceof Op.Power power) {
      text = in.get(0) + "^" + Numbers.format(power.exponent());
    } else if (op == Unary.NEG) {
      text = "-" + in.get(0);
    } else if (op instanceof Op.Broadcast || op instanceof Op.Size) {
      text = in.isEmpty() ? op.name() : in.get(0);
    } else {
      text = op + "(" + String.join(", ", in) + ")";
    }
    return text.length() > 400 ? text.substring(0, 397) + "..." : text;
  }

  private CodeBlock modelInfo() {
    CodeBlock.Builder parameters = CodeBlock.builder();
    for (int p = 0; p < network.parameters().size(); p++) {
      Node parameter = network.parameters().get(p);
      Shape shape = parameter.shape();
      String dims = String.join(", ", shape.dims().stream().map(dim -> Long.toString(dim.size())).toList());
      parameters.add(p > 0 ? ",\n" : "").add("new $T.Parameter($S, new int[] {$L})", MODEL_INFO, Network.leafName(parameter), dims);
    }
    String labels = label != null ? "CLASSES" : "TARGETS";
    int labelSize = label != null ? size(label) : target != null ? size(target) : 0;
    return CodeBlock.builder()
        .add("new $T(\n$>$>$S,\nSPEC_HASH,\n$T.Precision.$L,\n$L,\n$L,\n$T.Labels.$L,\n$L,\n$T.of(\n$>$L$<),\n$L)$<$<",
            MODEL_INFO, network.name(), MODEL_INFO, options.precision().name(), inputSize, size(network.output()),
            MODEL_INFO, labels, labelSize, LIST, parameters.build(), activationsPerSample())
        .build();
  }

  private List<MethodSpec> constructors(ClassName self) {
    int minLaneBatch = minLaneBatch();
    List<MethodSpec> methods = new ArrayList<>();
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model for batches of up to {@link #DEFAULT_MAX_BATCH} samples.\n")
        .addStatement("this(DEFAULT_MAX_BATCH)").build());
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model whose buffers hold batches of up to {@code maxBatch} samples, with the default number of threads:\n"
            + "the system property {@code nabla.threads}, else {@code min(2, availableProcessors())}.\n")
        .addParameter(int.class, "maxBatch")
        .addStatement("this(maxBatch, defaultThreads())").build());
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc(minLaneBatch == Integer.MAX_VALUE
            ? "A model whose buffers hold batches of up to {@code maxBatch} samples; its loss is not per sample, so it runs\n"
                + "on the calling thread alone whatever {@code threads} says.\n"
            : "A model whose buffers hold batches of up to {@code maxBatch} samples, run on up to {@code threads} threads\n"
                + "(1: the calling thread only). A batch of at least $L samples per thread is split into that many lanes of\n"
                + "contiguous samples; their gradients are summed in lane order, so results are reproducible for a thread count.\n",
            minLaneBatch)
        .addParameter(int.class, "maxBatch").addParameter(int.class, "threads")
        .addStatement("super(INFO, maxBatch, threads, $L)", minLaneBatch == Integer.MAX_VALUE ? "Integer.MAX_VALUE" : minLaneBatch)
        .build());
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE)
        .addJavadoc("A lane of {@code owner}: its parameters and per-sample values, gradients and scratch of its own.\n")
        .addParameter(self, "owner").addStatement("super(owner)").build());
    methods.add(MethodSpec.methodBuilder("newLane").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
        .returns(self).addStatement("return new $T(this)", self).build());
    return methods;
  }

  private MethodSpec initialize() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("initialize").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(long.class, "seed");
    boolean random = false;
    CodeBlock.Builder body = CodeBlock.builder();
    for (Node parameter : network.parameters()) {
      String array = arrays.get(parameter);
      Statement.Init init = network.initializers().get(parameter);
      String kind = init == null ? "linear" : init.kind();
      List<Double> args = init == null ? List.of() : init.arguments();
      int fanIn = fanIn(parameter);
      int fanOut = parameter.shape().isMatrix() ? rows(parameter) : size(parameter);
      switch (kind) {
        case "zeros", "ones", "constant" -> {
          double value = kind.equals("zeros") ? 0 : kind.equals("ones") ? 1 : argument(args, 0, kind);
          body.add("// $L: $L\n", Identifiers.comment(Network.leafName(parameter)), kind + (kind.equals("constant") ? "(" + Numbers.format(value) + ")" : ""));
          body.addStatement("$T.fill($L, $L)", ARRAYS, array, ex.literal(value).code());
        }
        case "normal" -> {
          random = true;
          double mean = argument(args, 0, kind);
          double deviation = argument(args, 1, kind);
          body.add("// $L: normal($L, $L)\n", Identifiers.comment(Network.leafName(parameter)), Numbers.format(mean), Numbers.format(deviation));
          body.beginControlFlow("for (int i = 0; i < $L.length; i++)", array);
          body.addStatement("$L[i] = $L($L + $L * random.nextGaussian())", array, ex.isFloat() ? "(float) " : "", mean, deviation);
          body.endControlFlow();
        }
        case "uniform" -> {
          random = true;
          double low = argument(args, 0, kind);
          double high = argument(args, 1, kind);
          body.add("// $L: uniform($L, $L)\n", Identifiers.comment(Network.leafName(parameter)), Numbers.format(low), Numbers.format(high));
          body.beginControlFlow("for (int i = 0; i < $L.length; i++)", array);
          body.addStatement("$L[i] = $L($L + $L * random.nextDouble())", array, ex.isFloat() ? "(float) " : "", low, high - low);
          body.endControlFlow();
        }
        case "xavier" -> {
          random = true;
          body.add("// $L: xavier (Glorot) uniform, ±√(6 / (fan_in + fan_out))\n", Identifiers.comment(Network.leafName(parameter)));
          body.addStatement("$T.uniform($L, Math.sqrt(6.0 / ($L + $L)), random)", INITIALIZERS, array, fanIn, fanOut);
        }
        case "kaiming" -> {
          random = true;
          body.add("// $L: kaiming (He) uniform for relu, ±√(6 / fan_in)\n", Identifiers.comment(Network.leafName(parameter)));
          body.addStatement("$T.uniform($L, Math.sqrt(6.0 / $L), random)", INITIALIZERS, array, fanIn);
        }
        case "linear" -> {
          random = true;
          body.add("// $L: PyTorch's nn.Linear default, U(−1/√fan_in, 1/√fan_in)\n", Identifiers.comment(Network.leafName(parameter)));
          body.addStatement("$T.uniform($L, $T.linearBound($L), random)", INITIALIZERS, array, INITIALIZERS, fanIn);
        }
        default -> throw new IllegalArgumentException("unknown initialization '" + Identifiers.comment(kind) + "' for "
            + Identifiers.comment(Network.leafName(parameter)) + ": use zeros, ones, constant, normal, uniform, linear, xavier or kaiming");
      }
    }
    method.addJavadoc("Draws the parameters in declaration order from a {@link $T} seeded with {@code seed}.\n", SPLITTABLE_RANDOM);
    if (random) {
      method.addStatement("$T random = new $T(seed)", SPLITTABLE_RANDOM, SPLITTABLE_RANDOM);
    } else {
      method.addStatement("// every parameter is a constant: the seed does not matter");
    }
    return method.addCode(body.build()).build();
  }

  private static double argument(List<Double> args, int index, String kind) {
    if (index >= args.size()) {
      throw new IllegalArgumentException("init " + kind + " needs " + (index + 1) + " argument" + (index == 0 ? "" : "s"));
    }
    return args.get(index);
  }

  /** Columns of a weight matrix; for a bias, the columns of the weight whose product it is added to. */
  private int fanIn(Node parameter) {
    if (parameter.shape().isMatrix()) {
      return columns(parameter);
    }
    for (Node node : network.graph().nodes()) {
      if (node.is(Binary.ADD) && node.inputs().contains(parameter)) {
        for (Node operand : node.inputs()) {
          if (operand.is(Structural.MATMUL) && operand.input(0).op() instanceof Op.Leaf leaf
              && leaf.kind() == Op.Leaf.Kind.PARAM && operand.input(0).shape().isMatrix()) {
            return columns(operand.input(0));
          }
        }
      }
    }
    return size(parameter);
  }

  /** Whether any computed value reads the label other than as the class index a loss picks. */
  private boolean readsOneHot() {
    if (plan.gradientOf.containsKey(label)) {
      return true;
    }
    for (Map.Entry<Node, Storage> entry : plan.storage.entrySet()) {
      Node node = entry.getKey();
      boolean picksClass = (node.is(Loss.CROSS_ENTROPY) || node.is(Loss.NLL)) && node.input(1) == label && node.input(0) != label;
      if (entry.getValue() != Storage.LEAF && node.inputs().contains(label) && !picksClass) {
        return true;
      }
    }
    return false;
  }

  /** A private pass: the statements of {@code nodes}, reading only what they need. */
  private MethodSpec pass(String name, List<Node> nodes, boolean forward) {
    Body body = new Body();
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
        Node root = plan.gradients.of(parameter);
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
          Identifiers.javadoc(oneLine(network.loss(), 0), false));
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
  private static final int VALUES_PER_PART = 32;
  private final List<MethodSpec> parts = new ArrayList<>();

  /** The statements of {@code nodes} in {@code body}, or, for a long pass, in calls of private methods of a few layers each. */
  private void emitInParts(Body body, String name, List<Node> nodes) {
    if (nodes.size() <= VALUES_PER_PART) {
      emitAll(body, nodes);
      return;
    }
    for (int start = 0; start < nodes.size(); start += VALUES_PER_PART) {
      Body part = new Body();
      emitAll(part, nodes.subList(start, Math.min(nodes.size(), start + VALUES_PER_PART)));
      MethodSpec.Builder method = MethodSpec.methodBuilder(name + "Part" + (start / VALUES_PER_PART + 1)).addModifiers(Modifier.PRIVATE)
          .addJavadoc("Values $L to $L of the $L pass.\n", start + 1, Math.min(nodes.size(), start + VALUES_PER_PART), name);
      addInputs(method, part);
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

  private void addInputs(MethodSpec.Builder method, Body body) {
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
    method.addParameter(int.class, "n");
  }

  private Set<String> parametersOf(Body body) {
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

  private static String call(MethodSpec method) {
    List<String> args = new ArrayList<>();
    for (ParameterSpec parameter : method.parameters()) {
      args.add(parameter.name());
    }
    return method.name() + "(" + String.join(", ", args) + ")";
  }

  private MethodSpec predict() {
    Body body = new Body();
    emitInParts(body, "predict", plan.predictNodes);
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
    MethodSpec.Builder method = MethodSpec.methodBuilder("predictSamples").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .addJavadoc("Writes {@code $L} for samples {@code [lo, hi)} to {@code result}, $L values per sample.\n",
            Identifiers.javadoc(oneLine(output, 0), false), size(output))
        .addParameter(float[].class, "x").addParameter(int.class, "lo").addParameter(int.class, "hi")
        .addParameter(float[].class, "result");
    return method.addCode(body.code.build()).build();
  }

  // ---- kernel calls ----

  /** Work per lane, in floating-point operations, below which a lane is not worth its handoff. */
  static final long MIN_LANE_WORK = 300_000;

  /** Samples each lane takes at least: 8 to 256, by the work of one sample's passes; never split when the loss is not per sample. */
  int minLaneBatch() {
    if (!(plan.perSample(network.loss()) && plan.perSample(network.output()))) {
      return Integer.MAX_VALUE;
    }
    long work = 1;
    List<Node> nodes = new ArrayList<>(plan.forwardNodes);
    nodes.addAll(plan.backwardNodes);
    for (Node node : nodes) {
      Node product = plan.fusedProduct.getOrDefault(node, node.is(Structural.MATMUL) ? node : null);
      if (product != null) {
        work += 2L * rows(product.input(0)) * columns(product.input(0)) * columns(product.input(1));
      } else {
        work += size(node);
      }
    }
    return (int) Math.max(8, Math.min(256, (MIN_LANE_WORK + work - 1) / work));
  }

  /** A per-sample vector stored in a flat array: sample {@code b}'s values at {@code [b stride + offset, + length)}. */
  private record Rows(String array, int stride, int offset, int length) {}

  private Rows rowsOf(Body body, Node node) {
    if (node.is(Structural.TRANSPOSE) && plan.storage(node) == Storage.VIEW) {
      return rowsOf(body, node.input(0));
    }
    if (!node.shape().isVector() && !node.shape().isScalar()) {
      return null;
    }
    if (node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.INPUT) {
      body.readsX = true;
      return new Rows(inputArray(), inputSize, inputOffsets.get(node), size(node));
    }
    if (plan.storage(node) == Storage.ARRAY && plan.perSample(node) && node != label) {
      return new Rows(arrays.get(node), size(node), 0, size(node));
    }
    return null;
  }

  private static boolean isParameterMatrix(Node node) {
    return node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM && node.shape().isMatrix();
  }

  /**
   * {@code node = W x (+ bias)} for the lane's samples as the runtime's dense kernel, when W is a parameter
   * matrix and x a vector stored per sample; a bias that is not a parameter vector is added after it.
   */
  private boolean denseCall(Body body, Node node, Node product, Node init) {
    Node w = product.input(0);
    if (!isParameterMatrix(w) || plan.storage(node) != Storage.ARRAY || !plan.perSample(node) || size(node) != rows(w)) {
      return false;
    }
    Rows source = rowsOf(body, product.input(1));
    if (source == null || source.length != columns(w) || !plan.perSample(product.input(1))) {
      return false;
    }
    boolean biasArray = init != null && init.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM
        && size(init) == rows(w);
    body.statement("dense(" + arrays.get(w) + ", " + rows(w) + ", " + columns(w) + ", " + (biasArray ? arrays.get(init) : "null")
        + ", " + source.array + ", " + source.offset + ", " + source.stride + ", lo, hi, " + arrays.get(node) + ", 0, "
        + size(node) + ")");
    if (init != null && !biasArray) {
      Target target = arrayTarget(node);
      body.open("for (int b = lo; b < hi; b++)");
      boolean loop = body.loop("i", size(node));
      String i = size(node) > 1 ? "i" : "0";
      body.statement(target.at("b", i) + " += " + elem(body, init, "b", operandIndex(init, i)).code());
      body.end(loop);
      body.close();
    }
    return true;
  }

  /** {@code y = Wᵀ δ} for the lane's samples as the runtime's kernel, W a parameter matrix and δ stored per sample. */
  private boolean transposedCall(Body body, Node product) {
    Node transposed = product.input(0);
    if (!transposed.is(Structural.TRANSPOSE) || plan.storage(transposed) != Storage.VIEW || !isParameterMatrix(transposed.input(0))
        || plan.storage(product) != Storage.ARRAY || !plan.perSample(product) || columns(product) != 1) {
      return false;
    }
    Node w = transposed.input(0);
    Rows source = rowsOf(body, product.input(1));
    if (source == null || source.length != rows(w) || rows(product) != columns(w)) {
      return false;
    }
    body.statement("transposedDense(" + arrays.get(w) + ", " + rows(w) + ", " + columns(w) + ", " + source.array + ", "
        + source.offset + ", " + source.stride + ", lo, hi, " + arrays.get(product) + ", 0, " + size(product) + ")");
    return true;
  }

  /** {@code dW += (1/n) Σ_b δ_b x_bᵀ} as the runtime's weight-gradient kernel, δ and x stored per sample. */
  private boolean weightGradientCall(Body body, Node node, Node parameter) {
    Node delta = node.input(0);
    if (!plan.perSample(node) || columns(delta) != 1 || !parameter.shape().isMatrix()) {
      return false;
    }
    Rows source = rowsOf(body, node.input(1));
    Rows deltaRows = rowsOf(body, delta);
    if (source == null || deltaRows == null || deltaRows.length != rows(delta) || source.length != columns(node)
        || rows(node) != rows(parameter) || columns(node) != columns(parameter)) {
      return false;
    }
    body.readsInvN = true;
    body.statement("weightGradient(" + gradientArrays.get(parameter) + ", " + rows(node) + ", " + columns(node) + ", "
        + deltaRows.array + ", " + deltaRows.offset + ", " + deltaRows.stride + ", " + source.array + ", " + source.offset
        + ", " + source.stride + ", lo, hi, invN)");
    return true;
  }
}
