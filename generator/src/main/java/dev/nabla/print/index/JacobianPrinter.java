package dev.nabla.print.index;

import dev.nabla.grammar.diagnostic.Span;
import dev.nabla.print.FormulaPrinter;
import dev.nabla.print.Naming;
import dev.nabla.print.Notation;
import dev.nabla.print.index.IndexExpr.Index;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Graph;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Structural;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Jacobian of a vector function of one vector, {@code J_{m,n} = ∂v_m/∂u_n}, as the lesson
 * writes LogSoftmax's: the general entry {@code ∂v_m/∂u_n = 1{m=n} − y_n} and the matrix
 *
 * <pre>
 * 1 − y_0   −y_1      …   −y_9
 * −y_0      1 − y_1   …   −y_9
 * ⋮         ⋮         ⋱   ⋮
 * −y_0      −y_1      …   1 − y_9
 * </pre>
 *
 * (the first two and the last row and column when a size exceeds 4, every one otherwise).
 *
 * <p>It is derived, not looked up: the output is seeded with a symbolic adjoint {@code E} (a leaf
 * of the output's shape added to the network's graph), {@code sum(E ⊙ f(u))} is differentiated
 * with respect to {@code u}, which gives {@code Jᵀ E}, and element n of that with E the unit
 * vector {@code e_m} ({@code E_k → 1{k=m}}) is {@code J_{m,n}}.
 *
 * <p>Names: the output keeps the name {@link Naming} gives it (lowercased, e.g. {@code z1} for
 * {@code W x}); otherwise it is {@code v} for a logsoftmax and {@code y} for anything else. A
 * softmax of the input that the derivative needs (LogSoftmax's {@code e^v}) is {@code y}, unless
 * the output already is {@code y}. {@link #definitions} lists what these names stand for.
 */
public final class JacobianPrinter {
  private static final Index M = Index.var("m");
  private static final Index N = Index.var("n");

  private final Node output;
  private final Node input;
  private final IndexFormatter formatter;
  private final Map<Node, String> introduced = new LinkedHashMap<>();
  private final Map<String, Node> elementNodes = new LinkedHashMap<>();
  private final FormulaPrinter definitionPrinter;
  private final IndexExpr entry;

  private JacobianPrinter(Network network, Node output, Node input, Notation notation) {
    if (!output.shape().isVector() || !input.shape().isVector()) {
      throw new IllegalArgumentException("a Jacobian is printed for a vector function of a vector, not "
          + output.shape() + " of " + input.shape());
    }
    this.output = output;
    this.input = input;
    this.formatter = new IndexFormatter(notation);
    Graph graph = network.graph();
    String seedName = "E";
    while (network.leaf(seedName).isPresent()) {
      seedName = seedName + "_";
    }
    Node seed = graph.leaf(Op.Leaf.param(seedName), output.shape(), Span.NONE);
    Node scalar = graph.sum(graph.mul(seed, output));
    Node transposedProduct = Differentiator.derive(network, scalar, List.of(input)).of(input);

    Naming naming = Naming.of(network);
    // Definitions in terms of the leaves, so that every name the entry uses is defined once (z1 = W x).
    this.definitionPrinter = new FormulaPrinter(notation, Naming.leavesOnly(network), false);
    String primal = naming.primalName(output);
    String outputName = primal != null ? IndexPrinter.lowercase(primal) : output.is(Structural.LOGSOFTMAX) ? "v" : "y";
    if (primal == null) {
      introduced.put(output, outputName);
    }
    Map<Node, Function<List<Index>, IndexExpr>> substitutions = new IdentityHashMap<>();
    substitutions.put(seed, indices -> new IndexExpr.Delta(M, indices.get(0)));
    Function<Node, String> names = node -> {
      String name = null;
      if (node == output) {
        name = outputName;
      } else if (naming.primalName(node) != null) {
        name = IndexPrinter.lowercase(naming.primalName(node));
      } else if (node.is(Structural.SOFTMAX) && node.input(0) == input && !outputName.equals("y")) {
        name = "y";
        introduced.putIfAbsent(node, name);
      }
      if (name != null) {
        elementNodes.putIfAbsent(name, node);
      }
      return name;
    };
    IndexTranslator translator = new IndexTranslator(names, substitutions);
    IndexExpr raw = translator.element(transposedProduct, List.of(N), false);
    this.entry = IndexSimplifier.nameSummations(IndexSimplifier.simplify(raw), java.util.Set.of("m", "n"));
    elementNodes.putIfAbsent(outputName, output);
    elementNodes.forEach((name, node) -> {
      if (!node.isLeaf() && !introduced.containsKey(node)) {
        introduced.put(node, name);
      }
    });
  }

  /** The Jacobian of the network's output with respect to {@code input}. */
  public static JacobianPrinter of(Network network, Node input, Notation notation) {
    return of(network, network.output(), input, notation);
  }

  public static JacobianPrinter of(Network network, Node output, Node input, Notation notation) {
    return new JacobianPrinter(network, output, input, notation);
  }

  private String outputName() {
    return elementNodes.entrySet().stream().filter(entry -> entry.getValue() == output)
        .map(Map.Entry::getKey).findFirst().orElseThrow();
  }

  private String inputName() {
    return input.op() instanceof Op.Leaf leaf ? IndexPrinter.lowercase(leaf.name()) : "u";
  }

  /** The general entry: {@code ∂v_m/∂u_n = 1{m=n} − y_n}. */
  public String entry() {
    String left = formatter.partial(formatter.element(outputName(), List.of(M)), formatter.element(inputName(), List.of(N)));
    return left + " = " + formatter.format(entry);
  }

  /** The formula of {@code J_{m,n}} with the indices m (output) and n (input). */
  public IndexExpr entryFormula() {
    return entry;
  }

  /** {@code J_{i,j}} for concrete positions, simplified: {@code 1 − y_0}, {@code −y_1}. */
  public IndexExpr element(long row, long column) {
    Map<Index.Var, Index> at = Map.of((Index.Var) M, Index.at(row), (Index.Var) N, Index.at(column));
    return IndexSimplifier.simplify(IndexSimplifier.substitute(entry, at));
  }

  /** Which node each element name of the formulas stands for ({@code v}, {@code y}, {@code u}, …). */
  public Map<String, Node> elementNodes() {
    return Map.copyOf(elementNodes);
  }

  /** What the names this printer made up stand for: {@code v = logsoftmax(u)}, {@code y = softmax(u)}. */
  public List<String> definitions() {
    List<String> lines = new ArrayList<>();
    introduced.forEach((node, name) -> lines.add(formatter.element(name, List.of()) + " = " + definitionPrinter.definition(node)));
    return lines;
  }

  /**
   * The matrix, one row a line with columns aligned (three spaces apart); for LATEX a {@code
   * pmatrix}. Sizes above 4 show the first two and the last row or column with ellipses between.
   *
   * @throws IllegalStateException when a size is symbolic
   */
  public String matrix() {
    if (!output.shape().isKnown() || !input.shape().isKnown()) {
      throw new IllegalStateException("the matrix needs known sizes, not " + output.shape() + " × " + input.shape()
          + ": give the dimensions when lowering");
    }
    List<Long> rows = shown(output.shape().size());
    List<Long> columns = shown(input.shape().size());
    String horizontal = switch (formatter.notation()) {
      case UNICODE -> "…";
      case LATEX -> "\\cdots";
      case TEXT -> "...";
    };
    String vertical = switch (formatter.notation()) {
      case UNICODE -> "⋮";
      case LATEX -> "\\vdots";
      case TEXT -> ":";
    };
    String diagonal = switch (formatter.notation()) {
      case UNICODE -> "⋱";
      case LATEX -> "\\ddots";
      case TEXT -> "...";
    };
    List<List<String>> cells = new ArrayList<>();
    for (Long row : rows) {
      List<String> line = new ArrayList<>();
      if (row == null) {
        for (Long column : columns) {
          line.add(column == null ? diagonal : vertical);
        }
      } else {
        for (Long column : columns) {
          line.add(column == null ? horizontal : formatter.format(element(row, column)));
        }
      }
      cells.add(line);
    }
    if (formatter.notation() == dev.nabla.print.Notation.LATEX) {
      List<String> lines = new ArrayList<>();
      lines.add("\\begin{pmatrix}");
      for (int i = 0; i < cells.size(); i++) {
        lines.add(String.join(" & ", cells.get(i)) + (i < cells.size() - 1 ? " \\\\" : ""));
      }
      lines.add("\\end{pmatrix}");
      return String.join("\n", lines);
    }
    return String.join("\n", IndexFormatter.align(cells));
  }

  /** The positions shown, null standing for the ellipsis. */
  private static List<Long> shown(long size) {
    List<Long> positions = new ArrayList<>();
    if (size <= 4) {
      for (long i = 0; i < size; i++) {
        positions.add(i);
      }
    } else {
      positions.add(0L);
      positions.add(1L);
      positions.add(null);
      positions.add(size - 1);
    }
    return positions;
  }
}
