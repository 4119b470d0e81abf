package dev.nabla.cli;

import dev.nabla.runtime.train.WarmUp;
import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dense layers of a spec, as the runtime's {@link WarmUp} takes them: every product of a weight matrix (a
 * parameter {@code [rows, columns]}) by a vector per sample, in the order the forward pass computes them, with the
 * activation applied to it (or to it plus a bias). Known before the class is generated, so that the warm-up runs
 * while javac compiles it. Other operations (convolutions, products of two per-sample values) are left out: they
 * are warmed up by the run's first steps, as before.
 */
final class WarmUpLayers {
  private WarmUpLayers() {}

  static List<WarmUp.Layer> of(Network network) {
    List<Node> nodes = Differentiator.reachable(List.of(network.output(), network.loss()));
    Map<Node, List<Node>> consumers = new HashMap<>();
    for (Node node : nodes) {
      for (Node input : node.inputs()) {
        consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
      }
    }
    List<WarmUp.Layer> layers = new ArrayList<>();
    for (Node node : nodes) {
      if (!node.is(Structural.MATMUL) || !isWeightMatrix(node.input(0)) || !node.input(1).shape().isVector()) {
        continue;
      }
      long rows = node.input(0).shape().dim(0).size();
      long columns = node.input(0).shape().dim(1).size();
      if (rows > Integer.MAX_VALUE || columns > Integer.MAX_VALUE || node.input(1).shape().size() != columns) {
        continue;
      }
      layers.add(new WarmUp.Layer((int) rows, (int) columns, activation(node, consumers)));
    }
    return layers;
  }

  private static boolean isWeightMatrix(Node node) {
    return node.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM && node.shape().isMatrix();
  }

  /** The activation of {@code W x} or of {@code W x + b}: its one consumer's, if that is relu, tanh or sigmoid. */
  private static WarmUp.Activation activation(Node product, Map<Node, List<Node>> consumers) {
    Node value = product;
    List<Node> next = consumers.getOrDefault(value, List.of());
    if (next.size() == 1 && next.get(0).is(Binary.ADD)) {
      value = next.get(0);
      next = consumers.getOrDefault(value, List.of());
    }
    if (next.size() != 1) {
      return WarmUp.Activation.NONE;
    }
    Node consumer = next.get(0);
    return consumer.is(Unary.RELU) ? WarmUp.Activation.RELU
        : consumer.is(Unary.TANH) ? WarmUp.Activation.TANH
        : consumer.is(Unary.SIGMOID) ? WarmUp.Activation.SIGMOID
        : WarmUp.Activation.NONE;
  }
}
