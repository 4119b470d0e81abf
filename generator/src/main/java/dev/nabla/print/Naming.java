package dev.nabla.print;

import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.NormalForm;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The names formulas use for values, as the lesson writes them: the spec's own names first
 * ({@code Y1}, {@code out}); then, layer by layer, {@code Zk} for a pre-activation {@code W x + b}
 * and {@code Yk} for its activation; {@code H} for the loss; {@code t} for the one-hot label; and
 * {@code δk} for the adjoint ∂H/∂Zk when more than one formula uses it, so that it is printed once.
 */
public final class Naming {
  private final Map<Node, String> primal = new IdentityHashMap<>();
  private final Map<Node, String> deltas = new LinkedHashMap<>();
  private final Map<Node, Node> deltaOf = new IdentityHashMap<>();
  private final Set<Node> forward;
  private final Network network;
  private String lossName = "H";

  private Naming(Network network) {
    this.network = network;
    this.forward = new HashSet<>(Differentiator.reachable(List.of(network.loss(), network.output())));
  }

  /** Only the leaves' own names: every other value is written out, as in a one-line formula. */
  public static Naming leavesOnly(Network network) {
    Naming naming = new Naming(network);
    Set<String> taken = writtenNames(network);
    for (Node node : network.graph().nodes()) {
      if (node.op() instanceof Op.Leaf leaf) {
        naming.primal.put(node, leaf.kind() == Op.Leaf.Kind.LABEL ? oneHotName(leaf, taken) : leaf.name());
      }
    }
    return naming;
  }

  /** The names the spec itself uses: its leaves' and its values'. */
  private static Set<String> writtenNames(Network network) {
    Set<String> taken = new HashSet<>();
    for (Node node : network.graph().nodes()) {
      if (node.op() instanceof Op.Leaf leaf) {
        taken.add(leaf.name());
      }
    }
    network.names().forEach((node, name) -> {
      if (!name.equals(dev.nabla.grammar.ast.Spec.LOSS)) {
        taken.add(name);
      }
    });
    network.droppedNames().forEach(dropped -> taken.add(dropped.name()));
    return taken;
  }

  /** The label's one-hot vector is t, as in the lesson, unless the spec has a t of its own: then onehot(y). */
  private static String oneHotName(Op.Leaf label, Set<String> taken) {
    return taken.contains("t") && !label.name().equals("t") ? "onehot(" + label.name() + ")" : "t";
  }

  /** The loss's name in formulas: {@code H}, or another letter where the spec uses {@code H} itself. */
  public String lossName() {
    return lossName;
  }

  /** Every name formulas may use, forward values' and δs'. */
  public java.util.Collection<String> allNames() {
    List<String> all = new ArrayList<>(primal.values());
    all.addAll(deltas.values());
    return all;
  }

  /**
   * The names a user wrote: the leaves (a label by its own name, not {@code t}) and the spec's named
   * values; everything else is written out. What a note about the user's own expression uses.
   */
  public static Naming asWritten(Network network) {
    Naming naming = new Naming(network);
    for (Node node : network.graph().nodes()) {
      if (node.op() instanceof Op.Leaf leaf) {
        naming.primal.put(node, leaf.name());
      }
    }
    network.names().forEach((node, name) -> {
      if (!node.isLeaf() && !name.equals(dev.nabla.grammar.ast.Spec.LOSS)) {
        naming.primal.put(node, name);
      }
    });
    return naming;
  }

  /** Exactly {@code names}, and no others: a code generator's names for the values it stores. */
  public static Naming given(Network network, Map<Node, String> names) {
    Naming naming = new Naming(network);
    naming.primal.putAll(names);
    return naming;
  }

  /** Names for the forward values of a network (no adjoints). */
  public static Naming of(Network network) {
    Naming naming = new Naming(network);
    naming.nameForward(List.of());
    return naming;
  }

  /** Names for the forward values and for the adjoints shared by several gradient formulas. */
  public static Naming of(Gradients gradients) {
    Naming naming = new Naming(gradients.network());
    naming.nameForward(List.copyOf(gradients.adjoints().values()));
    naming.nameDeltas(gradients);
    return naming;
  }

  private void nameForward(List<Node> derived) {
    Set<String> taken = writtenNames(network);
    for (Node node : network.graph().nodes()) {
      if (node.op() instanceof Op.Leaf leaf) {
        primal.put(node, leaf.kind() == Op.Leaf.Kind.LABEL ? oneHotName(leaf, taken) : leaf.name());
      }
    }
    network.names().forEach((node, name) -> {
      if (!node.isLeaf() && !name.equals(dev.nabla.grammar.ast.Spec.LOSS)) {
        primal.put(node, name);
      }
    });
    // A value the spec named but the loss does not use, which a derivative computes: softmax(scores) in ∂H/∂scores.
    for (Node node : network.graph().nodes()) {
      if (!primal.containsKey(node)) {
        network.droppedNames().stream().filter(dropped -> dropped.names(node)).findFirst()
            .ifPresent(dropped -> primal.put(node, dropped.name()));
      }
    }
    // The loss is H, as in the lesson, unless the spec gave that name to a value of its own.
    lossName = java.util.stream.Stream.of("H", "L", "J").filter(name -> !taken.contains(name)).findFirst().orElseGet(() -> unique("H", taken));
    taken.add(lossName);
    primal.put(network.loss(), lossName);
    List<Node> candidates = new ArrayList<>();
    for (Node node : network.graph().nodes()) {
      if (forward.contains(node) || derived.isEmpty() || isActivationOfForward(node)) {
        candidates.add(node);
      }
    }
    // The product inside W x + b is part of the layer's pre-activation, not a value of its own.
    Set<Node> insideAffine = new HashSet<>();
    for (Node node : candidates) {
      if (isAffine(node) && !node.is(Structural.MATMUL)) {
        for (Node operand : node.inputs()) {
          if (operand.is(Structural.MATMUL) || isAffine(operand)) {
            insideAffine.add(operand);
          }
        }
      }
    }
    Map<Node, Integer> layerOf = new HashMap<>();
    Set<Integer> layersWithActivation = new HashSet<>();
    int layer = 0;
    for (Node node : candidates) {
      if (isAffine(node) && forward.contains(node) && !insideAffine.contains(node)) {
        layer++;
        layerOf.put(node, layer);
        primal.putIfAbsent(node, unique("Z" + layer, taken));
      } else if (isActivation(node) && layerOf.containsKey(node.input(0))) {
        int k = layerOf.get(node.input(0));
        // One activation per layer is named (Yk, or the spec's name); a second function of the
        // same Zk, such as the softplus of a stability rewrite, keeps its structure.
        // The probabilities softmax(Zk) are always Yk, as in the lesson, beside a logsoftmax output.
        if (node.is(Structural.SOFTMAX) || layersWithActivation.add(k)) {
          layerOf.putIfAbsent(node, k);
          if (!primal.containsKey(node)) {
            primal.put(node, unique("Y" + k, taken));
          }
        }
      }
    }
    nameImagesReadByName(taken);
  }

  /**
   * The values the index notation reads by name: what flatten reads, and the images that a
   * convolution or a pooling reads through its windows (a window's position is an index expression,
   * {@code 2p+i}, which the operand's own formula cannot take again), in the forward pass (a derivative's
   * own images are written out where they are used). Unnamed, a pooling is Pk, anything else Ak.
   */
  private void nameImagesReadByName(Set<String> taken) {
    int pooled = 0;
    int other = 0;
    for (Node node : network.graph().nodes()) {
      Op op = node.op();
      boolean windowed = op instanceof dev.nabla.symbolic.Spatial.Conv2d || op instanceof dev.nabla.symbolic.Spatial.MaxPool
          || op instanceof dev.nabla.symbolic.Spatial.AvgPool;
      if ((windowed || op instanceof dev.nabla.symbolic.Spatial.Flatten) && forward.contains(node)) {
        Node image = node.input(op instanceof dev.nabla.symbolic.Spatial.Conv2d ? 1 : 0);
        if (!image.isLeaf() && !primal.containsKey(image)) {
          boolean pooling = image.op() instanceof dev.nabla.symbolic.Spatial.MaxPool || image.op() instanceof dev.nabla.symbolic.Spatial.AvgPool;
          primal.put(image, unique(pooling ? "P" + ++pooled : "A" + ++other, taken));
        }
      }
    }
  }

  private boolean isActivationOfForward(Node node) {
    return isActivation(node) && forward.contains(node.input(0));
  }

  private static String unique(String name, Set<String> taken) {
    String candidate = name;
    for (int i = 2; taken.contains(candidate); i++) {
      candidate = name + "_" + i;
    }
    taken.add(candidate);
    return candidate;
  }

  /** {@code W x + b}, {@code W x}: a layer's pre-activation. */
  private static boolean isAffine(Node node) {
    if (node.op() instanceof dev.nabla.symbolic.Spatial.Conv2d) {
      return node.input(0).op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM; // K ⋆ X, a layer too
    }
    if (node.is(Structural.MATMUL)) {
      return node.input(0).op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM;
    }
    return (node.is(Binary.ADD) || node.is(Binary.SUB)) && (isAffine(node.input(0)) || node.input(0).is(Structural.MATMUL)
        || node.input(0).op() instanceof dev.nabla.symbolic.Spatial.Conv2d);
  }

  private static boolean isActivation(Node node) {
    return (node.op() instanceof Unary unary && unary != Unary.NEG && unary != Unary.STEP)
        || node.is(Structural.SOFTMAX) || node.is(Structural.LOGSOFTMAX);
  }

  /**
   * The gradients in the normal form a textbook writes ({@link NormalForm}). With {@code keepNames},
   * the values formulas print by name, and the adjoints of named values (the δs), are kept whole so
   * that {@code δ1 Xᵀ} stays {@code δ1 Xᵀ}; without, everything is written in terms of the leaves.
   */
  public static Gradients normalized(Gradients gradients, boolean keepNames) {
    return normalForm(gradients, keepNames).apply(gradients);
  }

  /** The normal form {@link #normalized} uses, for more derivatives of the same network. */
  public static NormalForm normalForm(Gradients gradients, boolean keepNames) {
    if (!keepNames) {
      return NormalForm.of(gradients.network(), node -> false);
    }
    Naming names = Naming.of(gradients);
    Set<Node> whole = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    gradients.adjoints().forEach((value, adjoint) -> {
      if (names.primalName(value) != null && !value.isLeaf()) {
        whole.add(adjoint);
      }
    });
    return NormalForm.of(gradients.network(), node -> whole.contains(node) || (!node.isLeaf() && names.primalName(node) != null));
  }

  /** Adjoints of named values that several formulas use get a δ name, numbered like their layer. */
  private void nameDeltas(Gradients gradients) {
    Map<Node, Integer> uses = new IdentityHashMap<>();
    List<Node> roots = new ArrayList<>(gradients.byLeaf().values());
    for (Node node : Differentiator.reachable(roots)) {
      for (Node input : node.inputs()) {
        uses.merge(input, 1, Integer::sum);
      }
    }
    for (Node root : roots) {
      uses.merge(root, 1, Integer::sum);
    }
    Set<String> taken = new HashSet<>(primal.values());
    List<Map.Entry<Node, Node>> entries = new ArrayList<>(gradients.adjoints().entrySet());
    for (Map.Entry<Node, Node> entry : entries) {
      Node value = entry.getKey();
      Node adjoint = entry.getValue();
      String valueName = primal.get(value);
      if (valueName == null || value.isLeaf() || value == network.loss() || deltas.containsKey(adjoint)
          || adjoint.isLeaf() || adjoint.op() instanceof Op.Constant || primal.containsKey(adjoint)
          || uses.getOrDefault(adjoint, 0) < (valueName.matches("Z\\d+") && !isScaling(adjoint) ? 1 : 2)) {
        continue;
      }
      String suffix = valueName.matches("[ZY]\\d+") ? valueName.substring(1) : "_" + valueName;
      deltas.put(adjoint, unique("δ" + suffix, taken));
      deltaOf.put(adjoint, value);
    }
  }

  /** {@code 2 Z1}, {@code Z1 / n}: an adjoint that reads as well written out as named. */
  private boolean isScaling(Node adjoint) {
    if (!(adjoint.is(Binary.MUL) || adjoint.is(Binary.DIV))) {
      return false;
    }
    Node scalar = adjoint.is(Binary.MUL) ? adjoint.input(0) : adjoint.input(1);
    Node scaled = adjoint.is(Binary.MUL) ? adjoint.input(1) : adjoint.input(0);
    return scalar.shape().isScalar() && (scaled.isLeaf() || primal.containsKey(scaled));
  }

  /** The name of a forward value, or null. */
  public String primalName(Node node) {
    return primal.get(node);
  }

  /** The δ name of a shared adjoint, or null. */
  public String deltaName(Node node) {
    return deltas.get(node);
  }

  /** The name a formula uses for {@code node}: its δ name if shared adjoints are named, else its own. */
  public String name(Node node, boolean withDeltas) {
    if (withDeltas && deltas.containsKey(node)) {
      return deltas.get(node);
    }
    return primal.get(node);
  }

  /** The named adjoints, in the order they were found (backward from the loss). */
  public Map<Node, String> deltas() {
    return deltas;
  }

  /** The value a δ is the adjoint of. */
  public Node deltaTarget(Node adjoint) {
    return deltaOf.get(adjoint);
  }

  public boolean isForward(Node node) {
    return forward.contains(node);
  }
}
