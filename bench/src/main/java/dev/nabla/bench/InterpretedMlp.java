package dev.nabla.bench;

import dev.nabla.interpret.Interpreter;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** SGD on the interpreter: every sample's gradients evaluated from the graph, averaged, applied. */
final class InterpretedMlp {
  private final Network network;
  private final Gradients gradients;
  private final Map<Node, double[]> parameters = new HashMap<>();
  private final List<Node> roots = new ArrayList<>();
  private final int inputSize;
  private final int classes;

  InterpretedMlp(String layers) {
    int[] widths = Networks.widths(layers);
    this.network = Networks.network("Interpreted", Networks.spec("Interpreted", widths));
    this.gradients = Differentiator.parameters(network);
    this.inputSize = widths[0];
    this.classes = widths[widths.length - 1];
    SplittableRandom random = new SplittableRandom(42);
    for (Node parameter : network.parameters()) {
      double[] values = new double[(int) parameter.shape().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextDouble(-0.05, 0.05);
      }
      parameters.put(parameter, values);
      roots.add(gradients.of(parameter));
    }
    roots.add(network.loss());
  }

  double trainStep(float[] x, int offset, int[] labels, int n, float lr) {
    Map<Node, double[]> sums = new HashMap<>();
    double loss = 0;
    Node input = network.inputs().get(0);
    Node label = network.label().orElseThrow();
    for (int s = 0; s < n; s++) {
      Map<Node, Tensor> leaves = new HashMap<>();
      double[] values = new double[inputSize];
      for (int i = 0; i < inputSize; i++) {
        values[i] = x[(offset + s) * inputSize + i];
      }
      leaves.put(input, new Tensor(input.shape(), values));
      leaves.put(label, Interpreter.oneHot(labels[offset + s], classes));
      for (Node parameter : network.parameters()) {
        leaves.put(parameter, new Tensor(parameter.shape(), parameters.get(parameter)));
      }
      Map<Node, Tensor> result = Interpreter.evaluate(roots, leaves);
      loss += result.get(network.loss()).scalarValue();
      for (Node parameter : network.parameters()) {
        Tensor gradient = result.get(gradients.of(parameter));
        double[] sum = sums.computeIfAbsent(parameter, p -> new double[(int) p.shape().size()]);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += gradient.size() == 1 ? gradient.get(0) : gradient.get(i);
        }
      }
    }
    for (Node parameter : network.parameters()) {
      double[] values = parameters.get(parameter);
      double[] sum = sums.get(parameter);
      for (int i = 0; i < values.length; i++) {
        values[i] -= lr * sum[i] / n;
      }
    }
    return loss / n;
  }
}
