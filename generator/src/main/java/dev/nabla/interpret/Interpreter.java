package dev.nabla.interpret;

import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Evaluates any graph in double precision, each node by its operation's own {@code evaluate}: the
 * reference the generated code is tested against, and the basis of finite-difference checks.
 */
public final class Interpreter {
  private Interpreter() {}

  /**
   * The values of {@code roots} and of everything they depend on. Every leaf they reach must be
   * bound; a class label is bound to its one-hot vector (see {@link #oneHot}).
   */
  public static Map<Node, Tensor> evaluate(Collection<Node> roots, Map<Node, Tensor> leaves) {
    return evaluate(roots, leaves, OptionalLong.empty());
  }

  /**
   * {@link #evaluate(Collection, Map)} as in training: each dropout's mask drawn from {@code
   * dropoutSeed} (see {@link Spatial.DropoutMask#sample}), the same masks for the same seed, so that
   * a gradient and its finite differences see one network. Without a seed, dropout is the identity
   * (prediction).
   */
  public static Map<Node, Tensor> evaluate(Collection<Node> roots, Map<Node, Tensor> leaves, OptionalLong dropoutSeed) {
    Map<Node, Tensor> values = new IdentityHashMap<>();
    for (Node node : Differentiator.reachable(roots)) {
      if (node.op() instanceof Op.Leaf leaf) {
        Tensor value = leaves.get(node);
        if (value == null) {
          throw new IllegalArgumentException("no value given for " + leaf.kind().name().toLowerCase() + " " + leaf.name());
        }
        if (!value.shape().equals(node.shape())) {
          throw new IllegalArgumentException(leaf.name() + " is " + node.shape() + ", but the value given is " + value.shape());
        }
        values.put(node, value);
        continue;
      }
      List<Tensor> inputs = new ArrayList<>(node.inputs().size());
      for (Node input : node.inputs()) {
        inputs.add(values.get(input));
      }
      if (node.op() instanceof Spatial.DropoutMask mask && dropoutSeed.isPresent()) {
        values.put(node, mask.sample(dropoutSeed.getAsLong(), node.shape()));
        continue;
      }
      values.put(node, node.op().evaluate(inputs, node.shape()));
    }
    return values;
  }

  public static Tensor evaluate(Node root, Map<Node, Tensor> leaves) {
    return evaluate(List.of(root), leaves).get(root);
  }

  public static Tensor evaluate(Node root, Map<Node, Tensor> leaves, OptionalLong dropoutSeed) {
    return evaluate(List.of(root), leaves, dropoutSeed).get(root);
  }

  /** The one-hot vector of class {@code label} among {@code classes}: how a label enters formulas. */
  public static Tensor oneHot(int label, int classes) {
    if (label < 0 || label >= classes) {
      throw new IllegalArgumentException("label " + label + " is not a class in [0, " + classes + ")");
    }
    double[] data = new double[classes];
    data[label] = 1;
    return new Tensor(dev.nabla.symbolic.Shape.of(classes), data);
  }
}
