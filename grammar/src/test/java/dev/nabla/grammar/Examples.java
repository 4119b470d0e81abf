package dev.nabla.grammar;

/** Specs from the lesson, shared by the tests. */
final class Examples {
  private Examples() {}

  /** The lesson's network, as design.md writes it. */
  static final String LESSON_SPEC = """
      # the lesson's network
      model FashionMlp
      input  X[784]                 # a flattened image in [0,1]
      label  y : 10                 # class index; t = onehot(y) in formulas
      param  W1[20, 784]            # default init like PyTorch's Linear
      param  b1[20]
      param  W2[10, 20]
      param  b2[10]
      Y1   = relu(W1 X + b1)        # named intermediate values
      out  = logsoftmax(W2 Y1 + b2)
      loss = nll(out, y)            # scalar; the thing differentiated
      """;

  /** Exercise 3: X feeds two blocks whose outputs feed a third. */
  static final String BLOCK_GRAPH_SPEC = """
      model BlockGraph
      input X[4]
      target t[2]
      param W1[3, 4]
      param W2[3, 4] init normal(0, 0.01)
      param W3[2, 3] init uniform(-0.1, 0.1)
      def B1(x) = relu(W1 x)
      def B2(x) = tanh(W2 x)
      def B3(u, v) = sigmoid(W3 (u + v))
      Y = B3(B2(X), B1(X))
      loss = mse(Y, t)
      """;

  /** Exercise 4: Linear(2, 1), ReLU, Linear(1, 2), ReLU, Linear(2, 1), Sigmoid, with BCE. */
  static final String EXERCISE_4_SPEC = """
      model Exercise4
      input x[2]
      target t[1]
      param W1[1, 2]
      param b1[1] init zeros
      param W2[2, 1]
      param b2[2] init constant(0.5)
      param W3[1, 2]
      param b3[1]
      out = sigmoid(W3 relu(W2 relu(W1 x + b1) + b2) + b3)
      loss = bce(out, t)
      """;
}
