package dev.nabla.print.index;

import dev.nabla.print.index.IndexExpr.Index;
import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Dim;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes one element of a node as an index formula. A named value is referenced by name
 * ({@code y1_q}); anything else is expanded by its operation: a matrix product becomes a sum over
 * the contracted index (no sum where that index has size 1, as in an outer product), a transpose
 * swaps the indices, elementwise operations and functions apply to the element, a broadcast scalar
 * is the scalar, {@code sum(x)} is {@code Σ_k x_k}.
 *
 * <p>Internally every shape is seen as rows × columns (a vector is n × 1, a row 1 × n, a scalar
 * 1 × 1); a dimension of size 1 is addressed by the fixed index 0, which a reference to a vector or
 * a scalar does not print. Summation indices are made up as {@code #1}, {@code #2}; {@link
 * IndexSimplifier#nameSummations} gives them letters once the formula is simplified.
 */
final class IndexTranslator {
  private static final Index ONE = Index.at(0);

  private final Function<Node, String> names;
  private final Map<Node, Function<List<Index>, IndexExpr>> substitutions;
  private int fresh;

  /**
   * @param names the name a formula uses for a node (already as an element is written, e.g.
   *     {@code w2}), or null where the node is expanded
   * @param substitutions nodes whose elements are given by a function of their indices instead
   */
  IndexTranslator(Function<Node, String> names, Map<Node, Function<List<Index>, IndexExpr>> substitutions) {
    this.names = names;
    this.substitutions = substitutions;
  }

  /** The element of {@code node} at {@code indices} (one per dimension), expanded at the top when {@code expandTop}. */
  IndexExpr element(Node node, List<Index> indices, boolean expandTop) {
    Shape shape = node.shape();
    if (shape.isScalar()) {
      // A one-element value may come out of the engine as a scalar (Wᵀ δ for a row W): its one
      // element needs no index.
      return at(node, ONE, ONE, !expandTop);
    }
    if (indices.size() != shape.rank()) {
      throw new IllegalArgumentException(node + " needs " + shape.rank() + " indices, not " + indices.size());
    }
    if (shape.rank() > 2) {
      return image(node, indices, !expandTop);
    }
    Index row = shape.rank() >= 1 ? indices.get(0) : ONE;
    Index column = shape.rank() == 2 ? indices.get(1) : ONE;
    return at(node, row, column, !expandTop);
  }

  private static List<Index> indicesOf(Shape shape, Index row, Index column) {
    return switch (shape.rank()) {
      case 0 -> List.of();
      case 1 -> List.of(row);
      default -> List.of(row, column);
    };
  }

  private Index.Var freshIndex() {
    return new Index.Var("#" + ++fresh);
  }

  private IndexExpr at(Node node, Index row, Index column, boolean byName) {
    List<Index> indices = indicesOf(node.shape(), row, column);
    if (byName) {
      Function<List<Index>, IndexExpr> substitution = substitutions.get(node);
      if (substitution != null) {
        return substitution.apply(indices);
      }
      String name = names.apply(node);
      if (name != null) {
        return new IndexExpr.Element(name, indices);
      }
    }
    Op op = node.op();
    if (op instanceof Op.Leaf leaf) {
      Function<List<Index>, IndexExpr> substitution = substitutions.get(node);
      if (substitution != null) {
        return substitution.apply(indices);
      }
      String name = names.apply(node);
      return new IndexExpr.Element(name != null ? name : leaf.name(), indices);
    }
    if (op instanceof Op.Constant constant) {
      return IndexExpr.number(constant.value());
    }
    if (op instanceof Op.Size size) {
      return sizeOf(size.of());
    }
    if (op instanceof Op.Broadcast) {
      return scalar(node.input(0));
    }
    if (op instanceof Op.Power power) {
      return new IndexExpr.Power(operand(node.input(0), row, column), power.exponent());
    }
    if (op instanceof Unary unary) {
      IndexExpr argument = operand(node.input(0), row, column);
      return unary == Unary.NEG ? new IndexExpr.Negate(argument) : new IndexExpr.Apply(unary.toString(), argument);
    }
    if (op instanceof Binary binary) {
      IndexExpr left = operand(node.input(0), row, column);
      IndexExpr right = operand(node.input(1), row, column);
      return switch (binary) {
        case ADD -> new IndexExpr.Add(List.of(left, right));
        case SUB -> new IndexExpr.Subtract(left, right);
        case MUL -> IndexExpr.multiply(left, right);
        case DIV -> new IndexExpr.Divide(left, right);
      };
    }
    if (op instanceof Structural structural) {
      return structural(structural, node, row, column);
    }
    if (op instanceof Spatial.ChannelSum) {
      // ∂H/∂c_o = Σ_{h,w} δ_{o,h,w}
      Index.Var p = spatialIndex("h");
      Index.Var q = spatialIndex("w");
      Shape image = node.input(0).shape();
      return new IndexExpr.Sum(p, image.dim(1), new IndexExpr.Sum(q, image.dim(2),
          image(node.input(0), List.of(row, p, q), true)));
    }
    if (op instanceof Spatial.Flatten) {
      Node image = node.input(0);
      String name = names.apply(image);
      if (name == null) {
        throw new IllegalArgumentException("flatten of an unnamed value has no index form; name it");
      }
      return new IndexExpr.Element("flatten(" + name + ")", List.of(row));
    }
    if (op instanceof Spatial.Dropout) {
      return IndexExpr.multiply(operand(node.input(0), row, column), operand(node.input(1), row, column));
    }
    if (op instanceof Spatial.DropoutMask mask) {
      return new IndexExpr.Element(mask.name(), indicesOf(node.shape(), row, column));
    }
    if (op instanceof Loss loss) {
      throw new IllegalArgumentException("the loss " + loss + " has no index form of its own; name it");
    }
    throw new IllegalArgumentException("no index form for " + op.name());
  }

  /** An operand of an elementwise operation: a scalar applies to every element. */
  private IndexExpr operand(Node input, Index row, Index column) {
    return input.shape().isScalar() ? scalar(input) : at(input, row, column, true);
  }

  private IndexExpr scalar(Node node) {
    return at(node, ONE, ONE, true);
  }

  private IndexExpr structural(Structural structural, Node node, Index row, Index column) {
    Node x = node.input(0);
    return switch (structural) {
      case MATMUL -> {
        Node b = node.input(1);
        if (x.shape().isScalar() || b.shape().isScalar()) {
          yield IndexExpr.multiply(operand(x, row, column), operand(b, row, column));
        }
        Dim inner = x.shape().columns();
        if (inner.equals(Dim.of(1))) {
          yield IndexExpr.multiply(at(x, row, ONE, true), at(b, ONE, column, true));
        }
        Index.Var k = freshIndex();
        yield new IndexExpr.Sum(k, inner, IndexExpr.multiply(at(x, row, k, true), at(b, k, column, true)));
      }
      case TRANSPOSE -> at(x, column, row, true);
      case SOFTMAX -> new IndexExpr.Divide(
          new IndexExpr.Apply("exp", at(x, row, column, true)), sumOfExp(x));
      case LOGSOFTMAX -> new IndexExpr.Subtract(
          at(x, row, column, true), new IndexExpr.Apply("log", sumOfExp(x)));
      case SUM -> sumOfAll(x);
      case MEAN -> new IndexExpr.Divide(sumOfAll(x), sizeOf(x.shape()));
    };
  }

  // ---- images [C, H, W] and kernels [O, C, KH, KW] ----

  /** A summation index that prints as {@code letter} where the formula leaves that letter free. */
  private Index.Var spatialIndex(String letter) {
    return new Index.Var("#" + letter + "." + ++fresh);
  }

  /** {@code s·outer + inner − padding}: where a window at {@code outer} reads its element {@code inner}. */
  private static Index window(int stride, Index outer, Index inner, int padding) {
    if (!(outer instanceof Index.Var o) || !(inner instanceof Index.Var i)) {
      throw new IllegalArgumentException("a window position needs index variables");
    }
    return new Index.Affine(List.of(o, i), List.of(stride, 1), -padding, 1, false);
  }

  /** An operand of an elementwise operation on an image: a scalar, a bias per channel, or an image. */
  private IndexExpr imageOperand(Node input, List<Index> indices) {
    if (input.shape().isScalar()) {
      return scalar(input);
    }
    if (input.shape().isVector()) {
      return at(input, indices.get(0), ONE, true);
    }
    return image(input, indices, true);
  }

  /** The element {@code indices} of an image or a kernel. */
  private IndexExpr image(Node node, List<Index> indices, boolean byName) {
    if (byName || node.isLeaf()) {
      Function<List<Index>, IndexExpr> substitution = substitutions.get(node);
      if (substitution != null) {
        return substitution.apply(indices);
      }
      String name = names.apply(node);
      if (name != null || node.op() instanceof Op.Leaf) {
        return new IndexExpr.Element(name != null ? name : ((Op.Leaf) node.op()).name(), indices);
      }
    }
    Op op = node.op();
    if (op instanceof Op.Broadcast) {
      return scalar(node.input(0));
    }
    if (op instanceof Op.Power power) {
      return new IndexExpr.Power(imageOperand(node.input(0), indices), power.exponent());
    }
    if (op instanceof Unary unary) {
      IndexExpr argument = imageOperand(node.input(0), indices);
      return unary == Unary.NEG ? new IndexExpr.Negate(argument) : new IndexExpr.Apply(unary.toString(), argument);
    }
    if (op instanceof Binary binary) {
      IndexExpr left = imageOperand(node.input(0), indices);
      IndexExpr right = imageOperand(node.input(1), indices);
      return switch (binary) {
        case ADD -> new IndexExpr.Add(List.of(left, right));
        case SUB -> new IndexExpr.Subtract(left, right);
        case MUL -> IndexExpr.multiply(left, right);
        case DIV -> new IndexExpr.Divide(left, right);
      };
    }
    if (op instanceof Spatial spatial) {
      return spatial(spatial, node, indices);
    }
    throw new IllegalArgumentException("no index form for " + op.name() + " of an image");
  }

  private IndexExpr spatial(Spatial op, Node node, List<Index> at) {
    if (op instanceof Spatial.Conv2d conv) {
      // y_{o,p,q} = Σ_{c,i,j} k_{o,c,i,j} · x_{c, s·p+i−pad, s·q+j−pad}
      Shape kernel = node.input(0).shape();
      Index.Var c = spatialIndex("c");
      Index.Var i = spatialIndex("i");
      Index.Var j = spatialIndex("j");
      IndexExpr body = IndexExpr.multiply(image(node.input(0), List.of(at.get(0), c, i, j), true),
          image(node.input(1), List.of(c, window(conv.stride(), at.get(1), i, conv.padding()),
              window(conv.stride(), at.get(2), j, conv.padding())), true));
      return new IndexExpr.Sum(c, kernel.dim(1), new IndexExpr.Sum(i, kernel.dim(2), new IndexExpr.Sum(j, kernel.dim(3), body)));
    }
    if (op instanceof Spatial.Conv2dKernelGradient conv) {
      // ∂H/∂k_{o,c,i,j} = Σ_{p,q} δ_{o,p,q} · x_{c, s·p+i−pad, s·q+j−pad}
      Shape delta = node.input(0).shape();
      Index.Var p = spatialIndex("p");
      Index.Var q = spatialIndex("q");
      IndexExpr body = IndexExpr.multiply(image(node.input(0), List.of(at.get(0), p, q), true),
          image(node.input(1), List.of(at.get(1), window(conv.stride(), p, at.get(2), conv.padding()),
              window(conv.stride(), q, at.get(3), conv.padding())), true));
      return new IndexExpr.Sum(p, delta.dim(1), new IndexExpr.Sum(q, delta.dim(2), body));
    }
    if (op instanceof Spatial.Conv2dInputGradient conv) {
      // ∂H/∂x_{c,h,w} = Σ_{o,i,j} k_{o,c,i,j} · δ_{o,(h+pad−i)/s,(w+pad−j)/s}: the transposed convolution,
      // the flipped kernel running over δ (terms whose position is not whole, or outside δ, are 0)
      Shape kernel = node.input(0).shape();
      Index.Var o = spatialIndex("o");
      Index.Var i = spatialIndex("i");
      Index.Var j = spatialIndex("j");
      IndexExpr body = IndexExpr.multiply(image(node.input(0), List.of(o, at.get(0), i, j), true),
          image(node.input(1), List.of(o, back(at.get(1), i, conv), back(at.get(2), j, conv)), true));
      return new IndexExpr.Sum(o, kernel.dim(0), new IndexExpr.Sum(i, kernel.dim(2), new IndexExpr.Sum(j, kernel.dim(3), body)));
    }
    if (op instanceof Spatial.MaxPool || op instanceof Spatial.AvgPool) {
      int window = op instanceof Spatial.MaxPool max ? max.window() : ((Spatial.AvgPool) op).window();
      int stride = op instanceof Spatial.MaxPool max ? max.stride() : ((Spatial.AvgPool) op).stride();
      Index.Var i = spatialIndex("i");
      Index.Var j = spatialIndex("j");
      IndexExpr element = image(node.input(0), List.of(at.get(0), window(stride, at.get(1), i, 0), window(stride, at.get(2), j, 0)), true);
      if (op instanceof Spatial.MaxPool) {
        throw new IllegalArgumentException("max pooling has no index form of its own; name it");
      }
      return new IndexExpr.Divide(new IndexExpr.Sum(i, Dim.of(window), new IndexExpr.Sum(j, Dim.of(window), element)),
          IndexExpr.number((double) window * window));
    }
    if (op instanceof Spatial.MaxPoolGradient pool) {
      // ∂H/∂a_{c,h,w} = Σ_{p,q} δ_{c,p,q} · 1{(h,w) = argmax of window (p,q) of a_c}
      Shape delta = node.input(1).shape();
      Index.Var p = spatialIndex("p");
      Index.Var q = spatialIndex("q");
      String image = names.apply(node.input(0));
      if (image == null) {
        throw new IllegalArgumentException("max pooling of an unnamed value has no index form; name it");
      }
      IndexExpr body = IndexExpr.multiply(image(node.input(1), List.of(at.get(0), p, q), true),
          new IndexExpr.Routing(image, at, List.of(p, q)));
      return new IndexExpr.Sum(p, delta.dim(1), new IndexExpr.Sum(q, delta.dim(2), body));
    }
    if (op instanceof Spatial.MaxPoolGather) {
      // y_{c,p,q} = Σ_{h,w} g_{c,h,w} · 1{(h,w) = argmax of window (p,q) of a_c}
      Shape image = node.input(0).shape();
      Index.Var h = spatialIndex("h");
      Index.Var w = spatialIndex("w");
      String name = names.apply(node.input(0));
      if (name == null) {
        throw new IllegalArgumentException("max pooling of an unnamed value has no index form; name it");
      }
      IndexExpr body = IndexExpr.multiply(image(node.input(1), List.of(at.get(0), h, w), true),
          new IndexExpr.Routing(name, List.of(at.get(0), h, w), List.of(at.get(1), at.get(2))));
      return new IndexExpr.Sum(h, image.dim(1), new IndexExpr.Sum(w, image.dim(2), body));
    }
    if (op instanceof Spatial.AvgPoolGradient pool) {
      // ∂H/∂a_{c,h,w} = Σ_{p,q} δ_{c,p,q} · 1{(h,w) in window (p,q)} / k²
      Shape delta = node.input(0).shape();
      Index.Var p = spatialIndex("p");
      Index.Var q = spatialIndex("q");
      IndexExpr body = IndexExpr.multiply(image(node.input(0), List.of(at.get(0), p, q), true),
          new IndexExpr.Routing(null, at, List.of(p, q)));
      return new IndexExpr.Divide(new IndexExpr.Sum(p, delta.dim(1), new IndexExpr.Sum(q, delta.dim(2), body)),
          IndexExpr.number((double) pool.window() * pool.window()));
    }
    if (op instanceof Spatial.Unflatten) {
      List<Index.Var> vars = new ArrayList<>();
      for (Index index : at) {
        if (!(index instanceof Index.Var var)) {
          throw new IllegalArgumentException("unflatten needs index variables");
        }
        vars.add(var);
      }
      return at(node.input(0), Index.Affine.flat(vars), ONE, true);
    }
    if (op instanceof Spatial.Dropout) {
      return IndexExpr.multiply(imageOperand(node.input(0), at), imageOperand(node.input(1), at));
    }
    if (op instanceof Spatial.DropoutMask mask) {
      return new IndexExpr.Element(mask.name(), at);
    }
    throw new IllegalArgumentException("no index form for " + op.name());
  }

  /** {@code (h + pad − i)/s}: the output position whose window reads input {@code h} at kernel offset {@code i}. */
  private static Index back(Index h, Index.Var i, Spatial.Conv2dInputGradient conv) {
    if (!(h instanceof Index.Var var)) {
      throw new IllegalArgumentException("a transposed convolution needs index variables");
    }
    return new Index.Affine(List.of(var, i), List.of(1, -1), conv.padding(), conv.stride(), false);
  }

  private IndexExpr sumOfExp(Node vector) {
    Index.Var k = freshIndex();
    return new IndexExpr.Sum(k, vector.shape().rows(), new IndexExpr.Apply("exp", at(vector, k, ONE, true)));
  }

  private IndexExpr sumOfAll(Node x) {
    Dim rows = x.shape().rows();
    Dim columns = x.shape().columns();
    Index row = rows.equals(Dim.of(1)) ? ONE : freshIndex();
    Index column = columns.equals(Dim.of(1)) ? ONE : freshIndex();
    IndexExpr body = at(x, row, column, true);
    if (column instanceof Index.Var var) {
      body = new IndexExpr.Sum(var, columns, body);
    }
    if (row instanceof Index.Var var) {
      body = new IndexExpr.Sum(var, rows, body);
    }
    return body;
  }

  private static IndexExpr sizeOf(Shape shape) {
    if (shape.isKnown()) {
      return IndexExpr.number(shape.size());
    }
    List<IndexExpr> factors = new ArrayList<>();
    for (Dim dim : shape.dims()) {
      factors.add(dim.isKnown() ? IndexExpr.number(dim.size()) : new IndexExpr.Element(dim.toString(), List.of()));
    }
    return factors.size() == 1 ? factors.get(0) : new IndexExpr.Multiply(factors);
  }
}
