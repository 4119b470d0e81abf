package dev.nabla.print.index;

import dev.nabla.print.Naming;
import dev.nabla.print.Notation;
import dev.nabla.print.index.IndexExpr.Index;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Dim;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prints gradients element by element, as the lesson does:
 *
 * <pre>
 * ∂H/∂z2_k = y2_k − t_k
 * ∂H/∂w2_{p,q} = (y2_p − t_p) · y1_q
 * ∂H/∂b2_p = y2_p − t_p
 * ∂H/∂y1_m = Σ_k w2_{k,m} · (y2_k − t_k)
 * ∂H/∂z1_m = (Σ_k w2_{k,m} · (y2_k − t_k)) · 1{z1_m ≥ 0}
 * ∂H/∂w1_{p,q} = (Σ_k w2_{k,p} · (y2_k − t_k)) · 1{z1_p ≥ 0} · x_q
 * ∂H/∂b1_p = (Σ_k w2_{k,p} · (y2_k − t_k)) · 1{z1_p ≥ 0}
 * </pre>
 *
 * Values are named as {@link Naming} names them, lowercased for elements ({@code W2} → {@code
 * w2_{p,q}}, {@code Y2} → {@code y2_p}, the label {@code t} → {@code t_p}, {@code δ2} → {@code
 * δ2_p}). A parameter's gradient is indexed by p (and q); the adjoint of a named value by a letter
 * per dimension, given backward from the loss in the order k, m, j, i, … (the lesson's k for the
 * classes and m for the hidden units); summation indices get the first free letter of k, n, m, j,
 * …. With {@code withDeltas}, shared adjoints are referenced by their δ name and each δ is defined
 * on the line of the value it is the adjoint of: {@code δ2_k = ∂H/∂z2_k = y2_k − t_k}.
 */
public final class IndexPrinter {
  private static final List<String> ADJOINT_LETTERS = List.of("k", "m", "j", "i", "l", "r", "s", "a", "b", "c");

  private final Gradients gradients;
  private final Naming naming;
  private final boolean withDeltas;
  private final IndexFormatter formatter;
  private final IndexTranslator translator;
  private final Map<Dim, String> dimLetters = new LinkedHashMap<>();
  private final List<Node> values = new ArrayList<>();

  private IndexPrinter(Gradients gradients, Notation notation, boolean withDeltas) {
    this.gradients = gradients;
    this.naming = Naming.of(gradients);
    this.withDeltas = withDeltas;
    this.formatter = new IndexFormatter(notation);
    this.translator = new IndexTranslator(this::elementName, Map.of());
    Network network = gradients.network();
    for (Map.Entry<Node, Node> entry : gradients.adjoints().entrySet()) {
      Node value = entry.getKey();
      if (naming.primalName(value) != null && !value.isLeaf() && value != network.loss()) {
        values.add(value);
      }
    }
    values.sort(Comparator.comparingInt(Node::id).reversed());
    for (Node value : values) {
      List<Dim> dims = value.shape().dims();
      for (Dim dim : value.shape().isRow() ? dims.subList(1, 2) : dims) {
        if (!dimLetters.containsKey(dim)) {
          dimLetters.put(dim, ADJOINT_LETTERS.get(Math.min(dimLetters.size(), ADJOINT_LETTERS.size() - 1)));
        }
      }
    }
  }

  /**
   * @param withDeltas whether shared adjoints are referenced by their δ names ({@code δ2_p · y1_q})
   *     rather than expanded in place ({@code (y2_p − t_p) · y1_q})
   */
  public static IndexPrinter of(Gradients gradients, Notation notation, boolean withDeltas) {
    return new IndexPrinter(gradients, notation, withDeltas);
  }

  /** The name an element of {@code node} is written with, or null where the node is expanded. */
  private String elementName(Node node) {
    String name = naming.name(node, withDeltas);
    return name == null ? null : element(name);
  }

  /**
   * A name as its elements are written: lowercased ({@code W2} → {@code w2}), except where that would
   * make it another name ({@code W} beside a {@code w} stays {@code W}).
   */
  private String element(String name) {
    if (lowercased == null) {
      lowercased = new java.util.HashMap<>();
      for (String other : new java.util.HashSet<>(naming.allNames())) {
        lowercased.merge(lowercase(other), 1, Integer::sum);
      }
    }
    String lower = lowercase(name);
    return lowercased.getOrDefault(lower, 0) > 1 ? name : lower;
  }

  /** How many of the names formulas use lowercase to each text. */
  private Map<String, Integer> lowercased;

  static String lowercase(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** The line of one parameter (or other requested leaf): {@code ∂H/∂w2_{p,q} = (y2_p − t_p) · y1_q}. */
  public String gradient(Node leaf) {
    Node gradient = gradients.of(leaf);
    List<Index> indices = parameterIndices(leaf.shape());
    String left = formatter.partial(naming.lossName(), formatter.element(element(naming.primalName(leaf)), indices));
    return left + " = " + formatter.format(formula(gradient, indices, false));
  }

  /** The formula of ∂H/∂leaf alone, element (p, q), simplified: what {@link #gradient} prints. */
  public IndexExpr gradientFormula(Node leaf) {
    return formula(gradients.of(leaf), parameterIndices(leaf.shape()), false);
  }

  /** The formula of ∂H/∂value alone, with the indices {@link #adjoint} prints it with. */
  public IndexExpr adjointFormula(Node value) {
    Node adjoint = gradients.adjoints().get(value);
    if (adjoint == null) {
      throw new IllegalArgumentException("no adjoint for " + value);
    }
    return formula(adjoint, adjointIndices(value.shape()), true);
  }

  /**
   * The line of the adjoint of a named value: {@code ∂H/∂y1_m = Σ_k w2_{k,m} · (y2_k − t_k)}, or
   * with δ names {@code δ2_k = ∂H/∂z2_k = y2_k − t_k} for the value a δ is the adjoint of.
   */
  public String adjoint(Node value) {
    Node adjoint = gradients.adjoints().get(value);
    String name = naming.primalName(value);
    if (adjoint == null || name == null) {
      throw new IllegalArgumentException("no named adjoint for " + value);
    }
    List<Index> indices = adjointIndices(value.shape());
    String left = formatter.partial(naming.lossName(), formatter.element(element(name), indices));
    String delta = withDeltas ? naming.deltaName(adjoint) : null;
    if (delta != null && naming.deltaTarget(adjoint) == value) {
      // δ is written as its uses write it: without indices where the engine made it a scalar.
      List<Index> deltaIndices = adjoint.shape().isScalar() ? List.of() : indices;
      return formatter.element(element(delta), deltaIndices) + " = " + left + " = " + formatter.format(formula(adjoint, indices, true));
    }
    return left + " = " + formatter.format(formula(adjoint, indices, false));
  }

  /**
   * Which node each element name stands for ({@code w2}, {@code y2}, {@code t}, {@code δ2}, …),
   * for evaluating printed formulas; where two nodes share a lowercased name the first one wins.
   */
  public Map<String, Node> elementNodes() {
    Map<String, Node> nodes = new LinkedHashMap<>();
    for (Node node : gradients.network().graph().nodes()) {
      String name = elementName(node);
      if (name != null) {
        nodes.putIfAbsent(name, node);
      }
    }
    return nodes;
  }

  /** The named values whose adjoints {@link #all} prints, backward from the loss. */
  public List<Node> adjointValues() {
    return List.copyOf(values);
  }

  /**
   * Every line, in the lesson's order: backward from the loss, the adjoint of each named value,
   * each followed by the gradients of the parameters that enter the network there (those for which
   * it is the nearest named value above them). Parameters reached by no named value come last.
   */
  public List<String> all() {
    Map<Node, List<Node>> anchored = new IdentityHashMap<>();
    List<Node> unanchored = new ArrayList<>();
    Map<Node, Set<Node>> below = new IdentityHashMap<>();
    for (Node value : values) {
      below.put(value, new HashSet<>(Differentiator.reachable(value)));
    }
    for (Node leaf : gradients.byLeaf().keySet()) {
      Node anchor = null;
      for (Node value : values) {
        if (below.get(value).contains(leaf) && (anchor == null || value.id() < anchor.id())) {
          anchor = value;
        }
      }
      if (anchor == null) {
        unanchored.add(leaf);
      } else {
        anchored.computeIfAbsent(anchor, key -> new ArrayList<>()).add(leaf);
      }
    }
    List<String> lines = new ArrayList<>();
    for (Node value : values) {
      lines.add(adjoint(value));
      for (Node leaf : anchored.getOrDefault(value, List.of())) {
        lines.add(gradient(leaf));
      }
    }
    for (Node leaf : unanchored) {
      lines.add(gradient(leaf));
    }
    return lines;
  }

  private IndexExpr formula(Node node, List<Index> indices, boolean expandTop) {
    IndexExpr expr = translator.element(node, indices, expandTop);
    Set<String> free = new HashSet<>();
    indices.forEach(index -> free.add(index.toString()));
    return IndexSimplifier.nameSummations(IndexSimplifier.simplify(expr), free);
  }

  /** p for a vector, p and q for a matrix; a row vector's single row is 0. */
  private static List<Index> parameterIndices(Shape shape) {
    List<Index> indices = new ArrayList<>();
    // A kernel's element is k_{o,c,i,j}, an image's x_{c,h,w}, as the lesson on convolutions writes them.
    String[] letters = shape.isKernel() ? new String[] {"o", "c", "i", "j"}
        : shape.isImage() ? new String[] {"c", "h", "w"} : new String[] {"p", "q"};
    for (int i = 0; i < shape.rank(); i++) {
      indices.add(i == 0 && shape.isRow() ? Index.at(0) : Index.var(letters[i]));
    }
    return indices;
  }

  /** The indices {@link #adjoint} writes the adjoint of {@code value} with ({@code k} for z2, {@code m} for y1). */
  public List<Index> adjointIndices(Node value) {
    return adjointIndices(value.shape());
  }

  /** The indices {@link #gradient} writes a parameter's gradient with: p, or p and q. */
  public static List<Index> parameterIndices(Node leaf) {
    return parameterIndices(leaf.shape());
  }

  private List<Index> adjointIndices(Shape shape) {
    if (shape.isImage()) {
      return List.of(Index.var("c"), Index.var("h"), Index.var("w"));
    }
    List<Index> indices = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Dim dim : shape.dims()) {
      if (indices.isEmpty() && shape.isRow()) {
        indices.add(Index.at(0));
        continue;
      }
      String letter = dimLetters.getOrDefault(dim, "k");
      for (int i = 0; used.contains(letter); i++) {
        letter = ADJOINT_LETTERS.get(i);
      }
      used.add(letter);
      indices.add(Index.var(letter));
    }
    return indices;
  }
}
