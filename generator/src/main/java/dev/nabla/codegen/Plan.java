package dev.nabla.codegen;

import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Graph;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each value of the gradient graph lives in the generated class, and which of the runtime's kernels
 * computes each product, decided once from the network before any code is written: in its own array,
 * computed inside the loop of the one value that uses it, read through a transposed index, folded into a
 * matrix product, or accumulated straight into a gradient. The writers read it; nothing changes it.
 *
 * @param storage where each node lives
 * @param perSample whether a node differs from sample to sample
 * @param fusedProduct for a sum {@code A x + b} (or {@code conv2d(K, X) + c}) whose product is folded in: the product
 * @param gradientOf the parameters each gradient node is the gradient of, in the parameters' order
 * @param kernels the runtime kernel that computes a node's statement, for the nodes one does
 * @param adjointOwners the forward node each adjoint stands for: the latest value whose ∂H/∂v it is
 * @param gradientTerms for a gradient that is a sum of contributions, added to its array one by one: its terms
 */
record Plan(Network network, Gradients gradients, Map<Node, Storage> storage, Map<Node, Boolean> perSample,
    Map<Node, Node> fusedProduct, Map<Node, List<Node>> gradientOf, Map<Node, Kernel> kernels, Map<Node, Node> adjointOwners,
    Map<Node, List<Term>> gradientTerms, List<Node> predictNodes, List<Node> forwardNodes, List<Node> backwardNodes) {

  enum Storage {
    /** An input, label, target or parameter. */
    LEAF,
    /** A number, written as a literal. */
    CONSTANT,
    /** An elementwise value computed where its single user reads it. */
    INLINE,
    /** A transpose read with swapped indices, or a flatten (or its inverse) read in place; never stored. */
    VIEW,
    /** A product folded into the sum that adds a bias to it ({@code W x + b} in one loop). */
    FUSED,
    /** A value stored in its own array. */
    ARRAY,
    /** A parameter gradient used by nothing else: accumulated straight into the gradient array. */
    GRADIENT,
    /**
     * A product that is one term of a gradient's sum ({@code dZ1 Xᵀ} in {@code dZ1 Xᵀ + 2λ W1}), or a convolution's
     * kernel or bias gradient in one: accumulated straight into the gradient array where the sum is, never stored.
     */
    TERM
  }

  /** A term of a gradient's sum: {@code value}, or its transpose (then a product {@code δ vᵀ}, added as {@code v δᵀ}). */
  record Term(Node value, boolean transposed) {}

  /** The runtime's kernels ({@code dev.nabla.runtime.kernels.KernelSupport}) a statement may be one call of. */
  enum Kernel {
    /** {@code W x (+ b)} over the lane's samples: W a parameter matrix, x stored per sample. */
    DENSE,
    /** {@code Wᵀ δ} over the lane's samples: W a parameter matrix, δ stored per sample. */
    TRANSPOSED_DENSE,
    /** {@code dW += (1/n) Σ_b δ_b x_bᵀ}: δ and x stored per sample. */
    WEIGHT_GRADIENT,
    /** {@code conv2d(K, X) (+ c)} over the lane's samples, the bias per channel folded in: K a parameter. */
    CONV
  }

  /** The plan for {@code network}'s passes and {@code gradients}. */
  static Plan of(Network network, Gradients gradients) {
    Planner planner = new Planner(network, gradients);
    List<Node> backwardRoots = new ArrayList<>();
    for (Node parameter : network.parameters()) {
      backwardRoots.add(gradients.of(parameter));
    }
    List<Node> forwardRoots = new ArrayList<>(List.of(network.loss()));
    if (logSoftmaxScoredLoss(network, planner.storage, planner.perSample) != null) {
      forwardRoots.add(network.output());
    }
    List<Node> forward = planner.computed(Differentiator.reachable(forwardRoots), Set.of());
    Map<Node, List<Node>> gradientOf = new LinkedHashMap<>();
    planner.gradientOf.forEach((gradient, parameters) -> gradientOf.put(gradient, List.copyOf(parameters)));
    return new Plan(network, gradients, frozen(planner.storage), frozen(planner.perSample), frozen(planner.fusedProduct),
        Collections.unmodifiableMap(gradientOf), frozen(planner.kernels()), frozen(planner.adjointOwners()),
        frozen(planner.terms), planner.computed(Differentiator.reachable(network.output()), Set.of()), forward,
        planner.computed(Differentiator.reachable(backwardRoots), new LinkedHashSet<>(forward)));
  }

  /**
   * The cross-entropy of the loss whose scores the output takes the log-softmax of, when the forward pass is to compute
   * that output before the loss and read the loss off it, {@code −out[label]}: the lesson's {@code out = logsoftmax(z)}
   * with {@code loss = nll(out, y)}, which the engine rewrites to {@code cross_entropy(z, y)}. The same bits as the
   * cross-entropy (its log-sum-exp is the log-softmax's, term by term), and the log-sum-exp of an evaluation's scores is
   * taken once, not once for the loss and again for the output. Null otherwise: the output is not kept per sample, the
   * loss is not against the labels, or the output comes after the loss in the spec.
   */
  static Node logSoftmaxScoredLoss(Network network, Map<Node, Storage> storage, Map<Node, Boolean> perSample) {
    Node output = network.output();
    Node label = network.label().orElse(null);
    if (label == null || !output.is(Structural.LOGSOFTMAX) || storage.get(output) != Storage.ARRAY
        || !perSample.get(output)) {
      return null;
    }
    for (Node node : Differentiator.reachable(network.loss())) {
      if (node.is(Loss.CROSS_ENTROPY) && node.input(0) == output.input(0) && node.input(1) == label
          && node.id() > output.id() && storage.get(node) == Storage.ARRAY) {
        return node;
      }
    }
    return null;
  }

  /** {@link #logSoftmaxScoredLoss(Network, Map, Map)} of this plan's network: the loss the forward pass reads off the output. */
  Node logSoftmaxScoredLoss() {
    return logSoftmaxScoredLoss(network, storage, perSample);
  }

  /** An unmodifiable copy that keeps comparing nodes by identity. */
  private static <V> Map<Node, V> frozen(Map<Node, V> map) {
    return Collections.unmodifiableMap(new IdentityHashMap<>(map));
  }

  Storage storage(Node node) {
    return storage.get(node);
  }

  boolean perSample(Node node) {
    return perSample.get(node);
  }

  /** The kernel that computes {@code node}'s statement, or null when it is written as loops. */
  Kernel kernel(Node node) {
    return kernels.get(node);
  }

  static boolean isElementwise(Op op) {
    return Planner.isElementwiseOp(op);
  }

  /** A value read in place from its operand: a transpose of the same layout or a flatten (or its inverse). */
  static boolean isView(Node node, Storage storage) {
    return storage == Storage.VIEW && (node.is(Structural.TRANSPOSE) || node.op() instanceof Spatial.Flatten
        || node.op() instanceof Spatial.Unflatten);
  }

  boolean isZero(Node node) {
    return Graph.isZero(node);
  }

  /** Every node stored in an array, in topological order. */
  List<Node> arrays() {
    List<Node> arrays = new ArrayList<>();
    for (Node node : network.graph().nodes()) {
      if (storage.get(node) == Storage.ARRAY) {
        arrays.add(node);
      }
    }
    return arrays;
  }

  /** The decisions while they are being made; {@link #of} freezes them into the plan. */
  private static final class Planner {
    final Network network;
    final Gradients gradients;
    final Map<Node, Storage> storage = new IdentityHashMap<>();
    final Map<Node, Boolean> perSample = new IdentityHashMap<>();
    final Map<Node, Node> fusedProduct = new IdentityHashMap<>();
    final Map<Node, List<Node>> gradientOf = new LinkedHashMap<>();
    final Map<Node, List<Term>> terms = new IdentityHashMap<>();
    final Set<Node> transposedTerms = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The parameter whose gradient each term of {@link #terms} is added to. */
    final Map<Node, Node> termOf = new IdentityHashMap<>();
    final List<Node> all;
    final Node label;

    Planner(Network network, Gradients gradients) {
      this.network = network;
      this.gradients = gradients;
      for (Node parameter : network.parameters()) {
        gradientOf.computeIfAbsent(gradients.of(parameter), key -> new ArrayList<>()).add(parameter);
      }
      List<Node> roots = new ArrayList<>();
      roots.add(network.loss());
      roots.add(network.output());
      for (Node parameter : network.parameters()) {
        roots.add(gradients.of(parameter));
      }
      this.label = network.label().orElse(null);
      this.all = Differentiator.reachable(roots);
      Map<Node, List<Node>> consumers = new IdentityHashMap<>();
      for (Node node : all) {
        consumers.put(node, new ArrayList<>());
        boolean sample = node.op() instanceof Op.Leaf leaf && leaf.kind() != Op.Leaf.Kind.PARAM;
        for (Node input : node.inputs()) {
          consumers.get(input).add(node);
          sample |= perSample.get(input);
        }
        perSample.put(node, sample);
      }
      // Fold each product into the sum that adds a bias to it, when nothing else reads the product.
      for (Node node : all) {
        if (node.is(Binary.ADD) && !isForced(node)) {
          for (Node operand : node.inputs()) {
            if (operand.is(Structural.MATMUL) && consumers.get(operand).size() == 1 && !isForced(operand)
                && operand.shape().equals(node.shape()) && node.input(0) != node.input(1)) {
              fusedProduct.put(node, operand);
              storage.put(operand, Storage.FUSED);
              storage.put(node, Storage.ARRAY);
              break;
            }
          }
        }
      }
      // Fold each convolution into the sum that adds a bias per channel to it, when nothing else reads it.
      for (Node node : all) {
        if (node.is(Binary.ADD) && !isForced(node) && !fusedProduct.containsKey(node) && node.input(0) != node.input(1)) {
          for (int k = 0; k < 2; k++) {
            Node conv = node.input(k);
            Node bias = node.input(1 - k);
            if (conv.op() instanceof Spatial.Conv2d && consumers.get(conv).size() == 1 && !isForced(conv)
                && conv.shape().equals(node.shape()) && isParameter(bias) && bias.shape().isVector()
                && bias.shape().size() == conv.shape().dim(0).size() && !storage.containsKey(conv)) {
              fusedProduct.put(node, conv);
              storage.put(conv, Storage.FUSED);
              storage.put(node, Storage.ARRAY);
              break;
            }
          }
        }
      }
      for (Node node : all) {
        if (!storage.containsKey(node)) {
          storage.put(node, decide(node, consumers.get(node)));
        }
      }
      for (Node parameter : network.parameters()) {
        splitIntoTerms(gradients.of(parameter), parameter, consumers);
      }
    }

    /**
     * A gradient summed over the samples that is a sum of contributions (a term added to the loss, a parameter used
     * twice) is added to its array term by term, each in its best way: a product {@code δ xᵀ}, or the transpose
     * {@code (δ vᵀ)ᵀ} of one (a use as {@code Wᵀ v}), by the weight-gradient kernel over the lane's samples, and
     * never stored; a term the same for every sample once per batch (by the lane that has its first sample, since
     * the lanes' gradients are summed). Written as one sum, the sum's elements would be computed per sample, so the
     * products in it would be stored for every sample.
     */
    private void splitIntoTerms(Node gradient, Node parameter, Map<Node, List<Node>> consumers) {
      if (!gradient.is(Binary.ADD) || gradientOf.get(gradient).size() != 1 || !consumers.get(gradient).isEmpty()
          || !perSample.get(gradient) || storage.get(gradient) != Storage.GRADIENT) {
        return;
      }
      List<Term> sum = new ArrayList<>();
      List<Node> inner = new ArrayList<>();
      collectTerms(gradient, false, gradient, parameter, consumers, sum, inner);
      boolean worthIt = sum.stream().anyMatch(term -> term.value().is(Structural.MATMUL) || isKernelGradient(term.value())
          || !perSample.get(term.value()));
      if (sum.size() < 2 || !worthIt) {
        return;
      }
      terms.put(gradient, List.copyOf(sum));
      for (Node node : inner) {
        storage.put(node, Storage.INLINE); // read by nothing now: never computed
        fusedProduct.remove(node);
      }
      for (Term term : sum) {
        Node value = term.value();
        termOf.put(value, parameter);
        if (term.transposed()) {
          transposedTerms.add(value);
        }
        boolean own = consumers.get(value).size() == 1 && !isForced(value);
        if (term.transposed() || (own && (value.is(Structural.MATMUL) || isKernelGradient(value)))) {
          storage.put(value, Storage.TERM);
        } else if (own && isElementwiseOp(value.op()) && !perSample.get(value)) {
          storage.put(value, Storage.INLINE); // computed where it is added, once per batch
        }
      }
    }

    /** A convolution's kernel or bias gradient: its kernel adds the batch mean to the gradient array itself. */
    private static boolean isKernelGradient(Node node) {
      return node.op() instanceof Spatial.Conv2dKernelGradient || node.op() instanceof Spatial.ChannelSum;
    }

    /**
     * The terms of the sum {@code node} (transposed, when it is read through a transpose), into {@code sum}; the sums
     * and transposes gone through, which nothing else reads, into {@code inner}. A transpose is gone through only when
     * every term under it is a product the kernel takes transposed.
     */
    private void collectTerms(Node node, boolean transposed, Node gradient, Node parameter, Map<Node, List<Node>> consumers,
        List<Term> sum, List<Node> inner) {
      boolean own = node == gradient || (consumers.get(node).size() == 1 && !isForced(node));
      if (own && node.is(Binary.ADD) && node.input(0) != node.input(1) && node.input(0).shape().equals(node.shape())
          && node.input(1).shape().equals(node.shape())) {
        if (node != gradient) {
          inner.add(node);
        }
        collectTerms(node.input(0), transposed, gradient, parameter, consumers, sum, inner);
        collectTerms(node.input(1), transposed, gradient, parameter, consumers, sum, inner);
        return;
      }
      if (own && !transposed && node.is(Structural.TRANSPOSE)) {
        List<Term> under = new ArrayList<>();
        List<Node> innerUnder = new ArrayList<>();
        collectTerms(node.input(0), true, gradient, parameter, consumers, under, innerUnder);
        if (under.stream().allMatch(term -> term.transposed() && fitsTransposedWeightGradient(term.value(), parameter))) {
          inner.add(node);
          inner.addAll(innerUnder);
          sum.addAll(under);
          return;
        }
      }
      boolean product = own && node.is(Structural.MATMUL);
      // Under a transpose, a value that is not a product makes the transpose itself a term (see above).
      sum.add(new Term(node, transposed && product));
    }

    /** Whether {@code (δ vᵀ)ᵀ = v δᵀ}, {@code product} being {@code δ vᵀ}, is the weight-gradient kernel with δ and v swapped. */
    private boolean fitsTransposedWeightGradient(Node product, Node parameter) {
      Node delta = product.input(0);
      return product.is(Structural.MATMUL) && perSample.get(product) && columns(delta) == 1 && parameter.shape().isMatrix()
          && rowLength(delta) == rows(delta) && rowLength(product.input(1)) == columns(product)
          && columns(product) == rows(parameter) && rows(product) == columns(parameter);
    }

    /** The output, the loss and the gradients are read by name, so they are never folded away. */
    private boolean isForced(Node node) {
      return node == network.output() || node == network.loss() || gradientOf.containsKey(node);
    }

    private Storage decide(Node node, List<Node> users) {
      Op op = node.op();
      if (op instanceof Op.Leaf) {
        return Storage.LEAF;
      }
      if (op instanceof Op.Constant || op instanceof Op.Size) {
        return Storage.CONSTANT;
      }
      boolean output = node == network.output() || node == network.loss();
      boolean gradient = gradientOf.containsKey(node);
      if (op instanceof Op.Broadcast) {
        // the image operations' kernels read arrays: a δ spread from a scalar is stored for them
        boolean kernelReads = users.stream().anyMatch(user -> user.op() instanceof Spatial
            && !(user.op() instanceof Spatial.Flatten || user.op() instanceof Spatial.Unflatten));
        return output || kernelReads ? Storage.ARRAY : Storage.INLINE;
      }
      if (op == Structural.TRANSPOSE) {
        if (output) {
          return Storage.ARRAY;
        }
        Node input = node.input(0);
        boolean sameLayout = input.shape().isVector() || input.shape().isRow() || input.shape().isScalar();
        if (sameLayout || (!gradient && !users.isEmpty() && users.stream().allMatch(user -> user.is(Structural.MATMUL)))) {
          return Storage.VIEW;
        }
        return Storage.ARRAY;
      }
      if (output) {
        return Storage.ARRAY;
      }
      if ((op instanceof Spatial.Flatten || op instanceof Spatial.Unflatten) && !gradient) {
        return Storage.VIEW; // the same values in the same order: read in place
      }
      boolean elementwise = isElementwiseOp(op);
      if (gradient) {
        boolean single = users.isEmpty() && gradientOf.get(node).size() == 1;
        boolean accumulated = elementwise || op == Structural.MATMUL || op instanceof Spatial.Conv2dKernelGradient
            || op instanceof Spatial.ChannelSum;
        return single && accumulated ? Storage.GRADIENT : Storage.ARRAY;
      }
      if (elementwise && users.size() == 1 && readsOnce(users.get(0)) && (perSample.get(node) || !perSample.get(users.get(0)))) {
        return Storage.INLINE;
      }
      return Storage.ARRAY;
    }

    private static boolean isElementwiseOp(Op op) {
      return op instanceof Unary || op instanceof Binary || op instanceof Op.Power;
    }

    /** Whether {@code user} reads each element of its operands once, so that they may be computed in its loop. */
    private static boolean readsOnce(Node user) {
      Op op = user.op();
      if (op == Unary.SOFTPLUS || (op instanceof Op.Power power && power.exponent() == 2)) {
        return false;
      }
      return isElementwiseOp(op) || op == Structural.SUM || op == Structural.MEAN || op == Structural.SOFTMAX
          || op == Structural.LOGSOFTMAX || op == Loss.MSE || op == Loss.BCE;
    }

    /** The nodes among {@code reachable} that a pass computes, in topological order. */
    List<Node> computed(List<Node> reachable, Set<Node> done) {
      List<Node> nodes = new ArrayList<>();
      for (Node node : reachable) {
        Storage kind = storage.get(node);
        if ((kind == Storage.ARRAY || kind == Storage.GRADIENT) && !done.contains(node)) {
          nodes.add(node);
        }
      }
      return nodes;
    }


    /** Which statements are one kernel call: a product of the shapes and storage the kernel takes. */
    Map<Node, Kernel> kernels() {
      Map<Node, Kernel> kernels = new IdentityHashMap<>();
      for (Node node : all) {
        Node fused = fusedProduct.get(node);
        if (fused != null && fused.op() instanceof Spatial.Conv2d) {
          kernels.put(node, Kernel.CONV);
        } else if (fused != null ? fitsDense(node, fused) : node.is(Structural.MATMUL) && fitsDense(node, node)) {
          kernels.put(node, Kernel.DENSE);
        } else if (fused == null && node.is(Structural.MATMUL) && fitsTransposedDense(node)) {
          kernels.put(node, Kernel.TRANSPOSED_DENSE);
        } else if (storage.get(node) == Storage.GRADIENT && node.is(Structural.MATMUL)
            && fitsWeightGradient(node, gradientOf.get(node).get(0))) {
          kernels.put(node, Kernel.WEIGHT_GRADIENT);
        } else if (storage.get(node) == Storage.TERM && (transposedTerms.contains(node)
            ? fitsTransposedWeightGradient(node, termOf.get(node)) : fitsWeightGradient(node, termOf.get(node)))) {
          kernels.put(node, Kernel.WEIGHT_GRADIENT);
        }
      }
      return kernels;
    }

    private boolean fitsDense(Node node, Node product) {
      Node w = product.input(0);
      return isParameterMatrix(w) && storage.get(node) == Storage.ARRAY && perSample.get(node) && size(node) == rows(w)
          && rowLength(product.input(1)) == columns(w) && perSample.get(product.input(1));
    }

    private boolean fitsTransposedDense(Node product) {
      Node transposed = product.input(0);
      if (!transposed.is(Structural.TRANSPOSE) || storage.get(transposed) != Storage.VIEW || !isParameterMatrix(transposed.input(0))
          || storage.get(product) != Storage.ARRAY || !perSample.get(product) || columns(product) != 1) {
        return false;
      }
      Node w = transposed.input(0);
      return rowLength(product.input(1)) == rows(w) && rows(product) == columns(w);
    }

    private boolean fitsWeightGradient(Node node, Node parameter) {
      Node delta = node.input(0);
      return perSample.get(node) && columns(delta) == 1 && parameter.shape().isMatrix()
          && rowLength(delta) == rows(delta) && rowLength(node.input(1)) == columns(node)
          && rows(node) == rows(parameter) && columns(node) == columns(parameter);
    }

    /**
     * The length of the row a kernel reads per sample for {@code node} (an input's slice or a stored
     * per-sample vector, through a transposed view), or -1 when it is not one.
     */
    private long rowLength(Node node) {
      if (isView(node, storage.get(node))) {
        return rowLength(node.input(0));
      }
      if (!Elements.isRowShape(node)) {
        return -1;
      }
      boolean input = node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.INPUT;
      return input || (storage.get(node) == Storage.ARRAY && perSample.get(node) && node != label) ? size(node) : -1;
    }

    private static boolean isParameter(Node node) {
      return node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM;
    }

    private static boolean isParameterMatrix(Node node) {
      return node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM && node.shape().isMatrix();
    }

    private static long size(Node node) {
      return node.shape().size();
    }

    private static long rows(Node node) {
      return node.shape().rows().size();
    }

    private static long columns(Node node) {
      return node.shape().columns().size();
    }

    /** The forward node each adjoint stands for: the latest value whose ∂H/∂v it is. */
    Map<Node, Node> adjointOwners() {
      Map<Node, Node> owners = new HashMap<>();
      gradients.adjoints().forEach((value, adjoint) -> {
        Node previous = owners.get(adjoint);
        boolean better = previous == null
            || (previous.isLeaf() && !value.isLeaf())
            || (previous.isLeaf() == value.isLeaf() && value.id() > previous.id());
        if (better && value != adjoint) {
          owners.put(adjoint, value);
        }
      });
      return owners;
    }
  }
}
