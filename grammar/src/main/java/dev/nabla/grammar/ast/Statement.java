package dev.nabla.grammar.ast;

import dev.nabla.grammar.diagnostic.Span;
import java.util.List;
import java.util.Optional;

/** One line of a spec file. */
public sealed interface Statement {

  Span span();

  /** {@code model FashionMlp}: the name of the generated class. */
  record Model(String name, Span span) implements Statement {}

  /** {@code input X[784]}: the sample fed to the network. */
  record Input(String name, List<Dim> shape, Span span) implements Statement {
    public Input {
      shape = List.copyOf(shape);
    }
  }

  /** {@code label y : 10}: a class index in {@code [0, classes)}; formulas see it as {@code onehot(y)}. */
  record Label(String name, Dim classes, Span span) implements Statement {}

  /** {@code target t[2]}: a real-valued target. */
  record Target(String name, List<Dim> shape, Span span) implements Statement {
    public Target {
      shape = List.copyOf(shape);
    }
  }

  /** {@code param W1[20, 784] init normal(0, 0.01)}. */
  record Param(String name, List<Dim> shape, Optional<Init> init, Span span) implements Statement {
    public Param {
      shape = List.copyOf(shape);
    }
  }

  /** {@code Y1 = relu(W1 X + b1)}: a named value. {@code loss = ...} is one too, with the name "loss". */
  record Let(String name, Span nameSpan, Expr value, Span span) implements Statement {}

  /** {@code def dense(W, b, x) = relu(W x + b)}: a block, expanded where it is called. */
  record Def(String name, List<Name> parameters, Expr body, Span span) implements Statement {
    public Def {
      parameters = List.copyOf(parameters);
    }
  }

  /** A name as declared, with its own span (for "declared here" and duplicate diagnostics). */
  record Name(String name, Span span) {}

  /**
   * How a parameter starts: {@code init zeros}, {@code init normal(0, 0.01)}, {@code init
   * uniform(-0.1, 0.1)}, {@code init constant(0.5)}, {@code init linear} (PyTorch's default for
   * {@code nn.Linear}, also what no {@code init} means), {@code init xavier}, {@code init kaiming}.
   */
  record Init(String kind, List<Double> arguments, Span span) {
    public Init {
      arguments = List.copyOf(arguments);
    }
  }
}
