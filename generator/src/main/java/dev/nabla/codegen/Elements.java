package dev.nabla.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.codegen.Expressions.Ex;
import dev.nabla.codegen.Plan.Storage;
import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;

/** Element expressions: where a value's element lies for sample {@code b}, or how it is computed inline from its operands. */
abstract class Elements extends Comments {
  Elements(Network network, Gradients gradients, CodegenOptions options) {
    super(network, gradients, options);
  }

  /**
   * A value of the {@code float[]} batch the API takes, in the class's arithmetic: a double class
   * reads it as {@code (double) x[i]}, or {@code x[i] * x[j]} would be a float product.
   */
  Ex widened(String floatElement) {
    return Expressions.atom(options.precision() == Precision.DOUBLE ? "(double) " + floatElement : floatElement);
  }

  /** Element {@code index} (within one sample) of {@code node}, for sample {@code b}. */
  Ex elem(MethodBody body, Node node, String b, String index) {
    Op op = node.op();
    Storage storage = plan.storage(node);
    if (op instanceof Op.Leaf leaf) {
      switch (leaf.kind()) {
        case INPUT -> {
          return Expressions.atom(inputArray(body) + "[" + Expressions.index(inputBase(body), Expressions.times(b, inputSize),
              offsetOf(node), index) + "]");
        }
        case TARGET -> {
          return widened(body.read(MethodBody.Read.TARGETS) + "[" + Expressions.index(Expressions.times(b, size(node)), index) + "]");
        }
        case LABEL -> {
          return Expressions.atom(arrays.get(node) + "[" + Expressions.index(Expressions.times(b, size(node)), index) + "]");
        }
        case PARAM -> {
          return Expressions.atom(arrays.get(node) + "[" + index + "]");
        }
      }
    }
    if (op instanceof Op.Constant constant) {
      return constant(constant.value(), node);
    }
    if (op instanceof Op.Size sized) {
      return ex.literal(sized.of().size());
    }
    if (op instanceof Op.Broadcast && storage != Storage.ARRAY) {
      return elem(body, node.input(0), b, "0");
    }
    return switch (storage) {
      case ARRAY -> Expressions.atom(arrays.get(node) + "[" + Expressions.index(
          plan.perSample(node) ? Expressions.times(b, size(node)) : null, index) + "]");
      case VIEW -> elem(body, node.input(0), b, index);
      case INLINE, GRADIENT -> compute(body, node, b, index);
      default -> throw new IllegalStateException("no element access for " + node);
    };
  }

  /** Element (i, j) of {@code node} seen as a matrix (a vector is a column, a scalar 1×1). */
  Ex at(MethodBody body, Node node, String b, String i, String j) {
    if (node.is(Structural.TRANSPOSE) && plan.storage(node) == Storage.VIEW) {
      return at(body, node.input(0), b, j, i);
    }
    return elem(body, node, b, Expressions.index(Expressions.times(i, columns(node)), j));
  }

  /** Whether moving along a row of {@code node} (its column index) reads consecutive memory. */
  boolean rowContiguous(Node node) {
    if (node.is(Structural.TRANSPOSE) && plan.storage(node) == Storage.VIEW) {
      return columns(node.input(0)) == 1 || rows(node.input(0)) == 1 ? true : columnContiguous(node.input(0));
    }
    return true;
  }

  /** Whether moving down a column of {@code node} (its row index) reads consecutive memory. */
  boolean columnContiguous(Node node) {
    if (node.is(Structural.TRANSPOSE) && plan.storage(node) == Storage.VIEW) {
      return rowContiguous(node.input(0));
    }
    return columns(node) == 1 || !isStored(node);
  }

  boolean isStored(Node node) {
    Storage storage = plan.storage(node);
    return storage == Storage.ARRAY || storage == Storage.LEAF || storage == Storage.VIEW;
  }

  /** The value of an elementwise node from its operands' elements. */
  Ex compute(MethodBody body, Node node, String b, String index) {
    Op op = node.op();
    Double folded = folded(node, 0);
    if (folded != null) {
      return constant(folded, node);
    }
    if (op instanceof Op.Broadcast) {
      return elem(body, node.input(0), b, "0");
    }
    if (op instanceof Op.Power power) {
      Ex x = elem(body, node.input(0), b, operandIndex(node.input(0), index));
      return power.exponent() == 2 ? ex.mul(x, x) : ex.math("pow", x, ex.literal(power.exponent()));
    }
    if (op instanceof Unary unary) {
      Ex x = elem(body, node.input(0), b, operandIndex(node.input(0), index));
      Ex zero = ex.literal(0);
      Ex one = ex.literal(1);
      return switch (unary) {
        case NEG -> ex.neg(x);
        case RELU -> ex.exact("max", x, zero);
        case SIGMOID -> ex.div(one, ex.add(one, ex.math("exp", ex.neg(x))));
        case TANH -> ex.math("tanh", x);
        case EXP -> ex.math("exp", x);
        case LOG -> ex.math("log", x);
        case SOFTPLUS -> ex.add(ex.exact("max", x, zero), ex.math("log1p",
            Expressions.atom(CodeBlock.of("$T.exp(-$T.abs($L))", Expressions.MATH, Expressions.MATH, x.code()))));
        case STEP -> ex.conditional(CodeBlock.of("$L >= 0", x.at(Expressions.ADDITIVE)), one, zero);
      };
    }
    if (op instanceof Binary binary) {
      Ex left = elem(body, node.input(0), b, operandIndex(node, node.input(0), index));
      Ex right = elem(body, node.input(1), b, operandIndex(node, node.input(1), index));
      return switch (binary) {
        case ADD -> ex.add(left, right);
        case SUB -> ex.sub(left, right);
        case MUL -> ex.mul(left, right);
        case DIV -> ex.div(left, right);
      };
    }
    throw new IllegalStateException("not elementwise: " + node);
  }

  static String operandIndex(Node operand, String index) {
    return operand.shape().isScalar() ? "0" : index;
  }

  /**
   * The element of {@code operand} that element {@code index} of the elementwise {@code node} reads: the same, the
   * scalar's one, or for a bias per channel added to an image {@code [C, H, W]} its channel's, {@code index / (H·W)}.
   */
  static String operandIndex(Node node, Node operand, String index) {
    if (node.shape().isImage() && operand.shape().isVector()) {
      long pixels = node.shape().size() / operand.shape().size();
      return index.equals("0") ? "0" : (index.matches("\\w+") ? index : "(" + index + ")") + " / " + pixels;
    }
    return operandIndex(operand, index);
  }

  /** Where a value is written: {@code target(b, index)}. */
  interface Target {
    String at(String b, String index);
  }

  Target arrayTarget(Node node) {
    String array = arrays.get(node);
    int size = size(node);
    boolean perSample = plan.perSample(node);
    return (b, index) -> array + "[" + Expressions.index(perSample ? Expressions.times(b, size) : null, index) + "]";
  }

  /**
   * A per-sample vector stored in a flat array: sample {@code b}'s values at {@code [r stride + offset, + length)},
   * where {@code r} is {@code b}, or {@code rows[b]} when {@code rows} names an array (the inputs of a shuffled batch
   * where they lie; only {@link #rowsByRowOf} gives one).
   */
  record Rows(String array, int stride, String offset, int length, String rows) {
    Rows(String array, int stride, String offset, int length) {
      this(array, stride, offset, length, null);
    }

    /** {@code array, offset, stride}, as the kernels take a per-sample operand. */
    CodeBlock code() {
      return CodeBlock.of("$N, $L, $L", array, offset, stride);
    }

    /** {@code array, offset, stride, rows}, as the products that may read a shuffled batch where it lies take it. */
    CodeBlock codeWithRows() {
      return CodeBlock.of("$N, $L, $L, $L", array, offset, stride, rows == null ? "null" : rows);
    }
  }

  Rows rowsOf(MethodBody body, Node node) {
    return rowsOf(body, node, false);
  }

  /** {@link #rowsOf}, for a product that reads the inputs through the rows of a shuffled batch ({@link Rows#codeWithRows}). */
  Rows rowsByRowOf(MethodBody body, Node node) {
    return rowsOf(body, node, true);
  }

  private Rows rowsOf(MethodBody body, Node node, boolean byRow) {
    if (Plan.isView(node, plan.storage(node))) {
      return rowsOf(body, node.input(0), byRow);
    }
    if (!isRowShape(node) && !node.shape().isRow()) {
      return null; // a row [1, n] is one run of n values too, as a transposed vector leaves a δ
    }
    if (node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.INPUT) {
      String rows = byRow ? inputRows(body) : null;
      String array = rows == null ? inputArray(body) : body.read(MethodBody.Read.X);
      return new Rows(array, inputSize, Expressions.index(inputBase(body), offsetOf(node)), size(node), rows);
    }
    if (plan.storage(node) == Storage.ARRAY && plan.perSample(node) && node != label) {
      return new Rows(arrays.get(node), size(node), "0", size(node));
    }
    boolean parameter = node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM;
    if ((plan.storage(node) == Storage.ARRAY || parameter) && !plan.perSample(node)) {
      return new Rows(arrays.get(node), 0, "0", size(node)); // the same row for every sample: stride 0
    }
    return null;
  }

  /**
   * Whether one sample's value of {@code node} is one contiguous row of a per-sample array: a scalar, a vector or an
   * image (channels, then rows, then columns), not a matrix, whose rows and columns a kernel would read otherwise.
   */
  static boolean isRowShape(Node node) {
    return node.shape().isScalar() || node.shape().isVector() || node.shape().isImage();
  }

  static boolean isParameterMatrix(Node node) {
    return node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM && node.shape().isMatrix();
  }

  /**
   * The value of a node computed from constants alone, folded in double ({@code 1e200 * 1e-200} is 1, not the
   * float class's ∞ · 0); {@code null} when it reads anything else.
   */
  static Double folded(Node node, int depth) {
    Op op = node.op();
    if (op instanceof Op.Constant constant) {
      return constant.value();
    }
    if (op instanceof Op.Size sized) {
      return (double) sized.of().size();
    }
    if (depth > 64 || node.inputs().isEmpty() || !(op instanceof Unary || op instanceof Binary || op instanceof Op.Power
        || op instanceof Op.Broadcast)) {
      return null;
    }
    double[] in = new double[node.inputs().size()];
    for (int k = 0; k < in.length; k++) {
      Double value = folded(node.input(k), depth + 1);
      if (value == null) {
        return null;
      }
      in[k] = value;
    }
    if (op instanceof Op.Broadcast) {
      return in[0];
    }
    if (op instanceof Op.Power power) {
      return Math.pow(in[0], power.exponent());
    }
    if (op instanceof Binary binary) {
      return switch (binary) {
        case ADD -> in[0] + in[1];
        case SUB -> in[0] - in[1];
        case MUL -> in[0] * in[1];
        case DIV -> in[0] / in[1];
      };
    }
    double x = in[0];
    return switch ((Unary) op) {
      case NEG -> -x;
      case RELU -> Math.max(x, 0);
      case SIGMOID -> 1 / (1 + Math.exp(-x));
      case TANH -> Math.tanh(x);
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case SOFTPLUS -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
      case STEP -> x >= 0 ? 1.0 : 0.0;
    };
  }

  /**
   * A constant of the spec as a literal of the class's arithmetic; one a float cannot hold (beyond ±3.4e38,
   * or so small it would be 0) is refused with its position rather than written as a wrong value (a constant
   * without a position of its own is reported at its statement's, by {@code PassWriter.emit}).
   */
  Ex constant(double value, Node where) {
    if (ex.isFloat() && Double.isFinite(value)) {
      double magnitude = Math.abs(value);
      if (magnitude > Float.MAX_VALUE || (magnitude > 0 && magnitude < Float.MIN_VALUE)) {
        throw new UnsupportedSpecException("the constant " + dev.nabla.symbolic.Numbers.format(value) + " is "
            + (magnitude > Float.MAX_VALUE ? "beyond" : "below") + " the range of float (magnitudes from 1.4e-45 to 3.4e38); generate with --precision double, or scale the spec",
            where.span());
      }
    }
    return ex.literal(value);
  }
}
