package dev.nabla.symbolic;

import java.util.Map;

/**
 * The result of reverse-mode differentiation: the gradient of the loss with respect to each
 * requested leaf, and the adjoint {@code ∂H/∂v} of every value on the way, all nodes of the
 * network's graph.
 *
 * @param network what was differentiated
 * @param byLeaf ∂H/∂leaf for each requested leaf, in the order requested
 * @param adjoints ∂H/∂v for every value v the gradient flows through
 */
public record Gradients(Network network, Map<Node, Node> byLeaf, Map<Node, Node> adjoints) {

  public Node of(Node leaf) {
    Node gradient = byLeaf.get(leaf);
    if (gradient == null) {
      throw new IllegalArgumentException("no gradient was asked for " + leaf);
    }
    return gradient;
  }
}
