package dev.nabla.codegen;

import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Graph;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each value of the gradient graph lives in the generated class, decided before any code is
 * written: in its own array, computed inside the loop of the one value that uses it, read through a
 * transposed index, folded into a matrix product, or accumulated straight into a gradient.
 */
final class Plan {

  enum Storage {
    /** An input, label, target or parameter. */
    LEAF,
    /** A number, written as a literal. */
    CONSTANT,
    /** An elementwise value computed where its single user reads it. */
    INLINE,
    /** A transpose read with swapped indices; never stored. */
    VIEW,
    /** A product folded into the sum that adds a bias to it ({@code W x + b} in one loop). */
    FUSED,
    /** A value stored in its own array. */
    ARRAY,
    /** A parameter gradient used by nothing else: accumulated straight into the gradient array. */
    GRADIENT
  }

  final Network network;
  final Gradients gradients;
  final Map<Node, Storage> storage = new IdentityHashMap<>();
  final Map<Node, Boolean> perSample = new IdentityHashMap<>();
  /** For a sum {@code A x + b} whose product is folded in: the product. */
  final Map<Node, Node> fusedProduct = new IdentityHashMap<>();
  /** The parameters each gradient node is the gradient of. */
  final Map<Node, List<Node>> gradientOf = new java.util.LinkedHashMap<>();
  final List<Node> predictNodes;
  final List<Node> forwardNodes;
  final List<Node> backwardNodes;

  Plan(Network network, Gradients gradients) {
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
    List<Node> all = Differentiator.reachable(roots);
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
    for (Node node : all) {
      if (!storage.containsKey(node)) {
        storage.put(node, decide(node, consumers.get(node)));
      }
    }
    predictNodes = computed(Differentiator.reachable(network.output()), Set.of());
    forwardNodes = computed(Differentiator.reachable(network.loss()), Set.of());
    List<Node> backwardRoots = new ArrayList<>();
    for (Node parameter : network.parameters()) {
      backwardRoots.add(gradients.of(parameter));
    }
    backwardNodes = computed(Differentiator.reachable(backwardRoots), new LinkedHashSet<>(forwardNodes));
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
      return output ? Storage.ARRAY : Storage.INLINE;
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
    boolean elementwise = isElementwise(op);
    if (gradient) {
      boolean single = users.isEmpty() && gradientOf.get(node).size() == 1;
      return single && (elementwise || op == Structural.MATMUL) ? Storage.GRADIENT : Storage.ARRAY;
    }
    if (elementwise && users.size() == 1 && readsOnce(users.get(0)) && (perSample.get(node) || !perSample.get(users.get(0)))) {
      return Storage.INLINE;
    }
    return Storage.ARRAY;
  }

  static boolean isElementwise(Op op) {
    return op instanceof Unary || op instanceof Binary || op instanceof Op.Power;
  }

  /** Whether {@code user} reads each element of its operands once, so that they may be computed in its loop. */
  private static boolean readsOnce(Node user) {
    Op op = user.op();
    if (op == Unary.SOFTPLUS || (op instanceof Op.Power power && power.exponent() == 2)) {
      return false;
    }
    return isElementwise(op) || op == Structural.SUM || op == Structural.MEAN || op == Structural.SOFTMAX
        || op == Structural.LOGSOFTMAX || op == Loss.MSE || op == Loss.BCE;
  }

  /** The nodes among {@code reachable} that a pass computes, in topological order. */
  private List<Node> computed(List<Node> reachable, Set<Node> done) {
    List<Node> nodes = new ArrayList<>();
    for (Node node : reachable) {
      Storage kind = storage.get(node);
      if ((kind == Storage.ARRAY || kind == Storage.GRADIENT) && !done.contains(node)) {
        nodes.add(node);
      }
    }
    return nodes;
  }

  Storage storage(Node node) {
    return storage.get(node);
  }

  boolean perSample(Node node) {
    return perSample.get(node);
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
