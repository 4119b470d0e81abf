package dev.nabla.grammar;

import java.util.Arrays;
import java.util.List;
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
  MSE("mse", 2, "mse(y, target) = mean((y - t)^2)"),
  CONV2D("conv2d", 2, "conv2d(K, X, stride=1, padding=0): K[O, C, KH, KW] correlated with X[C, H, W]",
      "stride", "padding"),
  MAXPOOL("maxpool", 2, "maxpool(X, k, stride=k): the maximum of each k×k window of X[C, H, W]", "stride"),
  AVGPOOL("avgpool", 2, "avgpool(X, k, stride=k): the mean of each k×k window of X[C, H, W]", "stride"),
  FLATTEN("flatten", 1, "flatten(X): X[C, H, W] as a vector of C·H·W, row-major"),
  DROPOUT("dropout", 2, "dropout(p, x): zeroes each element with probability p in training; the identity in prediction");

  private final String spelling;
  private final int arity;
  private final String summary;
  private final List<String> options;

  Builtin(String spelling, int arity, String summary, String... options) {
    this.spelling = spelling;
    this.arity = arity;
    this.summary = summary;
    this.options = List.of(options);
  }

  /** The named arguments it takes ({@code stride}, {@code padding}), each a whole number. */
  public List<String> options() {
    return options;
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
