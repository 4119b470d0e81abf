package dev.nabla.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeName;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.codegen.Plan.Storage;
import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The first layer of the class writer: the names of a network's values in the generated class, chosen
 * through one {@link NameAllocator} (keyword-safe, collision-free) that holds the fields alone, and their
 * sizes. Each method names its locals from a clone of it ({@link MethodBody}), so that no local hides a
 * field, and JavaPoet writes qualified a type whose simple name a field has. Each layer above adds one job: {@link Comments} the formulas in comments,
 * {@link Elements} the element expressions, {@link KernelCalls} the calls into the runtime's kernels,
 * {@link PassWriter} the passes, {@link JavaWriter} the class.
 */
abstract class ValueNames {
  static final ClassName MODEL_INFO = ClassName.get("dev.nabla.runtime", "ModelInfo");
  static final ClassName INITIALIZERS = ClassName.get("dev.nabla.runtime", "Initializers");
  static final ClassName FLOAT_NETWORK = ClassName.get("dev.nabla.runtime", "FloatNetwork");
  static final ClassName DOUBLE_NETWORK = ClassName.get("dev.nabla.runtime", "DoubleNetwork");
  static final ClassName SPLITTABLE_RANDOM = ClassName.get("java.util", "SplittableRandom");
  static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  static final ClassName LIST = ClassName.get("java.util", "List");

  final Network network;

  final CodegenOptions options;

  final Plan plan;

  final Expressions ex;

  final String className;

  final NameAllocator names = new NameAllocator();

  final Set<String> taken = new HashSet<>();

  final Map<Node, String> baseNames = new IdentityHashMap<>();

  final Map<Node, String> arrays = new IdentityHashMap<>();

  final Map<Node, String> gradientArrays = new IdentityHashMap<>();

  final Map<Node, Node> adjointOwners;

  final Node label;

  final Node target;

  final Map<Node, Integer> inputOffsets = new IdentityHashMap<>();

  final int inputSize;

  /** Whether a pass reads the labels as one-hot rows, which the forward pass then fills. */
  final boolean oneHot;

  /**
   * The most arrays a generated class declares: each is a field initialized in the constructor, and
   * about 6,000 of them fill the constructor's 64 KiB (measured: 6,004 compile, 9,004 do not).
   */
  static final int MAX_STORED_VALUES = 5_000;

  /** In a double model, the field holding the inputs widened to double, which its passes read instead of {@code x}; else null. */
  final String inputs;

  ValueNames(Network network, Gradients gradients, CodegenOptions options) {
    this.network = network;
    this.options = options;
    this.className = Identifiers.checkClassName(network.name());
    for (Node node : network.graph().nodes()) {
      if (!node.shape().isKnown()) {
        throw new UnsupportedSpecException("cannot generate Java for " + network.name() + ": the shape of "
            + network.names().getOrDefault(node, node.op().toString()) + " is " + node.shape() + "; give every dimension a size");
      }
    }
    if (network.label().isPresent() && network.target().isPresent()) {
      throw new UnsupportedSpecException("a model takes a class label or a target, not both");
    }
    this.plan = Plan.of(network, gradients);
    int stored = plan.arrays().size() + 2 * network.parameters().size();
    if (stored > MAX_STORED_VALUES) {
      throw new UnsupportedSpecException(String.format(Locale.ROOT,
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
    // Fields only: each method names its locals from a clone of this allocator (MethodBody), so that a local never
    // shadows a field, and JavaPoet qualifies a type whose simple name a field has (JavaWriter's alwaysQualify).
    // The class's own constants come first, so that they keep these names (SPEC_HASH and DEFAULT_MAX_BATCH are its API).
    for (String constant : List.of("SPEC_HASH", "DEFAULT_MAX_BATCH", "INFO", className)) {
      allocate(constant);
    }
    for (Node parameter : network.parameters()) {
      arrays.put(parameter, allocate(Network.leafName(parameter)));
    }
    for (Node parameter : network.parameters()) {
      gradientArrays.put(parameter, allocate("d" + arrays.get(parameter)));
    }
    this.inputs = options.precision() == Precision.DOUBLE ? allocate("inputs") : null;
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

  /** The next suffix to try per base name, so that naming thousands of values stays linear. */
  final Map<String, Integer> nextSuffix = new HashMap<>();

  String allocate(String suggestion) {
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

  static String capitalize(String name) {
    return name.isEmpty() ? name : name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
  }

  static String lowerFirst(String name) {
    return name.isEmpty() ? name : name.substring(0, 1).toLowerCase(Locale.ROOT) + name.substring(1);
  }

  /** A short name for a value: the spec's, {@code dZ1} for an adjoint, or its role ({@code z2}, {@code softmax}). */
  String baseName(Node node, Set<Node> visiting) {
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
    } else if (isLayerSum(node)) {
      int layer = 1;
      for (Node other : network.graph().nodes()) {
        if (other == node) {
          break;
        }
        if (isLayerSum(other)) {
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

  /** {@code W x + b}, {@code conv2d(K, X) + c}: a layer's weighted sum, named {@code z1}, {@code z2}… in layer order. */
  private static boolean isLayerSum(Node node) {
    return (node.is(Binary.ADD) || node.is(Binary.SUB))
        && node.inputs().stream().anyMatch(in -> in.is(Structural.MATMUL) || in.op() instanceof Spatial.Conv2d);
  }

  static String role(Node node) {
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
    if (op instanceof Spatial) {
      return spatialRole(op);
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

  private static String spatialRole(Op op) {
    if (op instanceof Spatial.Conv2d) {
      return "conv";
    } else if (op instanceof Spatial.Conv2dInputGradient || op instanceof Spatial.Conv2dKernelGradient) {
      return "convGradient";
    } else if (op instanceof Spatial.ChannelSum) {
      return "channelSum";
    } else if (op instanceof Spatial.MaxPool || op instanceof Spatial.AvgPool) {
      return "pooled";
    } else if (op instanceof Spatial.MaxPoolGradient || op instanceof Spatial.AvgPoolGradient) {
      return "poolGradient";
    } else if (op instanceof Spatial.Flatten) {
      return "flat";
    } else if (op instanceof Spatial.Unflatten) {
      return "image";
    } else if (op instanceof Spatial.Dropout) {
      return "dropped";
    } else if (op instanceof Spatial.DropoutMask mask) {
      return mask.name(); // m1, as the formulas write it
    }
    return "value";
  }

  int size(Node node) {
    return Math.toIntExact(node.shape().size());
  }

  static int rows(Node node) {
    return (int) node.shape().rows().size();
  }

  static int columns(Node node) {
    return (int) node.shape().columns().size();
  }

  TypeName scalarType() {
    return options.precision() == Precision.FLOAT ? TypeName.FLOAT : TypeName.DOUBLE;
  }

  TypeName arrayType() {
    return ArrayTypeName.of(scalarType());
  }

  boolean hasLabels() {
    return label != null;
  }

  /** Values kept per batch row: every per-sample array. */
  int activationsPerSample() {
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

  long parameterCount() {
    long total = 0;
    for (Node parameter : network.parameters()) {
      total += size(parameter);
    }
    return total;
  }

  /** The array a body reads the inputs from: its {@code x}, or in a double model the widened copy. */
  String inputArray(MethodBody body) {
    String x = body.read(MethodBody.Read.X);
    body.read(MethodBody.Read.X_IN_ORDER);
    return options.precision() == Precision.DOUBLE ? inputs : x;
  }

  /**
   * The {@code xRows} a training pass hands a product that reads the inputs through them (a shuffled batch where it
   * lies in its data set); {@code null} where the inputs are only ever in order: in the prediction, and in a double
   * model, which reads its widened copy.
   */
  String inputRows(MethodBody body) {
    if (!body.pass.ofBatch || options.precision() == Precision.DOUBLE) {
      return null;
    }
    return body.read(MethodBody.Read.X_ROWS);
  }

  /**
   * Where the batch's first input is in the array {@link #inputArray} gives: the pass's {@code xOffset}, as the runtime
   * hands a batch of consecutive samples where they lie; none in a double model, whose widened copy starts the batch.
   */
  String inputBase(MethodBody body) {
    return options.precision() == Precision.DOUBLE ? null : body.name("xOffset");
  }

  String offsetOf(Node input) {
    int offset = inputOffsets.get(input);
    return offset == 0 ? null : Integer.toString(offset);
  }

  String dimensions(Node node) {
    Shape shape = node.shape();
    if (shape.isScalar()) {
      return "1";
    }
    return String.join(" * ", shape.dims().stream().map(dim -> Long.toString(dim.size())).toList());
  }

  /** Whether any computed value reads the label other than as the class index a loss picks. */
  boolean readsOneHot() {
    if (plan.gradientOf().containsKey(label)) {
      return true;
    }
    for (Map.Entry<Node, Storage> entry : plan.storage().entrySet()) {
      Node node = entry.getKey();
      boolean picksClass = (node.is(Loss.CROSS_ENTROPY) || node.is(Loss.NLL)) && node.input(1) == label && node.input(0) != label;
      if (entry.getValue() != Storage.LEAF && node.inputs().contains(label) && !picksClass) {
        return true;
      }
    }
    return false;
  }
}
