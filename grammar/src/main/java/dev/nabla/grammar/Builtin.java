package dev.nabla.grammar;

import java.util.Arrays;
import java.util.Optional;

/**
 * The functions the language knows, with how many arguments each takes. The meaning of each lives
 * in the generator's operation table, which must cover every constant here.
 */
public enum Builtin {
  RELU("relu", 1, "max(x, 0), elementwise"),
  SIGMOID("sigmoid", 1, "1 / (1 + e^-x), elementwise"),
  TANH("tanh", 1, "hyperbolic tangent, elementwise"),
  EXP("exp", 1, "e^x, elementwise"),
  LOG("log", 1, "natural logarithm, elementwise"),
  SOFTPLUS("softplus", 1, "log(1 + e^x), elementwise"),
  STEP("step", 1, "the indicator 1{x >= 0}, elementwise"),
  SOFTMAX("softmax", 1, "e^x / sum(e^x) over a vector"),
  LOGSOFTMAX("logsoftmax", 1, "x - log(sum(e^x)) over a vector"),
  SUM("sum", 1, "the sum of all elements"),
  MEAN("mean", 1, "the mean of all elements"),
  ONEHOT("onehot", 1, "the one-hot vector of a class label"),
  NLL("nll", 2, "nll(logprobs, label) = -logprobs[label]"),
  CROSS_ENTROPY("cross_entropy", 2, "cross_entropy(logits, label) = -logsoftmax(logits)[label], fused and stable"),
  BCE("bce", 2, "bce(p, target) = -mean(t log p + (1 - t) log(1 - p))"),
  MSE("mse", 2, "mse(y, target) = mean((y - t)^2)");

  private final String spelling;
  private final int arity;
  private final String summary;

  Builtin(String spelling, int arity, String summary) {
    this.spelling = spelling;
    this.arity = arity;
    this.summary = summary;
  }

  /** The name as written in the language. */
  public String spelling() {
    return spelling;
  }

  public int arity() {
    return arity;
  }

  /** One line for help texts and "did you mean" notes. */
  public String summary() {
    return summary;
  }

  public static Optional<Builtin> named(String name) {
    return Arrays.stream(values()).filter(b -> b.spelling.equals(name)).findFirst();
  }
}
