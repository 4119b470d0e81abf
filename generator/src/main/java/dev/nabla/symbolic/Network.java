package dev.nabla.symbolic;

import dev.nabla.grammar.ast.Statement;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A network ready to be differentiated: the typed graph of one sample's forward pass, with its
 * leaves sorted by role, the value {@code predict} returns, and the scalar loss.
 *
 * @param name the model's name (the generated class's)
 * @param source where it came from, for diagnostics and comments
 * @param graph the arena holding every node, with final shapes
 * @param inputs the sample's leaves
 * @param parameters the trainable leaves, in declaration order
 * @param label the class label (a one-hot {@code t} in formulas), if the loss takes one
 * @param target the real-valued target, if the loss takes one
 * @param initializers how each parameter starts (absent: PyTorch's {@code nn.Linear} default)
 * @param output the value {@code predict} returns
 * @param loss the scalar {@code H} that is differentiated
 * @param names the names the spec gave to values ({@code Y1}, {@code out}), by node
 * @param droppedNames the names of values the loss and the output do not use, which the graph does not keep
 * @param rewrites the stability rewrites applied while building, in order
 * @param canonicalText the spec in canonical form, what the model's hash is taken of
 */
public record Network(
    String name,
    SourceFile source,
    Graph graph,
    List<Node> inputs,
    List<Node> parameters,
    Optional<Node> label,
    Optional<Node> target,
    Map<Node, Statement.Init> initializers,
    Node output,
    Node loss,
    Map<Node, String> names,
    List<DroppedName> droppedNames,
    List<Rewrite> rewrites,
    String canonicalText) {

  public Network {
    inputs = List.copyOf(inputs);
    parameters = List.copyOf(parameters);
    initializers = Map.copyOf(initializers);
    names = Map.copyOf(names);
    droppedNames = List.copyOf(droppedNames);
    rewrites = List.copyOf(rewrites);
  }

  /**
   * A named value that the graph does not keep, as the operation it applies to values the graph does keep:
   * {@code probabilities = softmax(scores)} beside {@code loss = cross_entropy(scores, y)}. When a derivative
   * computes that same value (∂H/∂scores = softmax(scores) − t), formulas call it by the spec's name.
   */
  public record DroppedName(Op op, List<Node> inputs, String name) {
    public DroppedName {
      inputs = List.copyOf(inputs);
    }

    /** Whether {@code node} computes this value. */
    public boolean names(Node node) {
      if (!node.op().equals(op) || node.inputs().size() != inputs.size()) {
        return false;
      }
      for (int i = 0; i < inputs.size(); i++) {
        if (node.input(i) != inputs.get(i)) {
          return false;
        }
      }
      return true;
    }
  }

  /** The leaf named {@code name}, among inputs, parameters, label and target. */
  public Optional<Node> leaf(String name) {
    return graph.nodes().stream()
        .filter(node -> node.op() instanceof Op.Leaf leaf && leaf.name().equals(name))
        .findFirst();
  }

  public static String leafName(Node node) {
    return ((Op.Leaf) node.op()).name();
  }
}
