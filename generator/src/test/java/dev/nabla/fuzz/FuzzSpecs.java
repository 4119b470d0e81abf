package dev.nabla.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random valid specs for the differential fuzzer, reaching every operation of the language: the
 * eight elementwise functions, softmax and logsoftmax, sum and mean, powers (2, 3, 0.5 of positive
 * values, −1 of values bounded away from 0), elementwise {@code *} and {@code /}, transposes of
 * vectors and matrices, scalar × tensor, matrix × matrix ({@code M = A B}, then {@code M v}), outer
 * products {@code u pᵀ} feeding a product, value reuse, {@code def} blocks (nested
 * ones too), the four losses with and without their stability rewrites, regularizers, labels and
 * targets, skip connections from the input. A third of the specs take an image {@code X[C, H, W]} (1–3 channels of 4–9
 * pixels a side) through one or two convolutions (kernels 1–3, stride 1–2, padding 0–1, a bias per channel added
 * before or after the activation, or none), max or average pooling of 2 (stride 2 where it tiles, else 1), dropout,
 * and a flatten into the dense layers. Values stay where finite differences mean something: logs of positive values, division by
 * {@code 1 + x²}, exponentials of bounded values.
 *
 * <p>The same seed gives the same spec; the model is named {@code Fuzz<seed>}.
 */
public final class FuzzSpecs {
  private FuzzSpecs() {}

  private record Value(String name, int width) {}

  /** The definitions the generator may call, in an order where each one's callees come first. */
  private static final List<String> DEFS = List.of(
      "def dense(W, b, v) = W v + b",
      "def layer(W, b, v) = tanh(dense(W, b, v))",
      "def gate(u, v) = u * sigmoid(v)",
      "def bounded(v) = v / (1 + v * v)",
      "def mix(W, V, b, u, v) = dense(W, b, u) + V bounded(v)");

  public static String generate(long seed) {
    return new Builder(new Random(seed ^ 0x5DEECE66DL), false, false, takesImage(seed)).build("Fuzz" + seed);
  }

  /**
   * Whether the spec of {@code seed} takes an image: drawn apart from the spec's own generator, so that the specs
   * of vectors are those of earlier versions, seed for seed.
   */
  static boolean takesImage(long seed) {
    return new Random(seed * 0x5851F42D4C957F2DL + 11).nextInt(3) == 0;
  }

  /**
   * A spec as users write them (issue 18): {@link #generate}'s networks with more ways to write a
   * loss (sums of losses, a loss that calls no loss function, tiny coefficients), values nobody uses,
   * dimensions named instead of numbered, and every name replaced by {@link UserNames}.
   */
  public static String userStyle(long seed) {
    return UserNames.rename(new Builder(new Random(seed ^ 0x2545F4914F6CDD1DL), true, false, takesImage(seed)).build("Fuzz" + seed),
        seed);
  }

  /**
   * A spec with the widths of real networks (8 to 300 and the remainders around the kernels' tiles),
   * for the blocked and vector kernels; its batch is drawn by {@link #wideBatch}.
   */
  public static String wide(long seed) {
    return UserNames.rename(new Builder(new Random(seed ^ 0x9E3779B97F4A7C15L), true, true, false).build("Wide" + seed), seed);
  }

  /** Batch sizes that cross the 256-sample blocks and the thread lanes' boundaries. */
  static final int[] WIDE_BATCHES = {1, 2, 7, 8, 9, 16, 17, 31, 64, 255, 256, 257, 300};

  static int wideBatch(long seed) {
    return WIDE_BATCHES[new Random(seed * 31 + 7).nextInt(WIDE_BATCHES.length)];
  }

  private static final int[] WIDE_WIDTHS = {1, 3, 4, 5, 8, 13, 16, 17, 31, 64, 65, 127, 256, 300};

  private static final class Builder {
    private final Random random;
    private final StringBuilder params = new StringBuilder();
    private final StringBuilder body = new StringBuilder();
    private final Set<String> defsUsed = new LinkedHashSet<>();
    private final List<Value> values = new ArrayList<>();
    private final List<String> parameterNames = new ArrayList<>();
    /** The convolution kernels among the parameters. */
    private final Set<String> kernels = new java.util.HashSet<>();
    private int counter;
    private Value second;
    private final boolean userStyle;
    private final boolean wide;
    private final boolean image;

    Builder(Random random, boolean userStyle, boolean wide, boolean image) {
      this.random = random;
      this.userStyle = userStyle;
      this.wide = wide;
      this.image = image;
    }

    /** A layer's width: 1–5, or for a wide spec one of the widths that hit the kernels' tiles and remainders. */
    private int width() {
      return wide ? WIDE_WIDTHS[random.nextInt(WIDE_WIDTHS.length)] : 1 + random.nextInt(5);
    }

    private String param(String prefix, int... shape) {
      String name = prefix + (++counter);
      params.append("param ").append(name);
      if (shape.length > 0) {
        params.append('[');
        for (int i = 0; i < shape.length; i++) {
          params.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        params.append(']');
      }
      params.append('\n');
      parameterNames.add(name);
      return name;
    }

    private String t() {
      return random.nextBoolean() ? "ᵀ" : "'";
    }

    private void use(String def) {
      switch (def) {
        case "layer" -> defsUsed.add("dense");
        case "mix" -> {
          defsUsed.add("dense");
          defsUsed.add("bounded");
        }
        default -> { }
      }
      defsUsed.add(def);
    }

    String build(String model) {
      int inputWidth = wide ? width() : 1 + random.nextInt(4);
      String input = "input X[" + inputWidth + "]\n";
      if (image) {
        int[] shape = {1 + random.nextInt(3), 4 + random.nextInt(6), 4 + random.nextInt(6)};
        input = "input X[" + shape[0] + ", " + shape[1] + ", " + shape[2] + "]\n";
        values.add(new Value("f0", images(shape)));
      } else {
        values.add(new Value("X", inputWidth));
      }
      // a skip connection from the input (the language takes one input per sample), or from its flattened image
      second = values.get(0);
      int depth = wide ? 1 + random.nextInt(2) : 1 + random.nextInt(4);
      for (int layer = 1; layer <= depth; layer++) {
        layer(layer);
      }
      Value last = values.get(values.size() - 1);
      boolean classes = random.nextBoolean();
      int size = wide ? (classes ? 2 + random.nextInt(20) : 1 + random.nextInt(20)) : classes ? 2 + random.nextInt(4) : 1 + random.nextInt(4);
      String wo = param("W", size, last.width());
      String bo = param("b", size);
      String logits = switch (random.nextInt(4)) {
        case 0 -> {
          use("dense");
          yield "dense(" + wo + ", " + bo + ", " + last.name() + ")";
        }
        case 1 -> random.nextBoolean() ? wo + " " + last.name() + " + " + param("V", size, second.width()) + " " + second.name() + " + " + bo
            : wo + " " + last.name() + " + " + bo;
        default -> wo + " " + last.name() + " + " + bo;
      };
      String header;
      String loss;
      if (classes) {
        header = "label y : " + size + "\n";
        loss = switch (random.nextInt(6)) {
          case 0 -> "out = logsoftmax(" + logits + ")\nloss = nll(out, y)";
          case 1 -> "out = " + logits + "\nloss = cross_entropy(out, y)";
          case 2 -> "out = softmax(" + logits + ")\nloss = -sum(onehot(y) * log(out))";
          case 3 -> "out = 0.5 * logsoftmax(" + logits + ")\nloss = nll(out, y)";
          case 4 -> "out = log(softmax(" + logits + "))\nloss = nll(out, y) + 0.1 * sum(onehot(y) * tanh(" + logits + "))";
          default -> "out = " + logits + "\nloss = cross_entropy(out, y) + 0.01 * mean(out * out)";
        };
      } else {
        header = "target t[" + size + "]\n";
        loss = switch (random.nextInt(5)) {
          case 0 -> "out = sigmoid(" + logits + ")\nloss = bce(out, t)";
          case 1 -> "out = 0.1 + 0.8 * sigmoid(" + logits + ")\nloss = bce(out, t)";
          case 2 -> "out = tanh(" + logits + ")\nloss = mse(out, t)";
          case 3 -> "out = " + logits + "\nloss = mse(out, t)";
          // softmax of one logit is 1, where bce's gradient is 0/0
          default -> size > 1 ? "out = softmax(" + logits + ")\nloss = bce(out, t)" : "out = sigmoid(" + logits + ")\nloss = bce(out, t)";
        };
      }
      if (userStyle && random.nextInt(3) == 0) {
        loss = userLoss(classes, logits, loss);
      }
      if (random.nextBoolean()) {
        String w = parameterNames.get(random.nextInt(parameterNames.size()));
        int regularizer = random.nextInt(userStyle ? 6 : 4);
        loss += switch (kernels.contains(w) && regularizer == 3 ? 0 : regularizer) { // a kernel has no transpose
          case 4 -> " + 1e-20 * sum(" + w + " * " + w + ")";
          case 5 -> " + 1e-4 * sum(" + w + " * " + w + ") + 1e-4 * mean(" + w + "^2)";
          case 0 -> " + 0.01 * sum(" + w + " * " + w + ")";
          case 1 -> " + 0.001 * mean(" + w + "^2)";
          case 2 -> " + 0.01 * mean(log(1 + " + w + " * " + w + "))";
          default -> " + 0.01 * sum((" + w + " * " + w + ")" + t() + ")";
        };
      }
      if (userStyle && random.nextInt(3) == 0) {
        // a value nobody uses, as a spec keeps what it once printed
        Value any = values.get(random.nextInt(values.size()));
        body.append("unused").append(counter).append(" = tanh(").append(any.name()).append(")\n");
      }
      String declared = params.toString();
      if (userStyle && !image && random.nextBoolean()) {
        // the input's width named in the parameters that take it; the input's number gives it its size
        declared = declared.replaceAll(", " + inputWidth + "]", ", d_in]");
      }
      StringBuilder out = new StringBuilder("model ").append(model).append('\n');
      out.append(input);
      out.append(header).append(declared);
      for (String def : DEFS) {
        String name = def.substring(4, def.indexOf('('));
        if (defsUsed.contains(name)) {
          out.append(def).append('\n');
        }
      }
      return out.append(body).append(loss).append('\n').toString();
    }

    /**
     * Other ways to write the loss of the same prediction: a sum of two losses, the loss without its
     * matching activation, or no loss function at all (then what the model predicts is found from
     * the named values). The prediction stays {@code out}, which {@link UserNames} may rename.
     */
    private String userLoss(boolean classes, String logits, String written) {
      String prediction = written.substring(0, written.indexOf('\n'));
      if (classes) {
        return switch (random.nextInt(3)) {
          case 0 -> "out = " + logits + "\nloss = cross_entropy(out, y) + nll(logsoftmax(out), y)";
          case 1 -> "out = " + logits + "\nloss = 0.5 * cross_entropy(out, y) + 0.5 * nll(log(softmax(out)), y)";
          default -> prediction + "\nloss = " + written.substring(written.indexOf("loss = ") + 7) + " + 0 * sum(out)";
        };
      }
      return switch (random.nextInt(3)) {
        case 0 -> "out = sigmoid(" + logits + ")\nloss = bce(out, t) + mse(out, t)";
        case 1 -> "out = " + logits + "\nloss = mean((out - t)^2)";
        default -> "out = 0.1 + 0.8 * sigmoid(" + logits + ")\nloss = -mean(t * log(out) + (1 - t) * log(1 - out))";
      };
    }

    /**
     * The image layers, written to the body: one or two convolutions, each with its activation, a bias per channel
     * (before or after the activation, or none), then perhaps pooling and dropout; at the end {@code f0 = flatten(…)}.
     * Returns the flattened width.
     */
    private int images(int[] shape) {
      String v = "X";
      int layers = 1 + random.nextInt(2);
      for (int layer = 1; layer <= layers; layer++) {
        int channels = shape[0];
        int padding = random.nextInt(2);
        int kernel = Math.min(1 + random.nextInt(3), Math.min(shape[1], shape[2]) + 2 * padding);
        int stride = 1 + random.nextInt(2);
        int out = 1 + random.nextInt(3);
        int height = (shape[1] + 2 * padding - kernel) / stride + 1;
        int width = (shape[2] + 2 * padding - kernel) / stride + 1;
        String k = param("K", out, channels, kernel, kernel);
        kernels.add(k);
        String options = (stride == 1 && random.nextBoolean() ? "" : ", stride=" + stride) + (padding == 0 && random.nextBoolean() ? "" : ", padding=" + padding);
        if (random.nextInt(4) == 0 && options.contains("stride") && options.contains("padding")) {
          options = ", padding=" + padding + ", stride=" + stride; // named arguments in either order
        }
        String conv = "conv2d(" + k + ", " + v + options + ")";
        String activated = switch (random.nextInt(5)) {
          case 0 -> "relu(" + conv + " + " + param("c", out) + ")";
          case 1 -> "tanh(" + conv + " + " + param("c", out) + ")";
          case 2 -> "sigmoid(" + conv + ") + " + param("c", out);
          case 3 -> "relu(" + conv + ") + 0.1 * " + conv;
          default -> "0.5 * " + conv + " - " + param("c", out);
        };
        v = bind("a" + layer, activated);
        shape = new int[] {out, height, width};
        if (height >= 2 && width >= 2 && random.nextBoolean()) {
          boolean tiles = height % 2 == 0 && width % 2 == 0;
          String kind = random.nextBoolean() ? "maxpool(" : "avgpool(";
          boolean strided = tiles && random.nextBoolean();
          String pool = kind + v + ", 2" + (strided ? "" : ", stride=1") + ")";
          v = bind("p" + layer, pool);
          shape = new int[] {out, strided ? height / 2 : height - 1, strided ? width / 2 : width - 1};
        }
        if (random.nextInt(4) == 0) {
          v = bind("d" + layer, "dropout(" + (random.nextBoolean() ? "0.25" : "0.5") + ", " + v + ")");
        }
      }
      body.append("f0 = flatten(").append(v).append(")\n");
      return shape[0] * shape[1] * shape[2];
    }

    /**
     * An image layer's value: named {@code name} in the body, or (one time in three) left inside the next
     * expression, as people write {@code maxpool(relu(conv2d(K, X)), 2)}.
     */
    private String bind(String name, String expression) {
      if (random.nextInt(3) == 0) {
        return expression;
      }
      body.append(name).append(" = ").append(expression).append('\n');
      return name;
    }

    private void layer(int layer) {
      Value previous = values.get(values.size() - 1);
      int m = previous.width();
      String v = previous.name();
      int width = width();
      String affine = switch (random.nextInt(10)) {
        case 0 -> {
          use("dense");
          yield "dense(" + param("W", width, m) + ", " + param("b", width) + ", " + v + ")";
        }
        case 1 -> "(" + v + t() + " " + param("W", width, m) + t() + ")" + t() + " + " + param("b", width);
        case 2 -> {
          // matrix × matrix: a matrix-valued value, then a matrix × vector product
          int k = 1 + random.nextInt(3);
          String a = param("A", width, k);
          String c = param("B", k, m);
          String product = "M" + layer;
          body.append(product).append(" = ").append(a).append(' ').append(c).append('\n');
          yield product + " " + v + " + " + param("b", width);
        }
        case 3 -> random.nextBoolean()
            // an outer product of two parameters feeding a product
            ? "(" + param("u", width) + " " + param("p", m) + t() + ") " + v + " + " + param("b", width)
            // the outer product of a value with itself: both factors carry gradient
            : param("W", width, m) + " (" + v + " " + v + t() + ") " + param("c", m) + " + " + param("b", width);
        case 4 -> random.nextBoolean()
            // not mean(v): after a centring layer (v − mean(v)) that is 0 up to rounding, and so is the gradient
            ? "mean(sigmoid(" + v + ")) * " + param("W", width, m) + " " + v + " + " + param("b", width)
            : "sum(" + param("c", m) + " * " + v + ") * (" + param("W", width, m) + " " + v + ") - " + param("b", width);
        case 5 -> random.nextBoolean()
            ? param("W", width, m) + " " + v + " + " + param("V", width, second.width()) + " " + second.name() + " + " + param("b", width)
            : "0.5 * " + param("W", width, m) + " " + v + " - " + param("b", width);
        case 6 -> param("s") + " * (" + param("W", width, m) + " " + v + ") + " + param("b", width);
        case 7 -> {
          if (random.nextBoolean()) {
            use("mix");
            yield "mix(" + param("W", width, m) + ", " + param("V", width, second.width()) + ", " + param("b", width)
                + ", " + v + ", " + second.name() + ")";
          }
          use("layer");
          yield "layer(" + param("W", width, m) + ", " + param("b", width) + ", " + v + ")";
        }
        default -> param("W", width, m) + " " + v + " + " + param("b", width);
      };
      String z = "(" + affine + ")";
      if (random.nextBoolean()) {
        String named = "z" + layer;
        body.append(named).append(" = ").append(affine).append('\n');
        z = named;
      }
      String expression = switch (random.nextInt(24)) {
        case 0 -> "relu(" + z + ")";
        case 1 -> "sigmoid(" + z + ")";
        case 2 -> "tanh(" + z + ")";
        case 3 -> "softplus(" + z + ")";
        case 4 -> "exp(0.3 * tanh(" + z + "))";
        case 5 -> "log(1 + " + z + "^2)";
        case 6 -> z + "^2 / (1 + " + z + "^2)";
        case 7 -> z + " / (1 + " + z + " * " + z + ")";
        case 8 -> "step(" + z + ") * " + z + " + 0.1 * " + z;
        case 9 -> "tanh(" + z + ") + 0.1 * step(" + z + ")";
        case 10 -> "softmax(" + z + ")";
        case 11 -> "0.5 * logsoftmax(" + z + ")";
        case 12 -> "tanh(" + z + ") * mean(sigmoid(" + z + "))";
        case 13 -> z + " - mean(" + z + ")";
        case 14 -> "(softplus(" + z + ") + 0.1)^0.5";
        case 15 -> "(1 + " + z + "^2)^-1";
        case 16 -> "sigmoid(" + z + ")^3";
        case 17 -> "tanh(" + z + ")^3 - tanh(" + z + ")";
        case 18 -> "0.2 * log(sigmoid(" + z + "))";
        case 19 -> "0.3 * log(softmax(" + z + "))";
        case 20 -> "exp(-" + z + "^2)";
        case 21 -> "relu(" + z + ") + 0.1 * " + z;
        case 22 -> "sigmoid(" + z + ") * sum(tanh(" + z + "))";
        default -> "-tanh(" + z + ")";
      };
      String name = "h" + layer;
      body.append(name).append(" = ").append(expression).append('\n');
      Value current = new Value(name, width);
      // Reuse an earlier value of the same width: its adjoint then gathers two contributions.
      for (Value earlier : values) {
        if (earlier.width() == width && random.nextBoolean()) {
          String e = earlier.name();
          String combination = switch (random.nextInt(6)) {
            case 0 -> name + " * " + e;
            case 1 -> name + " - 0.5 * " + e;
            case 2 -> name + " / (2 + " + e + " * " + e + ")";
            case 3 -> {
              use("gate");
              yield "gate(" + name + ", " + e + ")";
            }
            case 4 -> {
              use("bounded");
              yield name + " + bounded(" + e + ")";
            }
            default -> "(" + name + t() + " + " + e + t() + ")" + t();
          };
          String mixed = name + "m";
          body.append(mixed).append(" = ").append(combination).append('\n');
          current = new Value(mixed, width);
          break;
        }
      }
      values.add(current);
    }
  }
}
