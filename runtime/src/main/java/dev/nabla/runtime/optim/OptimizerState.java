package dev.nabla.runtime.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an optimizer remembers between steps, so that a resumed run continues exactly: the number of
 * updates done (Adam's bias correction needs it) and its buffers (velocities, moments), one per
 * parameter and kind, in a fixed order.
 *
 * @param optimizer the optimizer's name ({@code sgd}, {@code momentum}, {@code adam})
 * @param steps updates done so far
 * @param buffers the buffers, copied
 */
public record OptimizerState(String optimizer, long steps, List<double[]> buffers) {

  public OptimizerState {
    List<double[]> copies = new ArrayList<>();
    for (double[] buffer : buffers) {
      copies.add(buffer.clone());
    }
    buffers = List.copyOf(copies);
  }

  @Override
  public List<double[]> buffers() {
    List<double[]> copies = new ArrayList<>();
    for (double[] buffer : buffers) {
      copies.add(buffer.clone());
    }
    return copies;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof OptimizerState that) || steps != that.steps || !optimizer.equals(that.optimizer)
        || buffers.size() != that.buffers.size()) {
      return false;
    }
    for (int i = 0; i < buffers.size(); i++) {
      if (!Arrays.equals(buffers.get(i), that.buffers.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return optimizer.hashCode() * 31 + Long.hashCode(steps);
  }

  @Override
  public String toString() {
    return "OptimizerState[" + optimizer + ", steps=" + steps + ", buffers=" + buffers.size() + "]";
  }
}
