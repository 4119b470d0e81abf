package dev.nabla.print;

import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Loss;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Numbers;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.stream.Collectors;

/**
 * Prints one node as a formula in the language's own precedence: sums lowest, then products
 * (juxtaposition for matrix products and scalings, ⊙ elementwise, /), then unary minus, then powers
 * and transposes. Parentheses appear only where precedence needs them, and a right operand of a
 * juxtaposition that starts with a minus is always wrapped, since {@code W −x} means {@code W − x}.
 */
public final class FormulaPrinter {
  private static final int SUM = 1;
  private static final int PRODUCT = 2;
  private static final int PREFIX = 3;
  private static final int POSTFIX = 4;
  private static final int ATOM = 5;

  private final Notation notation;
  private final Naming naming;
  private final boolean withDeltas;
  private final java.util.Map<Node, String> substitutions;

  public FormulaPrinter(Notation notation, Naming naming, boolean withDeltas) {
    this(notation, naming, withDeltas, java.util.Map.of());
  }

  /**
   * A printer that writes {@code substitutions}' text in place of those nodes: {@code nabla show}
   * puts parameter values where their names stand.
   */
  public FormulaPrinter(Notation notation, Naming naming, boolean withDeltas, java.util.Map<Node, String> substitutions) {
    this.notation = notation;
    this.naming = naming;
    this.withDeltas = withDeltas;
    this.substitutions = substitutions;
  }

  /** The formula for {@code node}'s own structure (its name is not used at the top). */
  public String definition(Node node) {
    checkSize(node, true);
    return print(node, true).text;
  }

  /** The formula for {@code node}, by name where it has one. */
  public String reference(Node node) {
    checkSize(node, false);
    return print(node, false).text;
  }

  /** More terms than a person reads, and the start of exponential growth when a DAG is written as a tree. */
  static final long MAX_TERMS = 20_000;

  /** A formula too large to print: written as a tree, a value used twice is written twice. */
  public static final class TooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message, null, false, false);
    }
  }

  /** The number of terms each node's formula has when written out, names standing for one term. */
  private final java.util.Map<Node, Long> terms = new java.util.IdentityHashMap<>();

  /**
   * Counts the terms the formula would have before writing it: without names for shared values, a
   * deep network's gradient written as a tree doubles with every layer. Counts are kept, so checking
   * every formula of a report costs one pass over the graph.
   */
  private void checkSize(Node root, boolean top) {
    long count = top || naming.name(root, withDeltas) == null ? termsOf(root) : 1;
    if (count > MAX_TERMS) {
      throw new TooLargeException("written out in full, this formula would have more than " + String.format(java.util.Locale.ROOT, "%,d", MAX_TERMS)
          + " terms, because values used twice are written twice; without --inline, shared terms are named (δ) and written once");
    }
  }

  private long termsOf(Node root) {
    java.util.ArrayDeque<Node> stack = new java.util.ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node node = stack.peek();
      if (terms.containsKey(node)) {
        stack.pop();
        continue;
      }
      boolean ready = true;
      for (Node input : node.inputs()) {
        if (!terms.containsKey(input) && naming.name(input, withDeltas) == null) {
          stack.push(input);
          ready = false;
        }
      }
      if (ready) {
        long count = 1;
        for (Node input : node.inputs()) {
          count = Math.min(MAX_TERMS + 1, count + (naming.name(input, withDeltas) != null ? 1 : terms.get(input)));
        }
        terms.put(node, count);
        stack.pop();
      }
    }
    return terms.get(root);
  }

  /** A name as the notation writes it: {@code W2} stays in text, becomes {@code W_{2}} in LaTeX ({@link Notation#latexName}). */
  public String name(String name) {
    if (notation == Notation.UNICODE) {
      return name;
    }
    if (notation == Notation.TEXT) {
      return name.replace("δ", "delta");
    }
    return Notation.latexName(name, "");
  }

  /**
   * A stability rewrite as this notation writes it, with the real arguments in place of the
   * template's placeholders: {@code bce(sigmoid(w x + b), t) → mean(softplus(w x + b) − t ⊙ (w x + b))}.
   */
  public String rewrite(dev.nabla.symbolic.Rewrite rewrite) {
    java.util.function.BiFunction<Node, Boolean, String> write = (node, operand) -> {
      if (node == null) {
        return "…";
      }
      Printed printed = print(node, false);
      return operand && (printed.precedence <= PRODUCT || printed.startsWithMinus) ? "(" + printed.text + ")" : printed.text;
    };
    String where = rewrite.span().isKnown() ? rewrite.span().position() + ": " : "";
    return where + rewrite.fill(notate(rewrite.before()), write) + " → " + rewrite.fill(notate(rewrite.after()), write)
        + " (" + rewrite.reason() + ")";
  }

  /** A template in ASCII, in this notation: its minus signs, products and function names. */
  private String notate(String template) {
    String text = template.replace("-", minus()).replace(" * ", " " + elementwiseTimes() + " ");
    java.util.regex.Matcher call = java.util.regex.Pattern.compile("([A-Za-z_]+)\\(").matcher(text);
    StringBuilder out = new StringBuilder();
    while (call.find()) {
      call.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(function(call.group(1)) + "("));
    }
    call.appendTail(out);
    return out.toString();
  }

  /** {@code ∂H/∂W1}, {@code dH/dW1}, {@code \frac{\partial H}{\partial W_{1}}}. */
  public String partial(String of, String by) {
    return switch (notation) {
      case TEXT -> "d" + of + "/d" + by;
      case UNICODE -> "∂" + of + "/∂" + by;
      case LATEX -> "\\frac{\\partial " + name(of) + "}{\\partial " + name(by) + "}";
    };
  }

  private record Printed(String text, int precedence, boolean startsWithMinus, boolean elementwise) {
    Printed(String text, int precedence, boolean startsWithMinus) {
      this(text, precedence, startsWithMinus, false);
    }
  }

  private Printed print(Node node, boolean top) {
    String substituted = substitutions.get(node);
    if (substituted != null) {
      return atom(substituted);
    }
    if (!top) {
      String name = naming.name(node, withDeltas);
      if (name != null) {
        return atom(name(name));
      }
    }
    Op op = node.op();
    if (op instanceof Op.Leaf leaf) {
      return atom(name(leaf.name()));
    }
    if (op instanceof Op.Constant constant) {
      java.util.Optional<Numbers.Fraction> fraction = Numbers.fraction(constant.value());
      if (fraction.isPresent()) {
        // (1/3) logits, as a person writes the 1/3 that mean's gradient brings; not 0.3333333333333333 logits.
        long p = Math.abs(fraction.get().numerator());
        long q = fraction.get().denominator();
        String text = notation == Notation.LATEX ? "\\frac{" + p + "}{" + q + "}" : p + "/" + q;
        boolean negative = constant.value() < 0;
        return notation == Notation.LATEX
            ? new Printed((negative ? minus() : "") + text, negative ? PREFIX : ATOM, negative)
            : new Printed((negative ? minus() : "") + text, PRODUCT, negative, true);
      }
      String text = notation == Notation.LATEX ? Numbers.latex(constant.value()) : Numbers.format(constant.value());
      if (constant.value() < 0) {
        return new Printed(minus() + text.substring(1), PREFIX, true);
      }
      return atom(text);
    }
    if (op instanceof Op.Size size) {
      return sizeOf(size.of());
    }
    if (op instanceof Op.Broadcast) {
      return print(node.input(0), false);
    }
    if (op instanceof Op.Power power) {
      String base = wrap(print(node.input(0), false), POSTFIX + 1);
      String exponent = Numbers.format(power.exponent());
      return switch (notation) {
        case UNICODE -> new Printed(base + superscript(exponent), POSTFIX, false);
        case LATEX -> new Printed(base + "^{" + exponent + "}", POSTFIX, false);
        case TEXT -> new Printed(base + "^" + exponent, POSTFIX, false);
      };
    }
    if (op instanceof Unary unary) {
      return unary(unary, node);
    }
    if (op instanceof Binary binary) {
      return binary(binary, node);
    }
    if (op instanceof Structural structural) {
      return structural(structural, node);
    }
    if (op instanceof Spatial spatial) {
      return spatial(spatial, node);
    }
    Loss loss = (Loss) op;
    String label = node.input(1).op() instanceof Op.Leaf leaf ? name(leaf.name()) : print(node.input(1), false).text;
    return atom(function(loss.toString()) + "(" + print(node.input(0), false).text + ", " + label + ")");
  }

  private Printed unary(Unary unary, Node node) {
    Printed operand = print(node.input(0), false);
    return switch (unary) {
      // −(a b) = (−a) b, so a product needs no parentheses: −2 Z1, −Xᵀ y.
      case NEG -> new Printed(minus() + wrap(operand, PRODUCT), PREFIX, true, operand.elementwise);
      case STEP -> atom(switch (notation) {
        case TEXT -> "step(" + operand.text + ")";
        case UNICODE -> "1{" + operand.text + " ≥ 0}";
        case LATEX -> "\\mathbb{1}\\{" + operand.text + " \\geq 0\\}";
      });
      default -> atom(function(unary.toString()) + "(" + operand.text + ")");
    };
  }

  private Printed binary(Binary binary, Node node) {
    Printed left = print(node.input(0), false);
    Printed right = print(node.input(1), false);
    return switch (binary) {
      case ADD -> new Printed(wrap(left, SUM) + " + " + wrap(right, SUM + 1), SUM, left.startsWithMinus);
      case SUB -> new Printed(wrap(left, SUM) + " " + minus() + " " + wrap(right, SUM + 1), SUM, left.startsWithMinus);
      case MUL -> {
        boolean scaling = node.input(0).shape().isScalar() || node.input(1).shape().isScalar();
        // A scale is written first, as a textbook does: 2 Y1, not Y1 2.
        boolean scaleLast = !node.input(0).shape().isScalar() && node.input(1).shape().isScalar();
        yield scaling ? (scaleLast ? juxtapose(right, left) : juxtapose(left, right)) : infix(left, elementwiseTimes(), right);
      }
      case DIV -> notation == Notation.LATEX
          ? atom("\\frac{" + left.text + "}{" + right.text + "}")
          : infix(left, "/", right);
    };
  }

  private Printed structural(Structural structural, Node node) {
    return switch (structural) {
      case MATMUL -> juxtapose(print(node.input(0), false), print(node.input(1), false));
      case TRANSPOSE -> {
        String operand = wrap(print(node.input(0), false), POSTFIX + 1);
        yield new Printed(operand + switch (notation) {
          case TEXT -> "'";
          case UNICODE -> "ᵀ";
          case LATEX -> "^{\\top}";
        }, POSTFIX, false);
      }
      default -> atom(function(structural.toString()) + "(" + print(node.input(0), false).text + ")");
    };
  }

  /**
   * The image operations. In text, as the language writes them ({@code conv2d(K1, X, padding=1)}),
   * gradients as calls named for what they are; in Unicode and LaTeX the convolution is {@code K1 ⋆ X}
   * with its stride and padding as subscripts, its input gradient the transposed convolution {@code
   * K1 ⋆ᵀ δ}, its kernel gradient {@code δ ⋆ X} (δ slid over the input), the pooling gradients the
   * transposed Jacobian applied to δ ({@code maxpool′(A1)ᵀ δ}, the routing of δ to each window's maximum).
   */
  private Printed spatial(Spatial spatial, Node node) {
    java.util.List<Printed> operands = node.inputs().stream().map(input -> print(input, false)).toList();
    boolean text = notation == Notation.TEXT;
    // Call arguments stand as they are; operands of ⋆ and of a Jacobian's product are wrapped unless atoms.
    java.util.List<String> in = operands.stream()
        .map(printed -> text || printed.precedence == ATOM ? printed.text : "(" + printed.text + ")").toList();
    if (spatial instanceof Spatial.Conv2d conv) {
      return text ? call("conv2d", in, geometry(conv.stride(), conv.padding()))
          : new Printed(in.get(0) + " " + star(conv.stride(), conv.padding(), false) + " " + in.get(1), PRODUCT, false, true);
    }
    if (spatial instanceof Spatial.Conv2dInputGradient conv) {
      return text ? call("conv2d_transpose", in, geometry(conv.stride(), conv.padding()))
          : new Printed(in.get(0) + " " + star(conv.stride(), conv.padding(), true) + " " + in.get(1), PRODUCT, false, true);
    }
    if (spatial instanceof Spatial.Conv2dKernelGradient conv) {
      return text ? call("conv2d_kernel_gradient", in, geometry(conv.stride(), conv.padding()))
          : new Printed(in.get(0) + " " + star(conv.stride(), conv.padding(), false) + " " + in.get(1), PRODUCT, false, true);
    }
    if (spatial instanceof Spatial.ChannelSum) {
      return switch (notation) {
        case TEXT -> call("channel_sum", in, "");
        case UNICODE -> new Printed("Σ_{p,q} " + in.get(0), PRODUCT, false);
        case LATEX -> new Printed("\\sum_{p,q} " + in.get(0), PRODUCT, false);
      };
    }
    if (spatial instanceof Spatial.MaxPool pool) {
      return call("maxpool", java.util.List.of(operands.get(0).text, Integer.toString(pool.window())), poolStride(pool.window(), pool.stride()));
    }
    if (spatial instanceof Spatial.AvgPool pool) {
      return call("avgpool", java.util.List.of(operands.get(0).text, Integer.toString(pool.window())), poolStride(pool.window(), pool.stride()));
    }
    if (spatial instanceof Spatial.MaxPoolGradient pool) {
      return text ? call("maxpool_gradient", java.util.List.of(in.get(0), in.get(1), Integer.toString(pool.window())),
              poolStride(pool.window(), pool.stride()))
          : new Printed(jacobianOf("maxpool", pool.window(), pool.stride(), in.get(0)) + " " + in.get(1), PRODUCT, false);
    }
    if (spatial instanceof Spatial.MaxPoolGather pool) {
      return text ? call("maxpool_gather", java.util.List.of(in.get(0), in.get(1), Integer.toString(pool.window())),
              poolStride(pool.window(), pool.stride()))
          : new Printed(jacobianOf("maxpool", pool.window(), pool.stride(), in.get(0), false) + " " + in.get(1), PRODUCT, false);
    }
    if (spatial instanceof Spatial.AvgPoolGradient pool) {
      return text ? call("avgpool_gradient", java.util.List.of(in.get(0), Integer.toString(pool.window())),
              poolStride(pool.window(), pool.stride()))
          : new Printed(jacobianOf("avgpool", pool.window(), pool.stride(), null) + " " + in.get(0), PRODUCT, false);
    }
    if (spatial instanceof Spatial.Flatten) {
      return call("flatten", java.util.List.of(operands.get(0).text), "");
    }
    if (spatial instanceof Spatial.Unflatten) {
      return call("unflatten", java.util.List.of(operands.get(0).text), "");
    }
    if (spatial instanceof Spatial.Dropout dropout) {
      return call("dropout", java.util.List.of(Numbers.format(dropout.p()), operands.get(0).text), "");
    }
    return atom(name(spatial.name())); // a dropout mask: m1, m2, …
  }

  private Printed call(String function, java.util.List<String> arguments, String options) {
    java.util.List<String> all = new java.util.ArrayList<>(arguments);
    if (!options.isEmpty()) {
      all.add(options);
    }
    return atom(function(function) + "(" + String.join(", ", all) + ")");
  }

  private static String geometry(int stride, int padding) {
    return (stride == 1 ? "" : "stride=" + stride) + (stride != 1 && padding != 0 ? ", " : "") + (padding == 0 ? "" : "padding=" + padding);
  }

  private static String poolStride(int window, int stride) {
    return stride == window ? "" : "stride=" + stride;
  }

  /** {@code ⋆}, {@code ⋆ᵀ} (transposed), with {@code s=2, p=1} as a subscript where they are not 1 and 0. */
  private String star(int stride, int padding, boolean transposed) {
    String geometry = (stride == 1 ? "" : "s=" + stride) + (stride != 1 && padding != 0 ? "," : "") + (padding == 0 ? "" : "p=" + padding);
    if (notation == Notation.LATEX) {
      return "\\star" + (transposed ? "^{\\top}" : "") + (geometry.isEmpty() ? "" : "_{" + geometry + "}");
    }
    return "⋆" + (transposed ? "ᵀ" : "") + subscript(geometry);
  }

  /** {@code maxpool′(A1)ᵀ}: the transposed Jacobian of a pooling (at its input, for max pooling). */
  private String jacobianOf(String pooling, int window, int stride, String at) {
    return jacobianOf(pooling, window, stride, at, true);
  }

  /** The Jacobian of a pooling at {@code at}, transposed (a gradient's routing) or not (its adjoint, a gather). */
  private String jacobianOf(String pooling, int window, int stride, String at, boolean transposed) {
    String geometry = window + (stride == window ? "" : ", stride=" + stride);
    String argument = at == null ? "" : "(" + at + ")";
    return notation == Notation.LATEX
        ? function(pooling) + "'_{" + geometry + "}" + argument + (transposed ? "^{\\top}" : "")
        : function(pooling) + "′" + subscript(geometry.replace(", stride=", ",s=")) + argument + (transposed ? "ᵀ" : "");
  }

  private static String subscript(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      int digit = "0123456789".indexOf(c);
      out.append(digit >= 0 ? "₀₁₂₃₄₅₆₇₈₉".charAt(digit) : c == '=' ? '₌' : c == 's' ? 'ₛ' : c == 'p' ? 'ₚ' : c);
    }
    return out.toString();
  }

  /** {@code a b}: a matrix product or a scaling, with a minus-led right operand wrapped. */
  private Printed juxtapose(Printed left, Printed right) {
    // Juxtapositions associate (a scaling of a product, a product of products), so a (b c) is a b c.
    // A number in the middle (Xᵀ 2 Z1) keeps its parentheses: Xᵀ (2 Z1).
    boolean juxtaposition = right.precedence == PRODUCT && !right.elementwise && !Character.isDigit(right.text.charAt(0));
    String rightText = right.startsWithMinus ? "(" + right.text + ")" : juxtaposition ? right.text : wrap(right, PRODUCT + 1);
    String separator = notation == Notation.LATEX ? " \\, " : " ";
    // (a ⊙ b) X parses without the parentheses too, but nobody reads it that way.
    String leftText = left.elementwise ? "(" + left.text + ")" : wrap(left, PRODUCT);
    return new Printed(leftText + separator + rightText, PRODUCT, left.startsWithMinus);
  }

  private Printed infix(Printed left, String operator, Printed right) {
    return new Printed(wrap(left, PRODUCT) + " " + operator + " " + wrap(right, PRODUCT + 1), PRODUCT, left.startsWithMinus, true);
  }

  private Printed sizeOf(Shape shape) {
    String dims = shape.dims().stream().map(dim -> name(dim.toString())).collect(Collectors.joining(notation == Notation.LATEX ? " \\cdot " : "·"));
    return shape.rank() > 1 ? new Printed(dims, PRODUCT, false, true) : atom(dims);
  }

  private static String wrap(Printed printed, int needed) {
    return printed.precedence < needed ? "(" + printed.text + ")" : printed.text;
  }

  private static Printed atom(String text) {
    return new Printed(text, ATOM, false);
  }

  private String minus() {
    return notation.minus();
  }

  private String elementwiseTimes() {
    return switch (notation) {
      case TEXT -> "*";
      case UNICODE -> "⊙";
      case LATEX -> "\\odot";
    };
  }

  private String function(String name) {
    return notation.function(name);
  }

  private static String superscript(String exponent) {
    StringBuilder out = new StringBuilder();
    for (char c : exponent.toCharArray()) {
      int digit = "0123456789".indexOf(c);
      if (digit >= 0) {
        out.append("⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(digit));
      } else if (c == '-') {
        out.append('⁻');
      } else {
        return "^" + exponent;
      }
    }
    return out.toString();
  }
}
