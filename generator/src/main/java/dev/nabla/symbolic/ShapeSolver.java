package dev.nabla.symbolic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shape inference by unification. Symbolic dimensions are variables that unify with sizes or with
 * each other; a free name of a one-liner starts with an unknown shape that its first use decides
 * (a left operand of a product with a vector becomes a matrix, an addend becomes what it is added
 * to). Operations' shape rules are written with the helpers here, so one rule serves both specs
 * with known sizes and symbolic one-liners.
 */
public final class ShapeSolver {
  private final Map<Integer, Dim> dimBindings = new HashMap<>();
  private final Map<Integer, Shape> shapeBindings = new HashMap<>();
  private int nextId = 1;

  /** A new symbolic dimension; its final name is given when shapes are resolved. */
  public Dim freshDim() {
    int id = nextId++;
    return new Dim.Var(id, "d" + id);
  }

  /** A new symbolic dimension with a name a user gave ({@code W1[n1, n0]}). */
  public Dim namedDim(String name) {
    return new Dim.Var(nextId++, name);
  }

  public Shape freshUnknown() {
    return freshUnknown(Rank.VECTOR);
  }

  /**
   * The rank a free name of a one-liner takes where its uses do not decide it, the rule
   * MatrixCalculus.org follows: a lowercase name is a vector, an uppercase one a matrix, and {@code X},
   * the lesson's sample, a vector ({@code W1 X}) except where only a matrix fits: multiplying
   * from the left ({@code X w}) or between a row and a vector ({@code aᵀ X b}). Where a vector cannot stand ({@code w x}, {@code c A}), a
   * lowercase name is a scalar.
   */
  public enum Rank {
    VECTOR, MATRIX, SAMPLE;

    public static Rank of(String name) {
      if (name.equals("X")) {
        return SAMPLE;
      }
      return Character.isUpperCase(name.codePointAt(0)) ? MATRIX : VECTOR;
    }
  }

  private final Map<Integer, Rank> ranks = new HashMap<>();

  public Shape freshUnknown(Rank rank) {
    int id = nextId++;
    ranks.put(id, rank);
    return Shape.unknown(id);
  }

  private Rank rankOf(Shape unknown) {
    return ranks.getOrDefault(unknown.unknownId(), Rank.VECTOR);
  }

  /** An unknown shape decided by its rank rule alone: what a transpose, or the end of inference, needs. */
  public Shape decide(Shape shape) {
    return decide(shape, false);
  }

  /** {@link #decide}, for the operand of a transpose: a transposed {@code X} is a matrix ({@code aᵀ Xᵀ b}). */
  public Shape decideTransposed(Shape shape) {
    return decide(shape, true);
  }

  private Shape decide(Shape shape, boolean transposed) {
    Shape resolved = resolve(shape);
    if (!resolved.isUnknown()) {
      return resolved;
    }
    Rank rank = rankOf(resolved);
    Shape decided = rank == Rank.MATRIX || (rank == Rank.SAMPLE && transposed) ? Shape.matrix(freshDim(), freshDim()) : Shape.vector(freshDim());
    bind(resolved, decided);
    return decided;
  }

  /** The dimension a variable stands for now. */
  public Dim resolve(Dim dim) {
    Dim current = dim;
    while (current instanceof Dim.Var var && dimBindings.containsKey(var.id())) {
      current = dimBindings.get(var.id());
    }
    if (current instanceof Dim.Window window) {
      return Dim.window(resolve(window.in()), resolve(window.kernel()), window.stride(), window.padding());
    }
    if (current instanceof Dim.Product product) {
      return Dim.product(product.factors().stream().map(this::resolve).toList());
    }
    return current;
  }

  /** The shape with every bound variable replaced; an unknown shape stays unknown until bound. */
  public Shape resolve(Shape shape) {
    Shape current = shape;
    while (current.isUnknown() && shapeBindings.containsKey(current.unknownId())) {
      current = shapeBindings.get(current.unknownId());
    }
    if (current.isUnknown()) {
      return current;
    }
    List<Dim> dims = new ArrayList<>(current.rank());
    for (Dim dim : current.dims()) {
      dims.add(resolve(dim));
    }
    return current.withDims(dims);
  }

  /** Makes two dimensions equal, or says why they cannot be. */
  public void unify(Dim a, Dim b) throws ShapeException {
    Dim left = resolve(a);
    Dim right = resolve(b);
    if (left.equals(right)) {
      return;
    }
    if (left instanceof Dim.Var var) {
      dimBindings.put(var.id(), right);
    } else if (right instanceof Dim.Var var) {
      dimBindings.put(var.id(), left);
    } else {
      throw new ShapeException(left + " ≠ " + right);
    }
  }

  /** Whether two dimensions are equal or can be made so, without binding anything. */
  public boolean compatible(Dim a, Dim b) {
    Dim left = resolve(a);
    Dim right = resolve(b);
    return left.equals(right) || !left.isKnown() || !right.isKnown();
  }

  /** Makes two shapes equal, element by element. */
  public Shape unify(Shape a, Shape b) throws ShapeException {
    Shape left = resolve(a);
    Shape right = resolve(b);
    if (left.isUnknown()) {
      bind(left, right);
      return right;
    }
    if (right.isUnknown()) {
      bind(right, left);
      return left;
    }
    if (left.rank() != right.rank()) {
      throw new ShapeException(left + " and " + right + " differ in rank");
    }
    if (left.isRow() != right.isRow()) {
      throw new ShapeException("a row (" + (left.isRow() ? left : right) + ") is not a matrix (" + (left.isRow() ? right : left) + ")");
    }
    for (int i = 0; i < left.rank(); i++) {
      unify(left.dim(i), right.dim(i));
    }
    return resolve(left);
  }

  /**
   * The shape of an elementwise operation on two operands: equal shapes, or a scalar with anything
   * (which multiplies or offsets every element).
   */
  public Shape broadcast(Shape a, Shape b) throws ShapeException {
    Shape left = resolve(a);
    Shape right = resolve(b);
    if (left.isScalar()) {
      return right;
    }
    if (right.isScalar()) {
      return left;
    }
    return unify(left, right);
  }

  /**
   * {@link #broadcast}, and a bias per channel: an image {@code [O, H, W]} plus a vector {@code [O]}
   * adds the vector's entry {@code o} to every pixel of channel {@code o} (either order). A lowercase
   * unknown name added to an image is such a bias ({@code conv2d(K, X) + c}).
   */
  public Shape biasBroadcast(Shape a, Shape b) throws ShapeException {
    Shape left = resolve(a);
    Shape right = resolve(b);
    if (left.isImage() && right.isUnknown() && rankOf(right) == Rank.VECTOR) {
      bind(right, Shape.vector(left.dim(0)));
      right = resolve(right);
    } else if (right.isImage() && left.isUnknown() && rankOf(left) == Rank.VECTOR) {
      bind(left, Shape.vector(right.dim(0)));
      left = resolve(left);
    }
    if (left.isImage() && right.isVector() || left.isVector() && right.isImage()) {
      Shape image = left.isImage() ? left : right;
      Shape bias = left.isImage() ? right : left;
      if (!compatible(image.dim(0), bias.dim(0))) {
        throw new ShapeException("a bias per channel has one entry per channel: " + resolve(image.dim(0)) + " ≠ " + resolve(bias.dim(0)));
      }
      unify(image.dim(0), bias.dim(0));
      return resolve(image);
    }
    return broadcast(left, right);
  }

  /** The operand must be of {@code rank}; an unknown one becomes a fresh shape of it. */
  public Shape expectRank(Shape shape, int rank, String role) throws ShapeException {
    Shape resolved = resolve(shape);
    if (resolved.isUnknown()) {
      List<Dim> dims = new ArrayList<>();
      for (int i = 0; i < rank; i++) {
        dims.add(freshDim());
      }
      Shape fresh = new Shape(dims);
      bind(resolved, fresh);
      return fresh;
    }
    if (resolved.rank() != rank) {
      throw new ShapeException(role + " must be " + article(rank) + ", not " + describe(resolved));
    }
    return resolved;
  }

  private static String article(int rank) {
    return switch (rank) {
      case 3 -> "an image (channels×height×width)";
      case 4 -> "a kernel (out channels×in channels×height×width)";
      default -> "of rank " + rank;
    };
  }

  /**
   * The shape of {@code conv2d(K, X)}: {@code K[O, C, KH, KW]} and {@code X[C, H, W]} give
   * {@code [O, (H + 2p − KH)/s + 1, (W + 2p − KW)/s + 1]}.
   */
  public Shape convolution(Shape kernel, Shape input, int stride, int padding) throws ShapeException {
    Shape x = expectRank(input, 3, "the input of conv2d");
    Shape k = resolve(kernel);
    if (k.isUnknown()) {
      Shape fresh = new Shape(List.of(freshDim(), x.dim(0), freshDim(), freshDim()));
      bind(k, fresh);
      k = fresh;
    }
    k = expectRank(k, 4, "the kernel of conv2d");
    if (!compatible(k.dim(1), x.dim(0))) {
      throw new ShapeException("the kernel " + k + " takes " + resolve(k.dim(1)) + " input channels, but the input "
          + x + " has " + resolve(x.dim(0)),
          "declare the kernel as [" + resolve(k.dim(0)) + ", " + resolve(x.dim(0)) + ", " + resolve(k.dim(2)) + ", " + resolve(k.dim(3)) + "]");
    }
    unify(k.dim(1), x.dim(0));
    return new Shape(List.of(resolve(k.dim(0)),
        window("the kernel", x, k.dim(2), 1, stride, padding),
        window("the kernel", x, k.dim(3), 2, stride, padding)));
  }

  /** The shape of a pooling of windows {@code k × k} moved by {@code stride}: the windows must tile the input. */
  public Shape pooling(Shape input, int window, int stride) throws ShapeException {
    Shape x = expectRank(input, 3, "the input of pooling");
    Dim k = Dim.of(window);
    return new Shape(List.of(resolve(x.dim(0)),
        window("the window", x, k, 1, stride, 0), window("the window", x, k, 2, stride, 0)));
  }

  private Dim window(String what, Shape input, Dim kernel, int axis, int stride, int padding) throws ShapeException {
    if (stride < 1) {
      throw new ShapeException("stride " + stride + ": the window must move by at least 1");
    }
    Dim in = resolve(input.dim(axis));
    Dim size = resolve(kernel);
    String side = axis == 1 ? "height" : "width";
    if (in.isKnown() && size.isKnown()) {
      long padded = in.size() + 2L * padding;
      if (size.size() > padded) {
        throw new ShapeException(what + " " + side + " " + size + " is larger than the input's " + side + " " + in
            + (padding == 0 ? "" : " padded to " + padded) + " (input " + input + ")",
            what.equals("the window") ? "use a window of at most " + in
                : "pad the input (padding=" + ((size.size() - in.size() + 1) / 2) + ") or use a smaller kernel");
      }
      if (what.equals("the window") && (padded - size.size()) % stride != 0) {
        throw new ShapeException("a window of " + size + " moved by " + stride + " does not tile the input's " + side + " " + in
            + " (input " + input + "): (" + in + " − " + size + ") is not a multiple of " + stride,
            "pooling drops no pixels: choose a window and stride with (" + side + " − window) divisible by the stride");
      }
    }
    return Dim.window(in, size, stride, padding);
  }

  /** {@code flatten(X)}: an image {@code [C, H, W]} as the vector {@code [C·H·W]}. */
  public Shape flatten(Shape input) throws ShapeException {
    Shape x = expectRank(input, 3, "the operand of flatten");
    return Shape.vector(Dim.product(x.dims()));
  }

  /** The operand must be a column vector; an unknown one becomes one. */
  public Shape expectVector(Shape shape) throws ShapeException {
    Shape resolved = resolve(shape);
    if (resolved.isUnknown()) {
      Shape vector = Shape.vector(freshDim());
      bind(resolved, vector);
      return vector;
    }
    if (!resolved.isVector()) {
      throw new ShapeException("expected a vector, got " + describe(resolved));
    }
    return resolved;
  }

  /**
   * The shape of the product {@code a b}: matrix × vector, matrix × matrix, vector × row (an outer
   * product), row × vector (a dot product, a scalar), row × matrix (a row), or a scalar times anything.
   */
  public Shape product(Shape a, Shape b) throws ShapeException {
    Shape left = resolve(a);
    Shape right = resolve(b);
    for (Shape operand : List.of(left, right)) {
      if (operand.rank() > 2) {
        throw new ShapeException("a product takes vectors and matrices, not " + describe(operand),
            operand.isImage() ? "flatten(...) makes an image a vector a dense layer takes" : "a kernel is applied with conv2d(K, X)");
      }
    }
    if (left.isUnknown() && right.isUnknown()) {
      // W1 X: the sample after a matrix is the vector a layer takes; A B are two matrices.
      right = decide(right);
    }
    if (left.isScalar()) {
      return right;
    }
    if (right.isScalar()) {
      return left;
    }
    if (left.isUnknown()) {
      // W x: an uppercase name before a vector or a matrix multiplies it, so it is a matrix; a
      // lowercase one, which a vector cannot be here, scales it; before a row it is the column
      // of an outer product.
      Shape decided = right.isRow() ? Shape.vector(freshDim())
          : rankOf(left) == Rank.VECTOR ? Shape.SCALAR : Shape.matrix(freshDim(), right.rows());
      bind(left, decided);
      left = decided;
      if (left.isScalar()) {
        return right;
      }
    }
    if (right.isUnknown()) {
      Rank rank = rankOf(right);
      if (left.isVector()) {
        right = rank == Rank.VECTOR ? Shape.SCALAR : Shape.row(freshDim());
      } else {
        right = rank == Rank.MATRIX || (rank == Rank.SAMPLE && left.isRow()) ? Shape.matrix(left.columns(), freshDim()) : Shape.vector(left.columns());
      }
      bind(resolve(b), right);
      if (right.isScalar()) {
        return left;
      }
    }
    if (left.isVector()) {
      if (!right.isRow()) {
        throw new ShapeException("a vector (" + left + ") can only multiply a row (1×n), not " + describe(right),
            "for a dot product write sum(a * b) or aᵀ b");
      }
      return Shape.matrix(left.dim(0), right.dim(1));
    }
    if (right.isRow()) {
      // Only a column times a row is an outer product; a matrix with one column is not a column.
      throw new ShapeException("only a column vector can multiply a row",
          "declare the left operand as a vector to make an outer product");
    }
    Dim inner = left.columns();
    Dim rightRows = right.rows();
    if (!compatible(inner, rightRows)) {
      throw new ShapeException(resolve(inner) + " ≠ " + resolve(rightRows));
    }
    unify(inner, rightRows);
    if (right.isVector()) {
      return left.isRow() ? Shape.SCALAR : Shape.vector(left.rows());
    }
    return left.isRow() ? resolve(Shape.row(right.columns())) : resolve(Shape.matrix(left.rows(), right.columns()));
  }

  private void bind(Shape unknown, Shape to) {
    if (unknown.isUnknown() && !(to.isUnknown() && to.unknownId() == unknown.unknownId())) {
      shapeBindings.put(unknown.unknownId(), to);
    }
  }

  /** "a vector (20)", "a matrix (10×20)", "a scalar": how shape messages name an operand's shape. */
  public static String describe(Shape shape) {
    if (shape.isUnknown()) {
      return "a value of unknown shape";
    }
    return switch (shape.rank()) {
      case 0 -> "a scalar";
      case 1 -> "a vector (" + shape + ")";
      case 2 -> shape.isRow() ? "a row (" + shape + ")" : "a matrix (" + shape + ")";
      case 3 -> "an image (" + shape + ")";
      default -> "a kernel (" + shape + ")";
    };
  }

  /**
   * The final form of a shape: unknown shapes left over take the rank of their name's rule ({@link Rank}), and symbolic dimensions
   * get the names {@code n0, n1, …} in the order {@code names} meets them (user-given names are kept).
   */
  public Shape finish(Shape shape, DimNames names) {
    Shape resolved = decide(shape);
    List<Dim> dims = new ArrayList<>();
    for (Dim dim : resolved.dims()) {
      dims.add(names.name(resolve(dim)));
    }
    return resolved.withDims(dims);
  }

  /** Hands out the canonical names of symbolic dimensions, in first-come order. */
  public static final class DimNames {
    private final Map<Integer, Dim> names = new LinkedHashMap<>();
    private int next;

    Dim name(Dim dim) {
      if (dim instanceof Dim.Window window) {
        return new Dim.Window(name(window.in()), name(window.kernel()), window.stride(), window.padding());
      }
      if (dim instanceof Dim.Product product) {
        return new Dim.Product(product.factors().stream().map(this::name).toList());
      }
      if (!(dim instanceof Dim.Var var)) {
        return dim;
      }
      return names.computeIfAbsent(var.id(),
          id -> var.name().startsWith("d") && var.name().substring(1).equals(Integer.toString(id))
              ? new Dim.Var(id, "n" + next++)
              : var);
    }
  }
}
