package dev.nabla.symbolic;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over the DAG: the lesson's backpropagation, for any graph.
 *
 * <p>From the scalar loss, with ∂H/∂H = 1, each node in reverse topological order hands its
 * adjoint to its operands through its operation's vector-Jacobian product. Where a value feeds two
 * consumers, the two contributions add up (the multivariable chain rule of the lesson's exercise 3).
 * Only nodes on a path to a requested leaf are visited, and every step adds a constant number of
 * nodes, so the gradient graph grows linearly with the forward graph.
 *
 * <p>Derivatives are ordinary nodes of the same graph, so differentiating a derivative works the
 * same way: a Hessian-vector product is the gradient of {@code sum(∇H ⊙ v)}.
 */
public final class Differentiator {
  private Differentiator() {}

  /** ∂H/∂p for every parameter of the network. */
  public static Gradients parameters(Network network) {
    return derive(network, network.loss(), network.parameters());
  }

  /** ∂(scalar)/∂leaf for each of {@code leaves}; a leaf the scalar does not depend on gets a zero. */
  public static Gradients derive(Network network, Node scalar, Collection<Node> leaves) {
    if (!scalar.shape().isScalar()) {
      throw new IllegalArgumentException("only a scalar can be differentiated, not " + scalar.shape());
    }
    Graph graph = network.graph();
    List<Node> order = reachable(scalar);
    BitSet wanted = new BitSet();
    for (Node leaf : leaves) {
      wanted.set(leaf.id());
    }
    // A node needs an adjoint when some requested leaf lies below it.
    BitSet needed = new BitSet();
    for (Node node : order) {
      boolean needs = wanted.get(node.id());
      for (Node input : node.inputs()) {
        needs |= needed.get(input.id());
      }
      if (needs) {
        needed.set(node.id());
      }
    }
    Map<Node, Node> adjoints = new LinkedHashMap<>();
    adjoints.put(scalar, graph.constant(1));
    for (int i = order.size() - 1; i >= 0; i--) {
      Node node = order.get(i);
      Node adjoint = adjoints.get(node);
      if (adjoint == null || node.isLeaf()) {
        continue;
      }
      for (int k = 0; k < node.inputs().size(); k++) {
        Node input = node.input(k);
        if (!needed.get(input.id())) {
          continue;
        }
        Node contribution = node.op().vjp(graph, node, k, adjoint);
        if (contribution != null) {
          Node previous = adjoints.get(input);
          adjoints.put(input, previous == null ? contribution : graph.add(previous, contribution));
        }
      }
    }
    Map<Node, Node> byLeaf = new LinkedHashMap<>();
    for (Node leaf : leaves) {
      Node gradient = adjoints.get(leaf);
      byLeaf.put(leaf, gradient != null ? gradient : graph.zero(leaf.shape()));
    }
    return new Gradients(network, byLeaf, adjoints);
  }

  /** Every node {@code root} depends on, itself included, in topological (id) order; no recursion. */
  public static List<Node> reachable(Node root) {
    return reachable(List.of(root));
  }

  public static List<Node> reachable(Collection<Node> roots) {
    Map<Node, Boolean> seen = new IdentityHashMap<>();
    List<Node> stack = new ArrayList<>(roots);
    List<Node> found = new ArrayList<>();
    while (!stack.isEmpty()) {
      Node node = stack.remove(stack.size() - 1);
      if (seen.put(node, Boolean.TRUE) == null) {
        found.add(node);
        stack.addAll(node.inputs());
      }
    }
    found.sort(Comparator.comparingInt(Node::id));
    return found;
  }
}
