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

  /** Simple names of the types generated code refers to; a model may not take one. */
  static final Set<String> TYPES_USED = Set.of("Math", "Arrays", "SplittableRandom", "Initializers", "ModelInfo",
      "List", "String", "Override", "IllegalArgumentException", "Float", "Double", "Integer", "Object", "System",
      "FloatTrainable", "Trainable", "Model", "Parameter", "Precision", "Labels", "Test", "Assertions", "Thread", "LockSupport",
      "WeakReference", "Runtime", "Throwable", "IllegalStateException", "FloatVector", "DoubleVector", "VectorSpecies",
      "VectorOperators");

  /** Names the generated methods use for their own parameters and locals. */
  private static final List<String> RESERVED = List.of("b", "i", "j", "k", "n", "x", "labels", "targets", "lr", "result",
      "seed", "random", "name", "values", "sum", "max", "a", "d", "e", "v", "p", "t", "label", "invN", "logSum",
      "meanLoss", "total", "copy", "maxBatch", "bound", "SPEC_HASH", "INFO", "DEFAULT_MAX_BATCH", "parameterArrays",
      "gradientArrays", "this", "length", "blockStart", "blockSize", "tile", "tileEnd", "col", "row", "wRow", "gRow", "lo", "hi",
      "lanes", "lane", "count", "split", "owner", "threads", "spins", "seen", "waiter", "failure", "job", "MIN_LANE_BATCH",
      "laneThread", "laneOwner", "laneRequested", "laneCompleted", "laneSleeping", "laneWaiter", "laneFailure", "laneJob",
      "laneX", "laneLabels", "laneTargets", "laneResult", "laneLo", "laneHi", "laneN", "chunk", "sums", "panelStart",
      "kEnd", "rowsStart", "rowsEnd", "laneIndex", "laneRate", "share", "shares", "step", "end");

  private static final ClassName MODEL_INFO = ClassName.get("dev.nabla.runtime", "ModelInfo");
  private static final ClassName INITIALIZERS = ClassName.get("dev.nabla.runtime", "Initializers");
  private static final ClassName TRAINABLE = ClassName.get("dev.nabla.runtime", "Trainable");
  private static final ClassName FLOAT_TRAINABLE = ClassName.get("dev.nabla.runtime", "FloatTrainable");
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
  /** The batch-level kernels of the layer products and their weight gradients, and the scratch they need. */
  private final Kernels kernels = new Kernels();
  /**
   * The most arrays a generated class declares: each is a field initialized in the constructor, and
   * about 6,000 of them fill the constructor's 64 KiB (measured: 6,004 compile, 9,004 do not).
   */
  static final int MAX_STORED_VALUES = 5_000;

  /** The lanes a large batch is split into, and the threads that run them. */
  private final Lanes lanes = new Lanes();

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
    this.ex = new Expressions(options.precision());
    this.label = network.label().orElse(null);
    this.target = network.target().orElse(null);
    this.adjointOwners = plan.adjointOwners();
    int offset = 0;
    for (Node input : network.inputs()) {
      inputOffsets.put(input, offset);
      offset = Math.addExact(offset, size(input));
    }
    this.inputSize = offset;
    for (String reserved : RESERVED) {
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
          return widened("x[" + Expressions.index(Expressions.times(b, inputSize), offsetOf(node), index) + "]");
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
            ex.math("log1p", Expressions.atom("Math.exp(-Math.abs(" + x.code() + "))")));
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

  /** The activation the kernels may apply in the loop that adds the bias, and whether they did. */
  private Node fusableActivation;
  private boolean activationFused;

  /** Emits {@code nodes} in order; an activation right after its layer's product goes into that product's loop. */
  private void emitAll(Body body, List<Node> nodes) {
    for (int k = 0; k < nodes.size(); k++) {
      Node node = nodes.get(k);
      Node next = k + 1 < nodes.size() ? nodes.get(k + 1) : null;
      fusableActivation = next != null && isActivationOf(next, node) ? next : null;
      activationFused = false;
      emit(body, node);
      if (activationFused) {
        k++;
      }
    }
    fusableActivation = null;
  }

  /** Whether {@code y} is an elementwise function of the layer output {@code z} alone, stored per sample like it. */
  private boolean isActivationOf(Node y, Node z) {
    return y.op() instanceof Unary && y.input(0) == z && plan.storage(y) == Storage.ARRAY && plan.storage(z) == Storage.ARRAY
        && plan.perSample(y) && plan.perSample(z) && size(y) == size(z)
        && plan.gradientOf.getOrDefault(y, List.of()).isEmpty() && plan.gradientOf.getOrDefault(z, List.of()).isEmpty();
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
      matmul(body, fused, bias, arrayTarget(node), false, plan.perSample(node));
    } else if (op == Structural.MATMUL && kernels.transposedProduct(body, node)) {
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
    if (kernels.blockedProduct(body, product, init, target, accumulate, perSample)) {
      return;
    }
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
    body.statement("max = Math.max(max, " + o + ")");
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
        body.statement("max = Math.max(max, " + elem(body, prediction, b, i).code() + ")");
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
      if (kernels.outerProductGradient(body, node, parameter)) {
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
    TypeSpec.Builder type = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(isFloat ? FLOAT_TRAINABLE : TRAINABLE)
        .addJavadoc(classJavadoc());
    type.addField(FieldSpec.builder(String.class, "SPEC_HASH", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("SHA-256 of the spec's canonical text.\n")
        .initializer("$S", specHash(network)).build());
    type.addField(FieldSpec.builder(int.class, "DEFAULT_MAX_BATCH", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", DEFAULT_MAX_BATCH).build());
    type.addField(FieldSpec.builder(MODEL_INFO, "INFO", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(modelInfo()).build());
    type.addField(int.class, "maxBatch", Modifier.PRIVATE, Modifier.FINAL);
    for (Node parameter : network.parameters()) {
      type.addField(FieldSpec.builder(arrayType(), arrays.get(parameter), Modifier.PRIVATE, Modifier.FINAL).build());
    }
    for (Node parameter : network.parameters()) {
      type.addField(FieldSpec.builder(arrayType(), gradientArrays.get(parameter), Modifier.PRIVATE, Modifier.FINAL)
          .initializer("new $T[$L]", scalarType(), dimensions(parameter)).build());
    }
    if (isFloat) {
      type.addField(FieldSpec.builder(ArrayTypeName.of(arrayType()), "parameterArrays", Modifier.PRIVATE, Modifier.FINAL).build());
      type.addField(FieldSpec.builder(ArrayTypeName.of(arrayType()), "gradientArrays", Modifier.PRIVATE, Modifier.FINAL)
          .initializer("{$L}", String.join(", ", network.parameters().stream().map(gradientArrays::get).toList())).build());
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
      type.addField(field.build());
    }
    type.addFields(lanes.fields());
    type.addMethods(constructors(perSample));
    type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model for batches of up to {@link #DEFAULT_MAX_BATCH} samples.\n")
        .addStatement("this(DEFAULT_MAX_BATCH)").build());
    type.addMethod(MethodSpec.methodBuilder("info").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(MODEL_INFO).addStatement("return INFO").build());
    type.addMethod(MethodSpec.methodBuilder("maxBatch").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(int.class).addStatement("return maxBatch").build());
    type.addMethod(initialize());

    // The passes.
    MethodSpec predict = predict();
    MethodSpec backward = pass("backward", plan.backwardNodes, false);
    MethodSpec forward = pass("forward", plan.forwardNodes, true);
    type.addFields(kernels.fields());
    type.addMethod(predict);
    type.addMethods(trainingMethods(forward, backward));
    type.addMethods(lanes.methods(forward, backward, predictRange));
    type.addMethod(predictRange);
    type.addMethod(forward);
    type.addMethod(backward);
    type.addMethods(parts);
    type.addMethods(checks());
    type.addMethods(kernels.methods());
    type.addMethods(accessors(isFloat));
    return JavaFile.builder(options.packageName(), type.build())
        .addFileComment("Generated by nabla from $L. Do not edit: change the spec and generate again.",
            Identifiers.comment(network.source().name()))
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
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
        + "{@code x[b * $L .. (b + 1) * $L)}. Not thread-safe: the model owns the buffers of its passes. A batch of at least\n"
        + "$L samples per thread is split over the model's threads (daemon threads {@code nabla-$L-1}, ..., started at first\n"
        + "use), each with gradients of its own that are then summed in a fixed order.\n\n",
        ex.type(), parameterCount(), activations, bytes, 2 * parameterCount(), activations, inputSize, inputSize,
        lanes.minLaneBatch() == Integer.MAX_VALUE ? "(never: this model's loss is not per sample)" : lanes.minLaneBatch(), className);
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

  private List<MethodSpec> constructors(List<Node> perSample) {
    ClassName self = ClassName.get(options.packageName(), className);
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE)
        .addJavadoc("The model, or with an {@code owner} one of its lanes: a lane shares the owner's parameters and per-sample\n"
            + "values and has gradients and scratch of its own.\n")
        .addParameter(int.class, "maxBatch").addParameter(int.class, "threads").addParameter(self, "owner")
        .addParameter(int.class, "lane");
    int largest = 1;
    for (Node node : perSample) {
      largest = Math.max(largest, size(node));
    }
    constructor.beginControlFlow("if (maxBatch < 1 || maxBatch > $L)", Integer.MAX_VALUE / largest)
        .addStatement("throw new $T($S + maxBatch)", IllegalArgumentException.class, "maxBatch must be between 1 and " + Integer.MAX_VALUE / largest + ", not ")
        .endControlFlow();
    constructor.beginControlFlow("if (threads < 1 || threads > $L)", Lanes.MAX_THREADS)
        .addStatement("throw new $T($S + threads)", IllegalArgumentException.class,
            "threads must be between 1 and " + Lanes.MAX_THREADS + ", not ")
        .endControlFlow();
    constructor.addStatement("this.maxBatch = maxBatch");
    for (Node parameter : network.parameters()) {
      constructor.addStatement("this.$L = owner == null ? new $T[$L] : owner.$L", arrays.get(parameter), scalarType(),
          dimensions(parameter), arrays.get(parameter));
    }
    if (options.precision() == Precision.FLOAT) {
      constructor.addStatement("this.parameterArrays = new $T[][] {$L}", scalarType(),
          String.join(", ", network.parameters().stream().map(arrays::get).toList()));
    }
    for (Node node : perSample) {
      constructor.addStatement("this.$L = owner == null ? new $T[$L] : owner.$L", arrays.get(node), scalarType(),
          size(node) == 1 ? "maxBatch" : "maxBatch * " + size(node), arrays.get(node));
    }
    lanes.construct(constructor, self);
    List<MethodSpec> methods = new ArrayList<>();
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model whose buffers hold batches of up to {@code maxBatch} samples, with the default number of threads:\n"
            + "the system property {@code nabla.threads}, else {@code min(2, availableProcessors())}.\n")
        .addParameter(int.class, "maxBatch")
        .addStatement("this(maxBatch, defaultThreads())").build());
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model whose buffers hold batches of up to {@code maxBatch} samples, run on up to {@code threads} threads\n"
            + "(1: the calling thread only). A batch of at least $L samples per thread is split into that many lanes of\n"
            + "contiguous samples; their gradients are summed in lane order, so results are reproducible for a thread count.\n",
            lanes.minLaneBatch())
        .addParameter(int.class, "maxBatch").addParameter(int.class, "threads")
        .addStatement("this(maxBatch, threads, null, 0)").build());
    methods.add(constructor.build());
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
    MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE);
    addInputs(method, body);
    CodeBlock.Builder code = CodeBlock.builder();
    if (forward) {
      method.addJavadoc("The forward pass for the loss, {@code H = $L}, for samples {@code [lo, hi)} of a batch of {@code n}.\n",
          Identifiers.javadoc(oneLine(network.loss(), 0), false));
      code.add(body.code.build());
    } else {
      method.addJavadoc("The backward pass for samples {@code [lo, hi)} of a batch of {@code n}: their share of every parameter's"
          + " gradient averaged over the batch, {@code ∇C = (1/n) Σ_b ∇H}.\n");
      for (Node parameter : network.parameters()) {
        code.addStatement("$T.fill($L, $L)", ARRAYS, gradientArrays.get(parameter), ex.literal(0).code());
      }
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
    MethodSpec.Builder range = MethodSpec.methodBuilder("predictRange").addModifiers(Modifier.PRIVATE)
        .addJavadoc("The prediction for samples {@code [lo, hi)} of a batch of {@code n}.\n");
    addInputs(range, body);
    range.addParameter(float[].class, "result");
    predictRange = range.addCode(body.code.build()).build();
    MethodSpec.Builder method = MethodSpec.methodBuilder("predict").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(float[].class, "x").addParameter(int.class, "n").addParameter(float[].class, "result")
        .addJavadoc("Writes {@code $L} for each of the {@code n} samples to {@code result}, $L values per sample.\n",
            Identifiers.javadoc(oneLine(output, 0), false), size(output));
    method.addStatement("checkInputs(x, n)");
    method.beginControlFlow("if (result.length < n * $L)", size(output))
        .addStatement("throw new $T($S + result.length)", IllegalArgumentException.class, "result holds " + size(output) + " values per sample; its length is ")
        .endControlFlow();
    method.addStatement("run(0, x, null, null, result, n, 0)");
    return method.build();
  }

  /** The pass over samples {@code [lo, hi)} that {@code predict} runs in each lane. */
  private MethodSpec predictRange;

  private List<MethodSpec> trainingMethods(MethodSpec forward, MethodSpec backward) {
    List<MethodSpec> methods = new ArrayList<>();
    boolean classes = label != null;
    for (boolean withLabels : List.of(true, false)) {
      boolean fits = withLabels == classes || (label == null && target == null);
      String truthName = withLabels ? "labels" : "targets";
      TypeName truthType = withLabels ? TypeName.get(int[].class) : TypeName.get(float[].class);
      String refusal = withLabels
          ? className + " is trained against real-valued targets: pass float[] targets"
          : className + " is a classifier: pass int[] class labels";
      String check = "checkInputs(x, n);\n" + (withLabels ? "checkLabels(labels, n);\n" : "checkTargets(targets, n);\n");
      MethodSpec.Builder step = MethodSpec.methodBuilder("trainStep").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
          .returns(double.class).addParameter(float[].class, "x").addParameter(truthType, truthName)
          .addParameter(int.class, "n").addParameter(float.class, "lr");
      MethodSpec.Builder gradients = MethodSpec.methodBuilder("computeGradients").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
          .returns(double.class).addParameter(float[].class, "x").addParameter(truthType, truthName).addParameter(int.class, "n");
      MethodSpec.Builder loss = MethodSpec.methodBuilder("loss").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
          .returns(double.class).addParameter(float[].class, "x").addParameter(truthType, truthName).addParameter(int.class, "n");
      if (!fits) {
        for (MethodSpec.Builder builder : List.of(step, gradients, loss)) {
          builder.addStatement("throw new $T($S)", IllegalArgumentException.class, refusal);
        }
      } else {
        step.addJavadoc("Forward, backward, and the SGD step {@code θ ← θ − lr ∇C}; returns the mean loss before the step.\n");
        for (MethodSpec.Builder builder : List.of(step, gradients, loss)) {
          builder.addCode(check);
        }
        String truth = withLabels ? "labels, null" : "null, targets";
        step.addStatement("return run(3, x, $L, null, n, lr)", truth);
        gradients.addStatement("return run(2, x, $L, null, n, 0)", truth);
        loss.addStatement("return run(1, x, $L, null, n, 0)", truth);
      }
      methods.add(step.build());
      methods.add(gradients.build());
      methods.add(loss.build());
    }
    return methods;
  }

  private List<MethodSpec> checks() {
    List<MethodSpec> methods = new ArrayList<>();
    methods.add(MethodSpec.methodBuilder("checkInputs").addModifiers(Modifier.PRIVATE)
        .addParameter(float[].class, "x").addParameter(int.class, "n")
        .beginControlFlow("if (n < 0 || n > maxBatch)")
        .addStatement("throw new $T($S + n + $S + maxBatch)", IllegalArgumentException.class, "a batch of ", " samples; this model holds 0 to ")
        .endControlFlow()
        .beginControlFlow("if (x.length < n * $L)", inputSize)
        .addStatement("throw new $T($S + x.length + $S + n + $S)", IllegalArgumentException.class,
            "x has ", " values; " , " samples of " + inputSize + " need more")
        .endControlFlow().build());
    MethodSpec.Builder labels = MethodSpec.methodBuilder("checkLabels").addModifiers(Modifier.PRIVATE)
        .addParameter(int[].class, "labels").addParameter(int.class, "n")
        .beginControlFlow("if (labels.length < n)")
        .addStatement("throw new $T($S + labels.length + $S + n + $S)", IllegalArgumentException.class, "labels has ", " entries, too few for ", " samples")
        .endControlFlow();
    if (label != null) {
      int classes = size(label);
      labels.beginControlFlow("for (int b = 0; b < n; b++)")
          .beginControlFlow("if (labels[b] < 0 || labels[b] >= $L)", classes)
          .addStatement("throw new $T($S + b + $S + labels[b] + $S)", IllegalArgumentException.class,
              "the label of sample ", " is ", ", not a class in [0, " + classes + ")")
          .endControlFlow()
          .endControlFlow();
    }
    boolean neither = label == null && target == null;
    if (label != null || neither) {
      methods.add(labels.build());
    }
    if (label != null) {
      return methods;
    }
    int targetSize = target != null ? size(target) : 0;
    methods.add(MethodSpec.methodBuilder("checkTargets").addModifiers(Modifier.PRIVATE)
        .addParameter(float[].class, "targets").addParameter(int.class, "n")
        .beginControlFlow("if (targets.length < n * $L)", targetSize)
        .addStatement("throw new $T($S + targets.length + $S + n + $S)", IllegalArgumentException.class,
            "targets has ", " values; ", " samples of " + targetSize + " need more")
        .endControlFlow().build());
    return methods;
  }

  private List<MethodSpec> accessors(boolean isFloat) {
    List<MethodSpec> methods = new ArrayList<>();
    methods.add(MethodSpec.methodBuilder("parameter").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(double[].class).addParameter(String.class, "name")
        .addStatement(isFloat ? "return toDoubles(parameterArray(name))" : "return parameterArray(name).clone()").build());
    methods.add(MethodSpec.methodBuilder("gradient").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(double[].class).addParameter(String.class, "name")
        .addStatement(isFloat ? "return toDoubles(gradientArray(name))" : "return gradientArray(name).clone()").build());
    MethodSpec.Builder set = MethodSpec.methodBuilder("setParameter").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addParameter(String.class, "name").addParameter(double[].class, "values")
        .addStatement("$T target = parameterArray(name)", arrayType())
        .beginControlFlow("if (values.length != target.length)")
        .addStatement("throw new $T(name + $S + target.length + $S + values.length)", IllegalArgumentException.class, " holds ", " values, not ")
        .endControlFlow();
    if (isFloat) {
      set.beginControlFlow("for (int i = 0; i < values.length; i++)").addStatement("target[i] = (float) values[i]").endControlFlow();
    } else {
      set.addStatement("System.arraycopy(values, 0, target, 0, values.length)");
    }
    methods.add(set.build());
    if (isFloat) {
      methods.add(MethodSpec.methodBuilder("parameterArrays").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
          .returns(float[][].class).addStatement("return parameterArrays").build());
      methods.add(MethodSpec.methodBuilder("gradientArrays").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
          .returns(float[][].class).addStatement("return gradientArrays").build());
    }
    for (boolean gradient : List.of(false, true)) {
      MethodSpec.Builder lookup = MethodSpec.methodBuilder(gradient ? "gradientArray" : "parameterArray")
          .addModifiers(Modifier.PRIVATE).returns(arrayType()).addParameter(String.class, "name");
      lookup.beginControlFlow("switch (name)");
      for (Node parameter : network.parameters()) {
        lookup.addCode("case $S:\n$>", Network.leafName(parameter))
            .addStatement("return $L", gradient ? gradientArrays.get(parameter) : arrays.get(parameter)).addCode("$<");
      }
      lookup.addCode("default:\n$>")
          .addStatement("throw new $T($S + name + $S)", IllegalArgumentException.class, className + " has no parameter '",
              "'; it has " + String.join(", ", network.parameters().stream().map(Network::leafName).toList()))
          .addCode("$<");
      lookup.endControlFlow();
      methods.add(lookup.build());
    }
    if (isFloat) {
      methods.add(MethodSpec.methodBuilder("toDoubles").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
          .returns(double[].class).addParameter(float[].class, "values")
          .addStatement("double[] copy = new double[values.length]")
          .beginControlFlow("for (int i = 0; i < values.length; i++)")
          .addStatement("copy[i] = values[i]")
          .endControlFlow()
          .addStatement("return copy").build());
    }
    return methods;
  }

  // ---- lanes: a large batch split over threads ----

  /**
   * A model of {@code threads} lanes: lane 0 is the model itself, each other lane a private instance of
   * the class that shares the parameters and the per-sample arrays (batch-major, so lanes of contiguous
   * samples never write the same element) and has gradients and scratch of its own. A batch of at least
   * {@link #minLaneBatch()} samples per lane is split at multiples of 8; each lane's thread runs the
   * passes on its samples, and the calling thread then adds the lanes' gradients to its own in lane order,
   * so that results are the same from run to run for a given thread count. The handoff is a volatile
   * counter with spinning, then {@code LockSupport} parking: nothing is allocated per step.
   */
  private final class Lanes {
    static final int MAX_THREADS = 64;
    /** Work per lane, in floating-point operations, below which a lane is not worth its handoff. */
    static final long MIN_LANE_WORK = 300_000;
    /** Waits spun before a lane's thread parks between batches. */
    static final int IDLE_SPINS = 1 << 14;
    /** Waits spun before the calling thread parks until a lane is done. */
    static final int WAIT_SPINS = 1 << 16;

    /** Gradient and parameter values from which the lanes share summing the gradients and the step. */
    static final long MIN_SHARED_VALUES = 8192;

    /** Whether the lanes share the sum of their gradients and the step, or this model does it alone. */
    boolean sharedSum() {
      return threadable() && parameterCount() >= MIN_SHARED_VALUES;
    }

    /** Whether the passes may be split: the loss and the output are per-sample values. */
    boolean threadable() {
      return plan.perSample(network.loss()) && plan.perSample(network.output());
    }

    /** Samples each lane takes at least: 8 to 256, by the work of one sample's forward and backward passes. */
    int minLaneBatch() {
      if (!threadable()) {
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

    List<FieldSpec> fields() {
      ClassName self = ClassName.get(options.packageName(), className);
      ClassName weak = ClassName.get("java.lang.ref", "WeakReference");
      List<FieldSpec> fields = new ArrayList<>();
      fields.add(FieldSpec.builder(int.class, "MIN_LANE_BATCH", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .addJavadoc("The fewest samples a lane takes: a batch of n samples runs in min(threads, n / MIN_LANE_BATCH) lanes\n")
          .initializer("$L", minLaneBatch() == Integer.MAX_VALUE ? "Integer.MAX_VALUE" : Integer.toString(minLaneBatch())).build());
      fields.add(FieldSpec.builder(ArrayTypeName.of(self), "lanes", Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("The lanes a batch is split into: this model first, then lanes sharing its parameters\n").build());
      fields.add(FieldSpec.builder(int.class, "laneIndex", Modifier.PRIVATE, Modifier.FINAL).build());
      fields.add(FieldSpec.builder(ParameterizedTypeName.get(weak, self), "laneOwner", Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("For a lane, the model it serves: its thread ends once the model is unreachable\n").build());
      fields.add(FieldSpec.builder(Thread.class, "laneThread", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(int.class, "laneRequested", Modifier.PRIVATE, Modifier.VOLATILE).build());
      fields.add(FieldSpec.builder(int.class, "laneCompleted", Modifier.PRIVATE, Modifier.VOLATILE).build());
      fields.add(FieldSpec.builder(boolean.class, "laneSleeping", Modifier.PRIVATE, Modifier.VOLATILE).build());
      fields.add(FieldSpec.builder(Thread.class, "laneWaiter", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(Throwable.class, "laneFailure", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(int.class, "laneJob", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(float[].class, "laneX", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(int[].class, "laneLabels", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(float[].class, "laneTargets", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(float[].class, "laneResult", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(int.class, "laneLo", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(int.class, "laneHi", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(int.class, "laneN", Modifier.PRIVATE).build());
      fields.add(FieldSpec.builder(float.class, "laneRate", Modifier.PRIVATE).build());
      return fields;
    }

    void construct(MethodSpec.Builder constructor, ClassName self) {
      ClassName weak = ClassName.get("java.lang.ref", "WeakReference");
      constructor.addStatement("this.laneIndex = lane");
      constructor.addStatement("this.laneOwner = owner == null ? null : new $T<>(owner)", weak);
      constructor.addStatement("this.lanes = new $T[owner == null ? $L : 1]", self, threadable() ? "threads" : "1");
      constructor.addStatement("this.lanes[0] = this");
      constructor.beginControlFlow("for (int t = 1; t < lanes.length; t++)");
      constructor.addStatement("lanes[t] = new $T(maxBatch, 1, this, t)", self);
      constructor.endControlFlow();
    }

    List<MethodSpec> methods(MethodSpec forward, MethodSpec backward, MethodSpec predictRange) {
      ClassName lockSupport = ClassName.get("java.util.concurrent.locks", "LockSupport");
      List<MethodSpec> methods = new ArrayList<>();
      methods.add(MethodSpec.methodBuilder("defaultThreads").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(int.class)
          .addStatement("int threads = Math.min(2, Runtime.getRuntime().availableProcessors())")
          .addStatement("return Math.max(1, Math.min($L, Integer.getInteger($S, threads)))", MAX_THREADS, "nabla.threads").build());
      MethodSpec.Builder run = MethodSpec.methodBuilder("run").addModifiers(Modifier.PRIVATE).returns(double.class)
          .addJavadoc("Runs a pass over the batch (0: predict, 1: the loss, 2: the loss and the gradients, 3: those and the SGD step\n"
              + "{@code θ ← θ − lr ∇C}), split over the lanes when it is large enough; then the lanes sum their gradients and take\n"
              + "the step (jobs 4 and 5), each for a share of every array. Returns the mean loss, before the step.\n")
          .addParameter(int.class, "job").addParameter(float[].class, "x").addParameter(int[].class, "labels")
          .addParameter(float[].class, "targets").addParameter(float[].class, "result").addParameter(int.class, "n")
          .addParameter(float.class, "lr")
          .addStatement("int count = Math.min(lanes.length, n / MIN_LANE_BATCH)")
          .beginControlFlow("if (count <= 1)")
          .addStatement("runRange(job, x, labels, targets, result, 0, n, n)")
          .nextControlFlow("else")
          .beginControlFlow("for (int t = 1; t < count; t++)")
          .addStatement("lanes[t].submit(job, x, labels, targets, result, split(n, count, t), split(n, count, t + 1), n, lr)")
          .endControlFlow()
          .addStatement("runRange(job, x, labels, targets, result, 0, split(n, count, 1), n)")
          .beginControlFlow("for (int t = 1; t < count; t++)")
          .addStatement("lanes[t].awaitLane()")
          .endControlFlow()
          .endControlFlow()
          .beginControlFlow("if (job == 3 || (job == 2 && count > 1))");
      if (sharedSum()) {
        run.addStatement("int shares = Math.max(1, count)")
            .beginControlFlow("for (int t = 1; t < shares; t++)")
            .addStatement("lanes[t].submit(job + 2, x, labels, targets, result, t, shares, n, lr)")
            .endControlFlow()
            .addStatement("sumShare(0, shares, shares, job == 3, lr)")
            .beginControlFlow("for (int t = 1; t < shares; t++)")
            .addStatement("lanes[t].awaitLane()")
            .endControlFlow();
      } else {
        run.addStatement("sumShare(0, 1, Math.max(1, count), job == 3, lr)");
      }
      run.endControlFlow();
      Node loss = network.loss();
      run.beginControlFlow("if (job == 0)").addStatement("return 0").endControlFlow();
      if (plan.perSample(loss)) {
        run.addStatement("double total = 0")
            .beginControlFlow("for (int b = 0; b < n; b++)")
            .addStatement("total += $L[b]", arrays.get(loss))
            .endControlFlow()
            .addStatement("return total / n");
      } else {
        run.addStatement("return $L[0]", arrays.get(loss));
      }
      methods.add(run.build());
      methods.add(MethodSpec.methodBuilder("split").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(int.class)
          .addJavadoc("Where lane {@code t} of {@code count} starts: at a multiple of 8.\n")
          .addParameter(int.class, "n").addParameter(int.class, "count").addParameter(int.class, "t")
          .addStatement("return t == count ? n : (int) ((long) n * t / count) & ~7").build());
      methods.add(MethodSpec.methodBuilder("runRange").addModifiers(Modifier.PRIVATE)
          .addJavadoc("The passes of a job for samples {@code [lo, hi)} of a batch of {@code n}.\n")
          .addParameter(int.class, "job").addParameter(float[].class, "x").addParameter(int[].class, "labels")
          .addParameter(float[].class, "targets").addParameter(float[].class, "result").addParameter(int.class, "lo")
          .addParameter(int.class, "hi").addParameter(int.class, "n")
          .beginControlFlow("if (job == 0)")
          .addStatement("$L", call(predictRange))
          .addStatement("return")
          .endControlFlow()
          .addStatement("$L", call(forward))
          .beginControlFlow("if (job >= 2)")
          .addStatement("$L", call(backward))
          .endControlFlow().build());
      MethodSpec.Builder add = MethodSpec.methodBuilder("sumShare").addModifiers(Modifier.PRIVATE)
          .addJavadoc("For share {@code share} of {@code shares} of each array: adds the gradients of lanes 1 to {@code count − 1}\n"
              + "(those summed over samples) to this model's own and, if {@code step}, takes the SGD step {@code θ ← θ − lr ∇C}.\n"
              + "$L\n", sharedSum()
                  ? "The lanes do their shares at the same time; every element gains the lanes' values in lane order, so the result\n"
                      + "does not depend on which thread does which share."
                  : "This model's arrays are small enough for one thread to do it all (one share) faster than a handoff.")
          .addParameter(int.class, "share").addParameter(int.class, "shares").addParameter(int.class, "count")
          .addParameter(boolean.class, "step").addParameter(float.class, "lr");
      for (Node parameter : network.parameters()) {
        String gradient = gradientArrays.get(parameter);
        String share = "for (int i = split(" + size(parameter) + ", shares, share), end = split(" + size(parameter)
            + ", shares, share + 1); i < end; i++)";
        if (plan.perSample(plan.gradients.of(parameter))) {
          add.beginControlFlow("for (int t = 1; t < count; t++)")
              .addStatement("$T[] lane = lanes[t].$L", scalarType(), gradient)
              .beginControlFlow(share)
              .addStatement("$L[i] += lane[i]", gradient)
              .endControlFlow()
              .endControlFlow();
        }
        add.beginControlFlow("if (step)")
            .beginControlFlow(share)
            .addStatement("$L[i] -= lr * $L[i]", arrays.get(parameter), gradient)
            .endControlFlow()
            .endControlFlow();
      }
      methods.add(add.build());
      methods.add(MethodSpec.methodBuilder("submit").addModifiers(Modifier.PRIVATE)
          .addJavadoc("Hands this lane a job; its thread is started with the first one.\n")
          .addParameter(int.class, "job").addParameter(float[].class, "x").addParameter(int[].class, "labels")
          .addParameter(float[].class, "targets").addParameter(float[].class, "result").addParameter(int.class, "lo")
          .addParameter(int.class, "hi").addParameter(int.class, "n").addParameter(float.class, "lr")
          .addStatement("laneJob = job").addStatement("laneX = x").addStatement("laneLabels = labels").addStatement("laneRate = lr")
          .addStatement("laneTargets = targets").addStatement("laneResult = result").addStatement("laneLo = lo")
          .addStatement("laneHi = hi").addStatement("laneN = n").addStatement("laneWaiter = Thread.currentThread()")
          .beginControlFlow("if (laneThread == null)")
          .addStatement("laneThread = new Thread(this::serve, $S + laneIndex)", "nabla-" + className + "-")
          .addStatement("laneThread.setDaemon(true)")
          .addStatement("laneThread.start()")
          .endControlFlow()
          .addStatement("laneRequested = laneRequested + 1")
          .beginControlFlow("if (laneSleeping)")
          .addStatement("$T.unpark(laneThread)", lockSupport)
          .endControlFlow().build());
      methods.add(MethodSpec.methodBuilder("awaitLane").addModifiers(Modifier.PRIVATE)
          .addJavadoc("Waits until this lane has done its job.\n")
          .addStatement("int seen = laneRequested")
          .addStatement("int spins = 0")
          .beginControlFlow("while (laneCompleted != seen)")
          .beginControlFlow("if (spins < $L)", WAIT_SPINS)
          .addStatement("spins++")
          .addStatement("Thread.onSpinWait()")
          .nextControlFlow("else")
          .addStatement("$T.park(this)", lockSupport)
          .endControlFlow()
          .endControlFlow()
          .addStatement("Throwable failure = laneFailure")
          .beginControlFlow("if (failure != null)")
          .addStatement("laneFailure = null")
          .addStatement("throw new IllegalStateException($S + laneIndex + $S, failure)", "lane ", " of " + className + " failed")
          .endControlFlow().build());
      methods.add(MethodSpec.methodBuilder("serve").addModifiers(Modifier.PRIVATE)
          .addJavadoc("The loop of a lane's thread: runs each job handed to it; ends once its model is unreachable.\n")
          .addStatement("int seen = 0")
          .beginControlFlow("while (true)")
          .addStatement("int spins = 0")
          .beginControlFlow("while (laneRequested == seen)")
          .beginControlFlow("if (spins < $L)", IDLE_SPINS)
          .addStatement("spins++")
          .addStatement("Thread.onSpinWait()")
          .nextControlFlow("else")
          .addStatement("laneSleeping = true")
          .beginControlFlow("if (laneRequested == seen)")
          .addStatement("$T.parkNanos(this, 100_000_000L)", lockSupport)
          .endControlFlow()
          .addStatement("laneSleeping = false")
          .beginControlFlow("if (laneRequested == seen && laneOwner.get() == null)")
          .addStatement("return")
          .endControlFlow()
          .endControlFlow()
          .endControlFlow()
          .addStatement("seen = laneRequested")
          .beginControlFlow("try")
          .beginControlFlow("if (laneJob >= 4)")
          .addStatement("$T owner = laneOwner.get()", ClassName.get(options.packageName(), className))
          .beginControlFlow("if (owner != null)")
          .addStatement("owner.sumShare(laneLo, laneHi, laneHi, laneJob == 5, laneRate)")
          .endControlFlow()
          .nextControlFlow("else")
          .addStatement("runRange(laneJob, laneX, laneLabels, laneTargets, laneResult, laneLo, laneHi, laneN)")
          .endControlFlow()
          .nextControlFlow("catch (Throwable failure)")
          .addStatement("laneFailure = failure")
          .endControlFlow()
          .addStatement("laneCompleted = seen")
          .addStatement("$T.unpark(laneWaiter)", lockSupport)
          .endControlFlow().build());
      return methods;
    }
  }

  // ---- batch-level kernels ----

  /**
   * The layer products {@code W x} and their weight gradients {@code Σ_b δ xᵀ}, written for the whole
   * batch in loop forms that C2 turns into vector instructions: every innermost loop runs over a whole
   * row array from index 0 (an offset into a flat array defeats the vectorizer), applies {@code Math.fma},
   * and reuses each loaded row for four columns or four samples. The loops live in small static helpers
   * shared by all layers (so that deep networks stay within the JIT's method size limits); the flat
   * arrays stay what the API sees, the row arrays are scratch refreshed from them in each pass.
   */
  private final class Kernels {
    /** Samples per block of the forward product: the block's inputs, transposed, stay in cache. */
    static final int BLOCK = 256;
    /**
     * From this many rows of W up, the vector backend transposes the inputs and multiplies the panel in
     * register tiles: the transposition is then a small part of the work, and no dot product has to be
     * reduced across a vector. Below it, dot products on the inputs where they lie are faster.
     */
    static final int WIDE_ROWS = 64;
    /** Panel rows each register tile runs over before the next: 128 rows of 4 vectors are 32 KiB of floats (L1). */
    static final int PANEL_TILE_ROWS = VectorKernels.PANEL_TILE_ROWS;
    /** Below this length a row is too short to gain from the blocked forms. */
    static final int MIN_LENGTH = 8;
    /** Panel rows ({@link #BLOCK} samples each) multiplied by every row of the weights before the next: 16 KiB of floats. */
    static final int PANEL_CHUNK = 16;
    /** Values of a weight gradient's columns updated by every sample before the next columns: 24 KiB of floats. */
    static final int GRADIENT_CHUNK_VALUES = 6144;

    private final Map<Node, String> parameterRows = new LinkedHashMap<>();
    private final Map<Node, String> gradientRows = new LinkedHashMap<>();
    private String panel;
    private int panelRows;
    private int sumRows;
    private String blockSums;
    private String sampleRows;
    private String coefficients;
    private int sampleLength;
    private int coefficientLength;
    private boolean forward;
    private boolean gradients;
    private boolean floatSource;
    private boolean ownSource;
    /** Whether the {@link VectorKernels} forms are used, and under which name their species constant goes. */
    private boolean vectorForward;
    private boolean vectorGradients;
    private boolean vectorSampleProducts;
    private boolean vectorPanel;
    /** Whether a product transposes blocks of inputs into the panel (the scalar products, and the vector ones of wide layers). */
    private boolean transposes;
    private boolean vectorTransposed;
    private String species;

    /** A per-sample vector stored in a flat array: sample {@code b}'s values at {@code [b stride + offset, + length)}. */
    private record Rows(String array, int stride, int offset, int length, boolean floatInput) {
      String start(String b) {
        return Expressions.index(Expressions.times(b, stride), offset == 0 ? null : Integer.toString(offset));
      }
    }

    private Rows rowsOf(Body body, Node node) {
      if (node.is(Structural.TRANSPOSE) && plan.storage(node) == Storage.VIEW) {
        return rowsOf(body, node.input(0));
      }
      if (!node.shape().isVector() || size(node) < MIN_LENGTH) {
        return null;
      }
      if (node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.INPUT) {
        body.readsX = true;
        return new Rows("x", inputSize, inputOffsets.get(node), size(node), true);
      }
      if (plan.storage(node) == Storage.ARRAY && plan.perSample(node) && node != label) {
        return new Rows(arrays.get(node), size(node), 0, size(node), false);
      }
      return null;
    }

    private boolean isParameterMatrix(Node node) {
      return node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM && node.shape().isMatrix();
    }

    private void scratch() {
      if (panel == null) {
        panel = allocate("panel");
        blockSums = allocate("blockSums");
      }
    }

    /**
     * Whether the vector kernels can take a product reading {@code source}: with the vector backend, when
     * the source has the class's own type (a double class reading its float input keeps the scalar form,
     * which widens each value as it transposes it).
     */
    private boolean vectorFor(Rows source) {
      if (options.backend() != CodegenOptions.Backend.VECTOR || (source.floatInput && !ex.isFloat())) {
        return false;
      }
      if (species == null) {
        species = allocate("SPECIES");
      }
      return true;
    }

    /**
     * {@code Z = W x (+ bias)} for every sample: the inputs of a block of {@link #BLOCK} samples are
     * transposed into panel rows (one per input index), each row of W times the panel is an axpy over
     * the block, {@code sums += W[i][k..k+3] · panel[k..k+3]}, scattered to the samples with the bias.
     */
    boolean blockedProduct(Body body, Node product, Node init, Target target, boolean accumulate, boolean perSample) {
      Node w = product.input(0);
      Node input = product.input(1);
      if (accumulate || !perSample || !isParameterMatrix(w) || !plan.perSample(input)) {
        return false;
      }
      Rows source = rowsOf(body, input);
      if (source == null || source.length != columns(w)) {
        return false;
      }
      int m = rows(w);
      int k = columns(w);
      scratch();
      sumRows = Math.max(sumRows, m);
      String flat = arrays.get(w);
      if (vectorFor(source) && m >= WIDE_ROWS) {
        vectorPanel = true;
        transposes = true;
        ownSource = true;
        panelRows = Math.max(panelRows, k);
        vectorForward = true;
        body.comment("(for the whole batch, " + BLOCK + " samples at a time: their inputs transposed into the panel, then tiles of 4 rows"
            + " of " + flat + " by 4 vectors of samples summed in registers, " + PANEL_TILE_ROWS + " panel rows at a time; a block"
            + " narrower than a tile takes dot products with the inputs where they lie)");
        body.open("for (int blockStart = lo; blockStart < hi; blockStart += " + BLOCK + ")");
        body.statement("int blockSize = Math.min(" + BLOCK + ", hi - blockStart)");
        body.open("if (blockSize >= 4 * " + species + ".length())");
        body.statement("transposeBlock(" + source.array + ", " + source.offset + ", " + source.stride + ", " + k
            + ", blockStart, blockSize, " + panel + ")");
        body.statement("rowsTimesPanelTiles(" + flat + ", " + m + ", " + k + ", " + panel + ", blockSize, " + blockSums + ")");
        body.otherwise();
        body.statement("rowsTimesSamples(" + flat + ", " + m + ", " + k + ", " + source.array + ", " + source.offset + ", "
            + source.stride + ", blockStart, blockSize, " + blockSums + ")");
        body.close();
        addBias(body, init, target, m);
        return true;
      }
      if (vectorFor(source)) {
        vectorForward = true;
        body.comment("(for the whole batch, " + BLOCK + " samples at a time: dot products of the rows of " + flat
            + " with the samples' inputs where they lie, 4 rows by 4 samples at a time in vector registers)");
        body.open("for (int blockStart = lo; blockStart < hi; blockStart += " + BLOCK + ")");
        body.statement("int blockSize = Math.min(" + BLOCK + ", hi - blockStart)");
        body.statement("rowsTimesSamples(" + flat + ", " + m + ", " + k + ", " + source.array + ", " + source.offset + ", "
            + source.stride + ", blockStart, blockSize, " + blockSums + ")");
        addBias(body, init, target, m);
        return true;
      }
      String wRows = parameterRows.computeIfAbsent(w, p -> allocate(arrays.get(p) + "Rows"));
      forward = true;
      transposes = true;
      floatSource |= source.floatInput && !ex.isFloat();
      ownSource |= !(source.floatInput && !ex.isFloat());
      panelRows = Math.max(panelRows, k);
      body.comment("(for the whole batch, " + BLOCK + " samples at a time: their inputs transposed into the panel, each row of "
          + flat + " times the panel summed for all of them at once)");
      body.statement("copyRows(" + flat + ", " + wRows + ", " + m + ", " + k + ")");
      body.open("for (int blockStart = lo; blockStart < hi; blockStart += " + BLOCK + ")");
      body.statement("int blockSize = Math.min(" + BLOCK + ", hi - blockStart)");
      body.statement("transposeBlock(" + source.array + ", " + source.offset + ", " + source.stride + ", " + k
          + ", blockStart, blockSize, " + panel + ")");
      body.statement("rowsTimesPanel(" + wRows + ", " + m + ", " + panel + ", " + k + ", blockSize, " + blockSums + ")");
      addBias(body, init, target, m);
      return true;
    }

    /**
     * {@code y = Wᵀ δ} for every sample, W a parameter matrix and δ stored per sample (the backward pass's
     * product), with the vector backend: the rows of W scaled by δ's entries, for 4 samples at a time.
     */
    boolean transposedProduct(Body body, Node product) {
      Node transposed = product.input(0);
      if (options.backend() != CodegenOptions.Backend.VECTOR || !transposed.is(Structural.TRANSPOSE)
          || plan.storage(transposed) != Storage.VIEW || !isParameterMatrix(transposed.input(0))
          || plan.storage(product) != Storage.ARRAY || !plan.perSample(product) || columns(product) != 1) {
        return false;
      }
      Node w = transposed.input(0);
      Rows source = rowsOf(body, product.input(1));
      if (source == null || source.length != rows(w) || rows(product) != columns(w) || !vectorFor(source)) {
        return false;
      }
      vectorTransposed = true;
      String flat = arrays.get(w);
      body.comment("(the rows of " + flat + " scaled by each sample's entries of " + reference(product.input(1))
          + " and summed, 2 vectors for 4 samples at a time)");
      body.statement("rowsTransposedTimesSamples(" + flat + ", " + rows(w) + ", " + columns(w) + ", " + source.array + ", "
          + source.offset + ", " + source.stride + ", lo, hi, " + arrays.get(product) + ")");
      return true;
    }

    /**
     * Scatters the block's sums to its samples, each plus {@code init} (the bias) if there is one, and
     * applies the layer's activation in the same loop when it comes next; closes the block loop.
     */
    private void addBias(Body body, Node init, Target target, int m) {
      Node activation = fusableActivation;
      if (activation != null) {
        body.comment(describe(activation) + ", in the same loop");
      }
      body.open("for (int col = 0; col < blockSize; col++)");
      body.statement("int b = blockStart + col");
      body.open("for (int i = 0; i < " + m + "; i++)");
      Ex sum = Expressions.atom(blockSums + "[i][col]");
      Ex value = init == null ? sum : ex.add(sum, elem(body, init, "b", operandIndex(init, "i")));
      body.statement(target.at("b", "i") + " = " + value.code());
      if (activation != null) {
        body.statement(arrayTarget(activation).at("b", "i") + " = " + compute(body, activation, "b", "i").code());
        activationFused = true;
      }
      body.close();
      body.close();
      body.close();
    }

    /**
     * {@code dW += (1/n) Σ_b δ_b x_bᵀ}: four samples' inputs copied to row arrays and their entries of δ
     * (scaled by 1/n) gathered, then each row of the gradient gains {@code a0 s0 + a1 s1 + a2 s2 + a3 s3}
     * in row arrays, added to the flat gradient at the end.
     */
    boolean outerProductGradient(Body body, Node node, Node parameter) {
      Node delta = node.input(0);
      Node input = node.input(1);
      if (!plan.perSample(node) || columns(delta) != 1 || !parameter.shape().isMatrix()) {
        return false;
      }
      Rows source = rowsOf(body, input);
      if (source == null || source.length != columns(node) || rows(node) != rows(parameter) || columns(node) != columns(parameter)) {
        return false;
      }
      int m = rows(delta);
      int k = source.length;
      if (coefficients == null) {
        coefficients = allocate("coefficients");
      }
      coefficientLength = Math.max(coefficientLength, m);
      body.readsInvN = true;
      String gradient = gradientArrays.get(parameter);
      int chunk = Math.max(64, Math.min(k, GRADIENT_CHUNK_VALUES / m / 16 * 16));
      Rows deltaRows = rowsOf(body, delta);
      if (deltaRows != null && deltaRows.length == m && vectorFor(source)) {
        vectorSampleProducts = true;
        body.comment("(one product for the lane's samples, " + reference(delta) + " times their inputs where they lie: tiles of 4 rows of "
            + gradient + " by 2 vectors, each summed over the samples in registers, then scaled by 1/n)");
        body.statement("addSampleProducts(" + gradient + ", " + m + ", " + k + ", " + deltaRows.array + ", " + deltaRows.offset + ", "
            + deltaRows.stride + ", " + source.array + ", " + source.offset + ", " + source.stride + ", lo, hi, invN)");
        return true;
      }
      if (vectorFor(source)) {
        vectorGradients = true;
        body.comment("(4 samples at a time: each row of " + gradient + " gains a0 s0 + a1 s1 + a2 s2 + a3 s3, the samples' inputs s"
            + " where they lie times their entries a of " + reference(delta) + " / n, a vector at a time)");
        body.open("for (int rowsStart = 0; rowsStart < " + k + "; rowsStart += " + chunk + ")");
        body.statement("int rowsEnd = Math.min(" + k + ", rowsStart + " + chunk + ")");
        body.statement("int b = lo");
        body.open("for (; b + 4 <= hi; b += 4)");
        gatherCoefficients(body, delta, m, 4);
        body.statement("addOuterProducts4(" + gradient + ", " + m + ", " + k + ", rowsStart, rowsEnd, " + coefficients + ", "
            + source.array + ", " + source.start("b") + ", " + source.start("(b + 1)") + ", " + source.start("(b + 2)") + ", "
            + source.start("(b + 3)") + ")");
        body.close();
        body.open("for (; b < hi; b++)");
        gatherCoefficients(body, delta, m, 1);
        body.statement("addOuterProducts1(" + gradient + ", " + m + ", " + k + ", rowsStart, rowsEnd, " + coefficients + "[0], "
            + source.array + ", " + source.start("b") + ")");
        body.close();
        body.close();
        return true;
      }
      String gRows = gradientRows.computeIfAbsent(parameter, p -> allocate(gradientArrays.get(p) + "Rows"));
      if (sampleRows == null) {
        sampleRows = allocate("sampleRows");
      }
      gradients = true;
      sampleLength = Math.max(sampleLength, k);
      body.comment("(4 samples at a time: each row of " + gradient + " gains a0 s0 + a1 s1 + a2 s2 + a3 s3, the samples' inputs s"
          + " times their entries a of " + reference(delta) + " / n)");
      body.statement("zeroRows(" + gRows + ")");
      body.open("for (int rowsStart = 0; rowsStart < " + k + "; rowsStart += " + chunk + ")");
      body.statement("int rowsEnd = Math.min(" + k + ", rowsStart + " + chunk + ")");
      body.statement("int b = lo");
      body.open("for (; b + 4 <= hi; b += 4)");
      for (int s = 0; s < 4; s++) {
        copyRow(body, source, s == 0 ? "b" : "(b + " + s + ")", s, k);
      }
      gatherCoefficients(body, delta, m, 4);
      body.statement("addOuterProducts4(" + gRows + ", " + m + ", rowsStart, rowsEnd, " + coefficients + ", " + sampleRows + ")");
      body.close();
      body.open("for (; b < hi; b++)");
      copyRow(body, source, "b", 0, k);
      gatherCoefficients(body, delta, m, 1);
      body.statement("addOuterProducts1(" + gRows + ", " + m + ", rowsStart, rowsEnd, " + coefficients + "[0], " + sampleRows + "[0])");
      body.close();
      body.close();
      body.statement("addRows(" + gradient + ", " + gRows + ", " + m + ", " + k + ")");
      return true;
    }

    /** {@code coefficients[s][i] = δ[b + s][i] / n} for the {@code samples} samples from {@code b}. */
    private void gatherCoefficients(Body body, Node delta, int m, int samples) {
      body.open("for (int i = 0; i < " + m + "; i++)");
      for (int s = 0; s < samples; s++) {
        Ex entry = at(body, delta, s == 0 ? "b" : "(b + " + s + ")", "i", "0");
        body.statement(coefficients + "[" + s + "][i] = " + ex.mul(Expressions.atom("invN"), entry).code());
      }
      body.close();
    }

    /** Columns {@code [rowsStart, rowsEnd)} of a sample's input, to the same columns of a sample row. */
    private void copyRow(Body body, Rows source, String b, int row, int k) {
      if (source.floatInput && !ex.isFloat()) {
        body.open("for (int j = rowsStart; j < rowsEnd; j++)");
        body.statement(sampleRows + "[" + row + "][j] = " + source.array + "[" + Expressions.index(source.start(b), "j") + "]");
        body.close();
      } else {
        body.statement("System.arraycopy(" + source.array + ", " + Expressions.index(source.start(b), "rowsStart") + ", "
            + sampleRows + "[" + row + "], rowsStart, rowsEnd - rowsStart)");
      }
    }

    /** The scratch the kernels use, made once by the constructor. */
    List<FieldSpec> fields() {
      List<FieldSpec> fields = new ArrayList<>();
      TypeName matrix = ArrayTypeName.of(arrayType());
      parameterRows.forEach((parameter, name) -> fields.add(FieldSpec.builder(matrix, name, Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("$L as row arrays, refreshed from it by each pass that reads them\n", arrays.get(parameter))
          .initializer("new $T[$L][$L]", scalarType(), rows(parameter), columns(parameter)).build()));
      gradientRows.forEach((parameter, name) -> fields.add(FieldSpec.builder(matrix, name, Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("$L accumulated in row arrays before it is added to the flat gradient\n", gradientArrays.get(parameter))
          .initializer("new $T[$L][$L]", scalarType(), rows(parameter), columns(parameter)).build()));
      if (species != null) {
        fields.add(vectorKernels().speciesField());
      }
      if (transposes) {
        fields.add(FieldSpec.builder(matrix, panel, Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("A block of up to $L samples' inputs, transposed: one row per input index\n", BLOCK)
            .initializer("new $T[$L][$L]", scalarType(), panelRows, BLOCK).build());
      }
      if (panel != null) {
        fields.add(FieldSpec.builder(matrix, blockSums, Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("The output rows of a blocked product, for the samples of the block\n")
            .initializer("new $T[$L][$L]", scalarType(), sumRows, BLOCK).build());
      }
      if (sampleRows != null) {
        fields.add(FieldSpec.builder(matrix, sampleRows, Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("The inputs of 4 samples, copied to row arrays for the weight gradients\n")
            .initializer("new $T[4][$L]", scalarType(), sampleLength).build());
      }
      if (coefficients != null) {
        fields.add(FieldSpec.builder(matrix, coefficients, Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("The entries of δ / n of 4 samples, for the weight gradients\n")
            .initializer("new $T[4][$L]", scalarType(), coefficientLength).build());
      }
      return fields;
    }

    private VectorKernels vectorKernels() {
      return new VectorKernels(options.precision(), species);
    }

    /** The static helpers the kernels call, each a few loops C2 vectorizes (or written with vectors). */
    List<MethodSpec> methods() {
      List<MethodSpec> methods = new ArrayList<>();
      if (vectorForward) {
        methods.addAll(vectorKernels().forwardMethods());
      }
      if (vectorGradients) {
        methods.addAll(vectorKernels().gradientMethods());
      }
      if (vectorSampleProducts) {
        methods.add(vectorKernels().addSampleProducts());
        methods.add(vectorKernels().addSampleProductsColumns());
      }
      if (vectorTransposed) {
        methods.add(vectorKernels().rowsTransposedTimesSamples());
        methods.add(vectorKernels().transposedColumns());
      }
      TypeName row = arrayType();
      TypeName matrix = ArrayTypeName.of(row);
      String type = ex.type();
      String zero = ex.literal(0).code();
      if (forward) {
        methods.add(MethodSpec.methodBuilder("copyRows").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .addJavadoc("rows[i] = flat[i * length .. (i + 1) * length) for each of the {@code count} rows\n")
            .addParameter(row, "flat").addParameter(matrix, "rows").addParameter(int.class, "count").addParameter(int.class, "length")
            .beginControlFlow("for (int i = 0; i < count; i++)")
            .addStatement("System.arraycopy(flat, i * length, rows[i], 0, length)")
            .endControlFlow().build());
      }
      if (transposes) {
        List<TypeName> sources = new ArrayList<>();
        if (ownSource) {
          sources.add(row);
        }
        if (floatSource) {
          sources.add(TypeName.get(float[].class));
        }
        for (TypeName source : sources) {
          methods.add(MethodSpec.methodBuilder("transposeBlock").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
              .addJavadoc("panel[k][col] = values[(blockStart + col) * stride + offset + k]: a block of samples' vectors as columns,"
                  + " 8 samples at a time, each read along its row\n")
              .addParameter(source, "values").addParameter(int.class, "offset").addParameter(int.class, "stride")
              .addParameter(int.class, "length").addParameter(int.class, "blockStart").addParameter(int.class, "blockSize")
              .addParameter(matrix, "panel")
              .addStatement("int col = 0")
              .beginControlFlow("for (; col + 8 <= blockSize; col += 8)")
              .addStatement("int s0 = (blockStart + col) * stride + offset")
              .addStatement("int s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride, s4 = s3 + stride, s5 = s4 + stride,"
                  + " s6 = s5 + stride, s7 = s6 + stride")
              .beginControlFlow("for (int k = 0; k < length; k++)")
              .addStatement("$L[] p = panel[k]", type)
              .addStatement("p[col] = values[s0 + k]")
              .addStatement("p[col + 1] = values[s1 + k]")
              .addStatement("p[col + 2] = values[s2 + k]")
              .addStatement("p[col + 3] = values[s3 + k]")
              .addStatement("p[col + 4] = values[s4 + k]")
              .addStatement("p[col + 5] = values[s5 + k]")
              .addStatement("p[col + 6] = values[s6 + k]")
              .addStatement("p[col + 7] = values[s7 + k]")
              .endControlFlow()
              .endControlFlow()
              .beginControlFlow("for (; col < blockSize; col++)")
              .addStatement("int s0 = (blockStart + col) * stride + offset")
              .beginControlFlow("for (int k = 0; k < length; k++)")
              .addStatement("panel[k][col] = values[s0 + k]")
              .endControlFlow()
              .endControlFlow().build());
        }
      }
      if (vectorPanel) {
        methods.add(vectorKernels().rowsTimesPanelTiles());
        methods.add(vectorKernels().panelColumns());
      }
      if (forward) {
        methods.add(MethodSpec.methodBuilder("rowsTimesPanel").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .addJavadoc("sums[i][col] = Σ_k w[i][k] panel[k][col] for the block's columns and each of the {@code count} rows: axpys\n"
                + "over the block, 4 rows of the panel at a time, $L panel rows (which stay in the L1 cache) for every row of w\n"
                + "before the next $L\n", PANEL_CHUNK, PANEL_CHUNK)
            .addParameter(matrix, "w").addParameter(int.class, "count").addParameter(matrix, "panel").addParameter(int.class, "length")
            .addParameter(int.class, "blockSize").addParameter(matrix, "sums")
            .beginControlFlow("for (int i = 0; i < count; i++)")
            .addStatement("$T.fill(sums[i], 0, blockSize, $L)", ARRAYS, zero)
            .endControlFlow()
            .beginControlFlow("for (int panelStart = 0; panelStart < length; panelStart += $L)", PANEL_CHUNK)
            .addStatement("int kEnd = Math.min(length, panelStart + $L)", PANEL_CHUNK)
            .beginControlFlow("for (int i = 0; i < count; i++)")
            .addStatement("$L[] wRow = w[i]", type)
            .addStatement("$L[] row = sums[i]", type)
            .addStatement("int k = panelStart")
            .beginControlFlow("for (; k + 4 <= kEnd; k += 4)")
            .addStatement("$L v0 = wRow[k], v1 = wRow[k + 1], v2 = wRow[k + 2], v3 = wRow[k + 3]", type)
            .addStatement("$L[] p0 = panel[k], p1 = panel[k + 1], p2 = panel[k + 2], p3 = panel[k + 3]", type)
            .beginControlFlow("for (int col = 0; col < blockSize; col++)")
            .addStatement("row[col] = Math.fma(v3, p3[col], Math.fma(v2, p2[col], Math.fma(v1, p1[col], Math.fma(v0, p0[col], row[col]))))")
            .endControlFlow()
            .endControlFlow()
            .beginControlFlow("for (; k < kEnd; k++)")
            .addStatement("$L v0 = wRow[k]", type)
            .addStatement("$L[] p0 = panel[k]", type)
            .beginControlFlow("for (int col = 0; col < blockSize; col++)")
            .addStatement("row[col] = Math.fma(v0, p0[col], row[col])")
            .endControlFlow()
            .endControlFlow()
            .endControlFlow()
            .endControlFlow().build());
      }
      if (gradients) {
        methods.add(MethodSpec.methodBuilder("zeroRows").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .addParameter(matrix, "rows")
            .beginControlFlow("for ($L[] r : rows)", type)
            .addStatement("$T.fill(r, $L)", ARRAYS, zero)
            .endControlFlow().build());
        methods.add(MethodSpec.methodBuilder("addOuterProducts4").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .addJavadoc("rows[i][from..to) += a[0][i] s[0] + a[1][i] s[1] + a[2][i] s[2] + a[3][i] s[3] for each of the {@code count} rows\n")
            .addParameter(matrix, "rows").addParameter(int.class, "count").addParameter(int.class, "from").addParameter(int.class, "to")
            .addParameter(matrix, "a").addParameter(matrix, "s")
            .addStatement("$L[] s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3]", type)
            .beginControlFlow("for (int i = 0; i < count; i++)")
            .addStatement("$L a0 = a[0][i], a1 = a[1][i], a2 = a[2][i], a3 = a[3][i]", type)
            .addStatement("$L[] r = rows[i]", type)
            .beginControlFlow("for (int j = from; j < to; j++)")
            .addStatement("r[j] = Math.fma(a3, s3[j], Math.fma(a2, s2[j], Math.fma(a1, s1[j], Math.fma(a0, s0[j], r[j]))))")
            .endControlFlow()
            .endControlFlow().build());
        methods.add(MethodSpec.methodBuilder("addOuterProducts1").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .addJavadoc("rows[i][from..to) += a[i] s for each of the {@code count} rows\n")
            .addParameter(matrix, "rows").addParameter(int.class, "count").addParameter(int.class, "from").addParameter(int.class, "to")
            .addParameter(row, "a").addParameter(row, "s")
            .beginControlFlow("for (int i = 0; i < count; i++)")
            .addStatement("$L a0 = a[i]", type)
            .addStatement("$L[] r = rows[i]", type)
            .beginControlFlow("for (int j = from; j < to; j++)")
            .addStatement("r[j] = Math.fma(a0, s[j], r[j])")
            .endControlFlow()
            .endControlFlow().build());
        methods.add(MethodSpec.methodBuilder("addRows").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .addJavadoc("flat[i * length + j] += rows[i][j]\n")
            .addParameter(row, "flat").addParameter(matrix, "rows").addParameter(int.class, "count").addParameter(int.class, "length")
            .beginControlFlow("for (int i = 0; i < count; i++)")
            .addStatement("$L[] r = rows[i]", type)
            .addStatement("int start = i * length")
            .beginControlFlow("for (int j = 0; j < length; j++)")
            .addStatement("flat[start + j] += r[j]")
            .endControlFlow()
            .endControlFlow().build());
      }
      return methods;
    }
  }
}
