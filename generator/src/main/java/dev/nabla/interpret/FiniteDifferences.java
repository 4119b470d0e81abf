package dev.nabla.interpret;

import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Central differences {@code (f(θ + h) − f(θ − h)) / 2h} of a scalar node, element by element:
 * the independent check of every symbolic gradient.
 */
public final class FiniteDifferences {
  private FiniteDifferences() {}

  /** The numerical gradient of {@code scalar} with respect to {@code leaf}, at {@code values}. */
  public static Tensor gradient(Node scalar, Node leaf, Map<Node, Tensor> values, double step) {
    return gradient(scalar, leaf, values, step, OptionalLong.empty());
  }

  /** {@link #gradient(Node, Node, Map, double)} with dropout's masks drawn from a seed, the same at every point. */
  public static Tensor gradient(Node scalar, Node leaf, Map<Node, Tensor> values, double step, OptionalLong dropoutSeed) {
    Tensor at = values.get(leaf);
    double[] gradient = new double[at.size()];
    Map<Node, Tensor> shifted = new HashMap<>(values);
    for (int i = 0; i < at.size(); i++) {
      double[] plus = at.data().clone();
      plus[i] += step;
      shifted.put(leaf, new Tensor(at.shape(), plus));
      double up = Interpreter.evaluate(scalar, shifted, dropoutSeed).scalarValue();
      double[] minus = at.data().clone();
      minus[i] -= step;
      shifted.put(leaf, new Tensor(at.shape(), minus));
      double down = Interpreter.evaluate(scalar, shifted, dropoutSeed).scalarValue();
      gradient[i] = (up - down) / (2 * step);
    }
    return new Tensor(at.shape(), gradient);
  }

  /**
   * The worst relative error between two gradients, each element's error measured against
   * {@code max(|a|, |b|, floor)} so that entries near zero are judged absolutely.
   */
  public static double relativeError(Tensor expected, Tensor actual, double floor) {
    double worst = 0;
    for (int i = 0; i < expected.size(); i++) {
      double a = expected.get(i);
      double b = actual.get(i);
      double scale = Math.max(Math.max(Math.abs(a), Math.abs(b)), floor);
      worst = Math.max(worst, Math.abs(a - b) / scale);
    }
    return worst;
  }
}
