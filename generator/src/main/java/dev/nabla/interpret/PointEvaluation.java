package dev.nabla.interpret;

import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss, output and every gradient of a network at given parameter values, for one sample or
 * the mean over a minibatch (the lesson's ∇C): what {@code nabla grad} prints and the PyTorch
 * golden files are compared with.
 */
public final class PointEvaluation {
  private PointEvaluation() {}

  /** One sample: its inputs by leaf, and its label's or target's tensor. */
  public record Sample(Map<Node, Tensor> leaves) {}

  /**
   * @param loss the mean loss over the samples
   * @param outputs the output of each sample
   * @param gradients the mean gradient of each requested leaf
   */
  public record Result(double loss, List<Tensor> outputs, Map<Node, Tensor> gradients) {}

  public static Result evaluate(Gradients gradients, Map<Node, Tensor> parameters, List<Sample> samples) {
    Network network = gradients.network();
    List<Node> roots = new ArrayList<>(gradients.byLeaf().values());
    roots.add(network.loss());
    roots.add(network.output());
    double loss = 0;
    List<Tensor> outputs = new ArrayList<>();
    Map<Node, double[]> sums = new LinkedHashMap<>();
    for (Sample sample : samples) {
      Map<Node, Tensor> leaves = new IdentityHashMap<>(parameters);
      leaves.putAll(sample.leaves());
      Map<Node, Tensor> values = Interpreter.evaluate(roots, leaves);
      loss += values.get(network.loss()).scalarValue();
      outputs.add(values.get(network.output()));
      gradients.byLeaf().forEach((leaf, gradient) -> {
        double[] sum = sums.computeIfAbsent(leaf, l -> new double[Math.toIntExact(l.shape().size())]);
        double[] value = values.get(gradient).data();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += value.length == 1 ? value[0] : value[i];
        }
      });
    }
    Map<Node, Tensor> means = new LinkedHashMap<>();
    int n = samples.size();
    sums.forEach((leaf, sum) -> {
      double[] mean = new double[sum.length];
      for (int i = 0; i < sum.length; i++) {
        mean[i] = sum[i] / n;
      }
      means.put(leaf, new Tensor(leaf.shape(), mean));
    });
    return new Result(loss / n, outputs, means);
  }
}
