package dev.nabla.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random well-shaped spec files: dense layers with every activation, elementwise products and
 * quotients of values used twice, powers, transposes, reductions broadcast back, {@code def}
 * blocks, and each of the four losses. The same seed gives the same spec.
 */
public final class RandomSpecs {
  private RandomSpecs() {}

  private record Value(String name, int width) {}

  public static String generate(long seed) {
    return generate(seed, 1, 5);
  }

  /** A spec whose input and hidden widths lie in {@code [minWidth, maxWidth]}. */
  public static String generate(long seed, int minWidth, int maxWidth) {
    Random random = new Random(seed);
    int span = maxWidth - minWidth + 1;
    int inputWidth = minWidth + random.nextInt(span);
    StringBuilder params = new StringBuilder();
    StringBuilder body = new StringBuilder();
    List<Value> values = new ArrayList<>();
    values.add(new Value("X", inputWidth));
    body.append("def dense(W, b, v) = W v + b\n");
    int depth = 1 + random.nextInt(4);
    int paramCount = 0;
    for (int layer = 1; layer <= depth; layer++) {
      Value previous = values.get(values.size() - 1);
      int width = minWidth + random.nextInt(span);
      String name = "h" + layer;
      String w = "W" + (++paramCount);
      String b = "b" + paramCount;
      params.append("param ").append(w).append("[").append(width).append(", ").append(previous.width()).append("]\n");
      params.append("param ").append(b).append("[").append(width).append("]\n");
      String affine = switch (random.nextInt(3)) {
        case 0 -> w + " " + previous.name() + " + " + b;
        case 1 -> "dense(" + w + ", " + b + ", " + previous.name() + ")";
        default -> "(" + previous.name() + "' " + w + "')' + " + b;
      };
      String expression = switch (random.nextInt(9)) {
        case 0 -> "relu(" + affine + ")";
        case 1 -> "tanh(" + affine + ")";
        case 2 -> "sigmoid(" + affine + ")";
        case 3 -> "softplus(" + affine + ")";
        case 4 -> "exp(0.3 * tanh(" + affine + "))";
        case 5 -> "log(1 + softplus(" + affine + "))";
        case 6 -> "(" + affine + ")^2 / (1 + (" + affine + ")^2)";
        case 7 -> "tanh(" + affine + ") * mean(sigmoid(" + affine + "))";
        default -> "softmax(" + affine + ")";
      };
      body.append(name).append(" = ").append(expression).append('\n');
      Value current = new Value(name, width);
      // Reuse a value of the same width: its adjoint then gathers two contributions.
      for (Value earlier : values) {
        if (earlier.width() == width && random.nextBoolean()) {
          String mixed = name + "m";
          String combination = switch (random.nextInt(3)) {
            case 0 -> current.name() + " * " + earlier.name();
            case 1 -> current.name() + " - 0.5 * " + earlier.name();
            default -> current.name() + " / (2 + " + earlier.name() + " * " + earlier.name() + ")";
          };
          body.append(mixed).append(" = ").append(combination).append('\n');
          current = new Value(mixed, width);
          break;
        }
      }
      values.add(current);
    }
    Value last = values.get(values.size() - 1);
    int classes = 2 + random.nextInt(4);
    String w = "W" + (++paramCount);
    String b = "b" + paramCount;
    params.append("param ").append(w).append("[").append(classes).append(", ").append(last.width()).append("]\n");
    params.append("param ").append(b).append("[").append(classes).append("]\n");
    String logits = w + " " + last.name() + " + " + b;
    String header;
    String loss;
    switch (random.nextInt(4)) {
      case 0 -> {
        header = "label y : " + classes + "\n";
        loss = "out = logsoftmax(" + logits + ")\nloss = nll(out, y)\n";
      }
      case 1 -> {
        header = "label y : " + classes + "\n";
        loss = "out = " + logits + "\nloss = cross_entropy(out, y)\n";
      }
      case 2 -> {
        header = "target t[" + classes + "]\n";
        loss = "out = sigmoid(" + logits + ")\nloss = bce(out, t)\n";
      }
      default -> {
        header = "target t[" + classes + "]\n";
        loss = "out = tanh(" + logits + ")\nloss = mse(out, t) + 0.01 * sum(" + w + " * " + w + ")\n";
      }
    }
    return "model Random" + seed + "\ninput X[" + inputWidth + "]\n" + header + params + body + loss;
  }
}
