package dev.nabla.symbolic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Derivatives rewritten into the form a textbook writes them, as new nodes of the same graph:
 *
 * <ul>
 *   <li>transposes pushed to the leaves: {@code (A B)ᵀ = Bᵀ Aᵀ}, {@code (aᵀ X)ᵀ = Xᵀ a}, {@code (a bᵀ)ᵀ = b aᵀ};
 *   <li>like terms collected and constants folded: {@code x + x = 2 x}, {@code 0.5 w + 0.5 w = w};
 *   <li>common factors pulled out of sums: {@code A x + Aᵀ x = (A + Aᵀ) x}, {@code Xᵀ s − Xᵀ y = Xᵀ (s − y)},
 *       {@code X b cᵀ + X c bᵀ = X (b cᵀ + c bᵀ)};
 *   <li>scalars and signs moved out of products: {@code Xᵀ (2 z) = 2 Xᵀ z}, {@code −(2 z) = −2 z};
 *   <li>{@code exp(z) / sum(exp(z))} recognized as {@code softmax(z)}.
 * </ul>
 *
 * <p>Each node is rewritten once (memoized, without recursion), and every rule adds a constant
 * number of nodes, so a normalized gradient stays linear in the forward graph. Nodes the caller
 * keeps whole (the forward values it prints by name, the adjoints it names δ) are used as they
 * are, never taken apart, so that {@code δ1 Xᵀ} stays {@code δ1 Xᵀ}; the forward graph itself is
 * never rewritten: a spec's values keep the form the user gave them.
 */
public final class NormalForm {
  /** Sums with more terms than this are left as built: collecting them would cost more than it reads better. */
  private static final int MAX_TERMS = 64;
  /** How many leaves, in reading order, decide the order of a sum's terms. */
  private static final int ORDER_KEY_LEAVES = 6;

  private final Graph graph;
  private final Set<Node> forward;
  private final Predicate<Node> keepWhole;
  private final Set<Node> whole = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Node, Node> normalized = new IdentityHashMap<>();
  private final Map<Node, Node> transposed = new IdentityHashMap<>();

  private NormalForm(Graph graph, Set<Node> forward, Predicate<Node> keepWhole) {
    this.graph = graph;
    this.forward = forward;
    this.keepWhole = keepWhole;
  }

  /** Every gradient and adjoint of {@code gradients} in normal form, taking apart nothing {@code keepWhole} accepts. */
  public static Gradients of(Gradients gradients, Predicate<Node> keepWhole) {
    return of(gradients.network(), keepWhole).apply(gradients);
  }

  /** A normal form for derivatives of {@code network}; nodes it makes again are the same nodes. */
  public static NormalForm of(Network network, Predicate<Node> keepWhole) {
    Set<Node> forward = Collections.newSetFromMap(new IdentityHashMap<>());
    forward.addAll(Differentiator.reachable(List.of(network.loss(), network.output())));
    return new NormalForm(network.graph(), forward, keepWhole);
  }

  public Gradients apply(Gradients gradients) {
    Map<Node, Node> adjoints = new LinkedHashMap<>();
    gradients.adjoints().forEach((value, adjoint) -> adjoints.put(value, apply(adjoint)));
    Map<Node, Node> byLeaf = new LinkedHashMap<>();
    gradients.byLeaf().forEach((leaf, gradient) -> byLeaf.put(leaf, apply(gradient)));
    return new Gradients(gradients.network(), byLeaf, adjoints);
  }

  /** {@code node} in normal form. */
  public Node apply(Node root) {
    Deque<Node> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node node = stack.peek();
      if (normalized.containsKey(node)) {
        stack.pop();
        continue;
      }
      if (node.isLeaf() || node.inputs().isEmpty() || forward.contains(node)) {
        finish(node, node);
        stack.pop();
        continue;
      }
      boolean ready = true;
      for (Node input : node.inputs()) {
        if (!normalized.containsKey(input)) {
          stack.push(input);
          ready = false;
        }
      }
      if (ready) {
        stack.pop();
        List<Node> inputs = node.inputs().stream().map(normalized::get).toList();
        finish(node, rebuild(node.op(), inputs));
      }
    }
    return normalized.get(root);
  }

  private void finish(Node original, Node result) {
    normalized.put(original, result);
    if (keepWhole.test(original) || keepWhole.test(result)) {
      whole.add(result);
    }
  }

  /** Whether a rule may look inside {@code node}. */
  private boolean open(Node node) {
    return !whole.contains(node) && !node.isLeaf();
  }

  private Node rebuild(Op op, List<Node> in) {
    if (op == Unary.NEG) {
      return neg(in.get(0));
    }
    if (op instanceof Unary unary) {
      return graph.unary(unary, in.get(0));
    }
    if (op instanceof Binary binary && isChannelBias(in)) {
      // An image plus a bias per channel: terms of two shapes, which collecting would mix up.
      return binary == Binary.SUB ? graph.sub(in.get(0), in.get(1)) : graph.add(in.get(0), in.get(1));
    }
    if (op instanceof Binary binary) {
      return switch (binary) {
        case ADD -> sum(List.of(new Term(1, in.get(0)), new Term(1, in.get(1))));
        case SUB -> sum(List.of(new Term(1, in.get(0)), new Term(-1, in.get(1))));
        case MUL -> mul(in.get(0), in.get(1));
        case DIV -> div(in.get(0), in.get(1));
      };
    }
    if (op instanceof Op.Power power) {
      return graph.power(in.get(0), power.exponent());
    }
    if (op instanceof Op.Broadcast broadcast) {
      return graph.broadcast(in.get(0), broadcast.to());
    }
    if (op == Structural.MATMUL) {
      return matmul(in.get(0), in.get(1));
    }
    if (op == Structural.TRANSPOSE) {
      return transpose(in.get(0));
    }
    if (op instanceof Structural structural) {
      return graph.structural(structural, in.get(0));
    }
    if (op instanceof Spatial spatial) {
      return graph.spatial(spatial, in.toArray(Node[]::new));
    }
    return graph.loss((Loss) op, in.get(0), in.get(1));
  }

  private static boolean isChannelBias(List<Node> operands) {
    Shape a = operands.get(0).shape();
    Shape b = operands.get(1).shape();
    return !a.isScalar() && !b.isScalar() && a.rank() != b.rank();
  }

  // ---- products ----

  private Node neg(Node x) {
    Double c = open(x) && x.is(Binary.MUL) ? constant(x.input(0)) : null;
    if (c != null) {
      return graph.mul(graph.constant(-c), x.input(1)); // −(2 z) is −2 z
    }
    return graph.neg(x);
  }

  private Node mul(Node a, Node b) {
    if (b.shape().isScalar() && !a.shape().isScalar() && constant(b) == null) {
      return mul(b, a); // a scalar factor goes first: s (X b), not X b s
    }
    if (a.is(Binary.DIV) && a.input(1) == b && b.shape().isScalar()) {
      return a.input(0); // (p / n) n = p
    }
    if (b.is(Binary.DIV) && b.input(1) == a && a.shape().isScalar()) {
      return b.input(0);
    }
    Double c = constant(a);
    if (c != null && open(b) && b.is(Unary.NEG)) {
      return mul(graph.constant(-c), b.input(0));
    }
    if (c != null && open(b) && b.is(Binary.MUL) && constant(b.input(0)) != null) {
      return mul(graph.constant(c * constant(b.input(0))), b.input(1));
    }
    return graph.mul(a, b);
  }

  private Node div(Node a, Node b) {
    if (b.shape().isScalar() && isSumOfExp(b, a) && a.shape().isVector()) {
      return graph.structural(Structural.SOFTMAX, a.input(0));
    }
    return graph.div(a, b);
  }

  /** {@code sum(exp(z))}, where {@code exp} is {@code exp(z)} itself. */
  private static boolean isSumOfExp(Node divisor, Node exp) {
    return exp.is(Unary.EXP) && divisor.is(Structural.SUM) && divisor.input(0) == exp;
  }

  private Node matmul(Node a, Node b) {
    if (a.shape().isScalar() || b.shape().isScalar()) {
      return mul(a, b);
    }
    // A number comes out of a product even from a value kept whole: Xᵀ (2 Z1) is 2 Xᵀ Z1.
    if (a.is(Binary.MUL) && a.input(0).shape().isScalar() && (open(a) || constant(a.input(0)) != null)) {
      return mul(a.input(0), matmul(a.input(1), b));
    }
    if (b.is(Binary.MUL) && b.input(0).shape().isScalar() && (open(b) || constant(b.input(0)) != null)) {
      return mul(b.input(0), matmul(a, b.input(1)));
    }
    if (open(a) && a.is(Unary.NEG)) {
      return neg(matmul(a.input(0), b));
    }
    if (open(b) && b.is(Unary.NEG)) {
      return neg(matmul(a, b.input(0)));
    }
    if (open(b) && b.is(Binary.DIV) && b.input(1).shape().isScalar()) {
      return div(matmul(a, b.input(0)), b.input(1));
    }
    return graph.matmul(a, b);
  }

  private Node transpose(Node x) {
    Node known = transposed.get(x);
    if (known != null) {
      return known;
    }
    Node result;
    if (x.shape().isScalar() || !open(x)) {
      result = graph.transpose(x);
    } else if (x.is(Structural.MATMUL)) {
      result = matmul(transpose(x.input(1)), transpose(x.input(0)));
    } else if ((x.is(Binary.ADD) || x.is(Binary.SUB)) && !forward.contains(x)) {
      // a sum the user wrote stays whole, (D x + d)ᵀ; a derived one is transposed term by term
      result = sum(List.of(new Term(1, transpose(x.input(0))), new Term(x.is(Binary.ADD) ? 1 : -1, transpose(x.input(1)))));
    } else if (x.is(Binary.MUL) && x.input(0).shape().isScalar()) {
      result = mul(x.input(0), transpose(x.input(1)));
    } else if (x.is(Binary.DIV) && x.input(1).shape().isScalar()) {
      result = div(transpose(x.input(0)), x.input(1));
    } else if (x.is(Unary.NEG)) {
      result = neg(transpose(x.input(0)));
    } else {
      result = graph.transpose(x);
    }
    transposed.put(x, result);
    return result;
  }

  // ---- sums ----

  /** {@code coefficient · node}, one term of a sum. */
  private record Term(double coefficient, Node node) {}

  private Node sum(List<Term> written) {
    Shape shape = Shape.SCALAR;
    for (Term term : written) {
      if (!term.node().shape().isScalar()) {
        shape = term.node().shape();
      }
    }
    List<Term> flat = new ArrayList<>();
    for (Term term : written) {
      flatten(term.node(), term.coefficient(), flat);
    }
    if (flat.size() > MAX_TERMS) {
      return build(written, shape);
    }
    List<Term> terms = collect(flat);
    terms = factorOut(terms, true);
    terms = factorOut(terms, false);
    if (terms.size() > 1) {
      Map<Node, List<Integer>> keys = new IdentityHashMap<>();
      terms = new ArrayList<>(terms);
      terms.sort(Comparator.comparing((Term term) -> keys.computeIfAbsent(term.node(), this::readingOrder), NormalForm::compareKeys));
    }
    return build(terms, shape);
  }

  /** The terms of {@code node} times {@code coefficient}, added to {@code out}, through sums, negations and constant factors. */
  private void flatten(Node node, double coefficient, List<Term> out) {
    if (out.size() <= MAX_TERMS && open(node)) {
      if (node.is(Binary.ADD) || node.is(Binary.SUB)) {
        flatten(node.input(0), coefficient, out);
        flatten(node.input(1), node.is(Binary.ADD) ? coefficient : -coefficient, out);
        return;
      }
      if (node.is(Unary.NEG)) {
        flatten(node.input(0), -coefficient, out);
        return;
      }
      if (node.is(Binary.MUL) && constant(node.input(0)) != null) {
        flatten(node.input(1), coefficient * constant(node.input(0)), out);
        return;
      }
      if (node.op() instanceof Op.Broadcast to) {
        // a spread scalar's terms, each spread: 1/n − 1/n + s is s even with a symbolic n
        List<Term> inner = new ArrayList<>();
        flatten(node.input(0), coefficient, inner);
        inner.forEach(term -> out.add(new Term(term.coefficient(), graph.broadcast(term.node(), to.to()))));
        return;
      }
      Double numerator = node.is(Binary.DIV) && node.shape().isScalar() ? constant(node.input(0)) : null;
      if (numerator != null && numerator != 1) {
        flatten(graph.div(graph.constant(1), node.input(1)), coefficient * numerator, out);
        return;
      }
    }
    Double value = constant(node);
    if (value != null) {
      out.add(new Term(coefficient * value, node.op() instanceof Op.Broadcast to ? graph.broadcast(graph.constant(1), to.to()) : graph.constant(1)));
      return;
    }
    out.add(new Term(coefficient, node));
  }

  /** Like terms added up ({@code x + x = 2 x}), in the order of their first appearance; zeros dropped. */
  private static List<Term> collect(List<Term> flat) {
    Map<Node, Double> coefficients = new LinkedHashMap<>();
    for (Term term : flat) {
      coefficients.merge(term.node(), term.coefficient(), Double::sum);
    }
    List<Term> terms = new ArrayList<>();
    coefficients.forEach((node, coefficient) -> {
      if (coefficient != 0) {
        terms.add(new Term(coefficient, node));
      }
    });
    return terms;
  }

  /**
   * Terms whose products start (or end) with one factor become that factor times the sum of the
   * rest: {@code Xᵀ s − Xᵀ y = Xᵀ (s − y)}, {@code A x + Aᵀ x = (A + Aᵀ) x}.
   */
  private List<Term> factorOut(List<Term> terms, boolean left) {
    if (terms.size() < 2) {
      return terms;
    }
    Map<Node, List<Integer>> groups = new LinkedHashMap<>();
    List<List<Node>> chains = new ArrayList<>();
    for (int i = 0; i < terms.size(); i++) {
      List<Node> chain = chain(terms.get(i).node());
      chains.add(chain);
      if (chain.size() >= 2) {
        groups.computeIfAbsent(left ? chain.get(0) : chain.get(chain.size() - 1), key -> new ArrayList<>()).add(i);
      }
    }
    List<Term> result = new ArrayList<>();
    boolean[] done = new boolean[terms.size()];
    for (int i = 0; i < terms.size(); i++) {
      if (done[i]) {
        continue;
      }
      List<Node> chain = chains.get(i);
      List<Integer> group = chain.size() >= 2 ? groups.get(left ? chain.get(0) : chain.get(chain.size() - 1)) : null;
      if (group == null || group.size() < 2) {
        result.add(terms.get(i));
        done[i] = true;
        continue;
      }
      List<Term> rest = new ArrayList<>();
      for (int member : group) {
        List<Node> memberChain = chains.get(member);
        rest.add(new Term(terms.get(member).coefficient(), product(left ? memberChain.subList(1, memberChain.size()) : memberChain.subList(0, memberChain.size() - 1))));
      }
      if (rest.stream().anyMatch(term -> !term.node().shape().equals(rest.get(0).node().shape()))) {
        result.add(terms.get(i));
        done[i] = true;
        continue;
      }
      group.forEach(member -> done[member] = true);
      Node factor = left ? chain.get(0) : chain.get(chain.size() - 1);
      Node inner = sum(transposeAfterItsOriginal(rest));
      result.add(new Term(1, left ? matmul(factor, inner) : matmul(inner, factor)));
    }
    return result;
  }

  /** {@code A + Aᵀ}, not {@code Aᵀ + A}: a matrix before its transpose. */
  private static List<Term> transposeAfterItsOriginal(List<Term> rest) {
    if (rest.size() == 2 && rest.get(0).node().is(Structural.TRANSPOSE) && rest.get(0).node().input(0) == rest.get(1).node()) {
      return List.of(rest.get(1), rest.get(0));
    }
    return rest;
  }

  /** The factors of a matrix product (or a scaling), left to right, through the products a rule may take apart. */
  private List<Node> chain(Node node) {
    List<Node> factors = new ArrayList<>();
    Deque<Node> stack = new ArrayDeque<>();
    stack.push(node);
    while (!stack.isEmpty() && factors.size() <= MAX_TERMS) {
      Node next = stack.pop();
      if (open(next) && (next.is(Structural.MATMUL) || (next.is(Binary.MUL) && next.input(0).shape().isScalar()
          && !next.input(1).shape().isScalar() && constant(next.input(0)) == null))) {
        stack.push(next.input(1));
        stack.push(next.input(0));
      } else {
        factors.add(next);
      }
    }
    if (!stack.isEmpty()) {
      return List.of(node);
    }
    return factors;
  }

  private Node product(List<Node> factors) {
    Node result = factors.get(0);
    for (int i = 1; i < factors.size(); i++) {
      result = matmul(result, factors.get(i));
    }
    return result;
  }

  /** The terms added up, the first positive one first: {@code b − a}, not {@code −a + b}. */
  private Node build(List<Term> terms, Shape shape) {
    if (terms.isEmpty()) {
      return graph.zero(shape);
    }
    List<Term> ordered = new ArrayList<>(terms);
    for (int i = 0; i < ordered.size(); i++) {
      if (ordered.get(i).coefficient() > 0) {
        ordered.add(0, ordered.remove(i));
        break;
      }
    }
    Term first = ordered.get(0);
    Node result = scaled(first.coefficient(), first.node());
    for (Term term : ordered.subList(1, ordered.size())) {
      Node magnitude = scaled(Math.abs(term.coefficient()), term.node());
      result = term.coefficient() > 0 ? graph.add(result, magnitude) : graph.sub(result, magnitude);
    }
    if (!result.shape().equals(shape) && result.shape().isScalar()) {
      result = graph.broadcast(result, shape);
    }
    return result;
  }

  private Node scaled(double coefficient, Node node) {
    if (coefficient == 1) {
      return node;
    }
    if (coefficient == -1) {
      return graph.neg(node);
    }
    return graph.mul(graph.constant(coefficient), node);
  }

  /**
   * The first leaves of a term in reading order, by id: terms are ordered by it, so that a sum reads
   * in the order its names were written ({@code 2 Xᵀ (X w − y) + w}, {@code Bᵀ C (D x + d) + Dᵀ Cᵀ (B x + b)}).
   */
  private List<Integer> readingOrder(Node term) {
    List<Integer> key = new ArrayList<>();
    Deque<Node> stack = new ArrayDeque<>();
    stack.push(term);
    int visited = 0;
    while (!stack.isEmpty() && key.size() < ORDER_KEY_LEAVES && visited++ < 256) {
      Node node = stack.pop();
      if (node.inputs().isEmpty() || whole.contains(node)) {
        if (!(node.op() instanceof Op.Constant)) {
          key.add(node.inputs().isEmpty() ? node.id() : firstLeaf(node));
        }
        continue;
      }
      for (int i = node.inputs().size() - 1; i >= 0; i--) {
        stack.push(node.input(i));
      }
    }
    return key;
  }

  /** The smallest id of a leaf below {@code root}: where a value kept whole stands in reading order. */
  private int firstLeaf(Node root) {
    Deque<Node> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node node = stack.peek();
      if (firstLeaves.containsKey(node)) {
        stack.pop();
        continue;
      }
      boolean ready = true;
      for (Node input : node.inputs()) {
        if (!firstLeaves.containsKey(input)) {
          stack.push(input);
          ready = false;
        }
      }
      if (ready) {
        stack.pop();
        int first = node.isLeaf() ? node.id() : Integer.MAX_VALUE;
        for (Node input : node.inputs()) {
          first = Math.min(first, firstLeaves.get(input));
        }
        firstLeaves.put(node, first);
      }
    }
    return firstLeaves.get(root);
  }

  private final Map<Node, Integer> firstLeaves = new IdentityHashMap<>();

  private static int compareKeys(List<Integer> a, List<Integer> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int order = Integer.compare(a.get(i), b.get(i));
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** The value of a scalar constant, or of a constant spread over a shape; null for anything else. */
  private static Double constant(Node node) {
    if (node.op() instanceof Op.Constant constant) {
      return constant.value();
    }
    if (node.op() instanceof Op.Broadcast && node.input(0).op() instanceof Op.Constant constant) {
      return constant.value();
    }
    return null;
  }
}
