package dev.nabla.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nabla.codegen.Plan.Storage;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Structural;
import dev.nabla.symbolic.Unary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The products the runtime's kernels take ({@code dense}, {@code transposedDense}, {@code weightGradient}
 * of {@code dev.nabla.runtime.kernels.KernelSupport}): a weight matrix times vectors stored per sample, and
 * the weight gradient as one product over the lane's samples, where the {@link Plan} chose a kernel; the
 * other products are written as loops. What every classifier repeats, whose loops are not the spec's math but the
 * same in each class, is a call of the runtime over the lane's samples where the values are rows of each sample:
 * the activations ({@code Activations}: tanh, sigmoid, ReLU, softmax), the one-hot labels and the cross-entropy
 * ({@code Losses}), a bias's batch mean ({@code addBatchMean}). The warm-up's stand-in calls the same methods, so the
 * JIT has compiled them before the run.
 */
abstract class KernelCalls extends Elements {
  KernelCalls(Network network, Gradients gradients, CodegenOptions options) {
    super(network, gradients, options);
  }

  static final ClassName ACTIVATIONS = ClassName.get("dev.nabla.runtime.kernels", "Activations");
  static final ClassName LOSSES = ClassName.get("dev.nabla.runtime.kernels", "Losses");

  /** Work per lane, in floating-point operations, below which a lane is not worth its handoff. */
  static final long MIN_LANE_WORK = 300_000;

  /** Samples each lane takes at least: 8 to 256, by the work of one sample's passes; never split when the loss is not per sample. */
  int minLaneBatch() {
    if (!(plan.perSample(network.loss()) && plan.perSample(network.output()))) {
      return Integer.MAX_VALUE;
    }
    long work = 1;
    List<Node> nodes = new ArrayList<>(plan.forwardNodes());
    for (Node node : plan.backwardNodes()) {
      if (plan.gradientTerms().containsKey(node)) {
        plan.gradientTerms().get(node).forEach(term -> nodes.add(term.value()));
      } else {
        nodes.add(node);
      }
    }
    for (Node node : nodes) {
      Node product = plan.fusedProduct().getOrDefault(node, node.is(Structural.MATMUL) ? node : null);
      Node conv = product != null && product.op() instanceof Spatial.Conv2d ? product : convolutionOf(node);
      if (conv != null) {
        // every convolution and its gradients: a multiply-add per kernel weight and output pixel
        work += 2L * kernelSize(conv) * outputPixels(conv);
      } else if (product != null) {
        work += 2L * rows(product.input(0)) * columns(product.input(0)) * columns(product.input(1));
      } else {
        work += size(node);
      }
    }
    return (int) Math.max(8, Math.min(256, (MIN_LANE_WORK + work - 1) / work));
  }

  /** The node itself when it is a convolution or one of its gradients; {@code null} otherwise. */
  private static Node convolutionOf(Node node) {
    Op op = node.op();
    return op instanceof Spatial.Conv2d || op instanceof Spatial.Conv2dInputGradient || op instanceof Spatial.Conv2dKernelGradient
        ? node : null;
  }

  /** The weights of the convolution (or gradient) {@code node}'s kernel, {@code O·C·KH·KW}. */
  private static long kernelSize(Node node) {
    Op op = node.op();
    if (op instanceof Spatial.Conv2dKernelGradient gradient) {
      return gradient.kernel().size();
    }
    return node.input(0).shape().size();
  }

  /** Height × width of the convolution's output image: the value, or the δ its gradients read. */
  private static long outputPixels(Node node) {
    Op op = node.op();
    Node output = op instanceof Spatial.Conv2d ? node : op instanceof Spatial.Conv2dInputGradient ? node.input(1) : node.input(0);
    Shape shape = output.shape();
    return shape.dim(1).size() * shape.dim(2).size();
  }

  /**
   * {@code node = W x (+ bias)} for the lane's samples as the runtime's dense kernel, where the plan chose it
   * ({@link Plan.Kernel#DENSE}); a bias that is not a parameter vector is added after it.
   */
  void denseCall(MethodBody body, Node node, Node product, Node init) {
    Node w = product.input(0);
    Rows source = rowsByRowOf(body, product.input(1));
    boolean biasArray = init != null && init.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM
        && size(init) == rows(w);
    body.statement("dense($N, $L, $L, $L, $L, $N, $N, $N, 0, $L)", arrays.get(w), rows(w), columns(w),
        biasArray ? arrays.get(init) : "null", operand(source), body.name("lo"), body.name("hi"), arrays.get(node),
        size(node));
    if (init != null && !biasArray) {
      Target target = arrayTarget(node);
      String b = body.openBatch();
      boolean loop = body.loop("i", size(node));
      String i = body.index("i", size(node));
      body.statement("$L += $L", target.at(b, i), elem(body, init, b, operandIndex(init, i)).code());
      body.end(loop);
      body.close();
    }
  }

  /** {@code y = Wᵀ δ} for the lane's samples as the runtime's kernel, where the plan chose it ({@link Plan.Kernel#TRANSPOSED_DENSE}). */
  void transposedCall(MethodBody body, Node product) {
    Node w = product.input(0).input(0);
    Rows source = rowsOf(body, product.input(1));
    body.statement("transposedDense($N, $L, $L, $N, $L, $L, $N, $N, $N, 0, $L)", arrays.get(w), rows(w), columns(w),
        source.array(), source.offset(), source.stride(), body.name("lo"), body.name("hi"), arrays.get(product), size(product));
  }

  /** {@code dW += (1/n) Σ_b δ_b x_bᵀ} as the runtime's weight-gradient kernel, where the plan chose it ({@link Plan.Kernel#WEIGHT_GRADIENT}). */
  void weightGradientCall(MethodBody body, Node node, Node parameter) {
    weightGradientCall(body, rowsOf(body, node.input(0)), rowsByRowOf(body, node.input(1)), parameter);
  }

  /** {@code dW += (1/n) Σ_b (δ_b v_bᵀ)ᵀ = (1/n) Σ_b v_b δ_bᵀ} for the product {@code δ vᵀ}: the same kernel, δ and v swapped. */
  void transposedWeightGradientCall(MethodBody body, Node product, Node parameter) {
    weightGradientCall(body, rowsOf(body, product.input(1)), rowsByRowOf(body, product.input(0)), parameter);
  }

  private void weightGradientCall(MethodBody body, Rows deltaRows, Rows source, Node parameter) {
    body.statement("weightGradient($N, $L, $L, $L, $L, $N, $N, $N)", gradientArrays.get(parameter), rows(parameter),
        columns(parameter), deltaRows.code(), operand(source), body.name("lo"), body.name("hi"),
        body.read(MethodBody.Read.INV_N));
  }

  /** The operand of a product that may read a shuffled batch's inputs where they lie: with its rows when it has them. */
  private static CodeBlock operand(Rows source) {
    return source.rows() == null ? source.code() : source.codeWithRows();
  }

  /**
   * {@code node = tanh(x)}, {@code sigmoid(x)} or {@code relu(x)} for the lane's samples as one call of the runtime's
   * {@code Activations}, when both are stored per sample with nothing between two samples' values (so that the lane's
   * values are one run of each array); {@code false}, and nothing written, otherwise. {@code Math.tanh} is not an
   * intrinsic of JDK 17: at about 45 ns a value, the loop took most of a 784-256-128-10 forward pass.
   */
  boolean activationCall(MethodBody body, Node node) {
    if (!(node.op() instanceof Unary unary) || (unary != Unary.TANH && unary != Unary.SIGMOID && unary != Unary.RELU)
        || !storedPerSample(node)) {
      return false;
    }
    int size = size(node);
    Rows source = rowsOf(body, node.input(0));
    if (source == null || source.stride() != size || source.length() != size) {
      return false;
    }
    String lo = body.name("lo");
    String hi = body.name("hi");
    String from = size == 1 ? lo : lo + " * " + size;
    String length = size == 1 ? hi + " - " + lo : "(" + hi + " - " + lo + ") * " + size;
    body.code.addStatement("$T.$L($L, $L, $L, $L, $L)", ACTIVATIONS, unary.name().toLowerCase(Locale.ROOT),
        source.array(), Expressions.index(from, source.offset()), arrays.get(node), from, length);
    return true;
  }

  /**
   * {@code node = softmax(x)} or {@code logsoftmax(x)} for the lane's samples as one call of the runtime's
   * {@code Activations}, when {@code node} is stored per sample and {@code x} is a row of each sample; {@code false},
   * and nothing written, otherwise.
   */
  boolean softmaxCall(MethodBody body, Node node) {
    Rows source = storedPerSample(node) ? rowsOf(body, node.input(0)) : null;
    if (source == null || source.length() != size(node)) {
      return false;
    }
    body.statement("$T.$L($L, $N, $L, $N, $N)", ACTIVATIONS, node.is(Structural.LOGSOFTMAX) ? "logSoftmax" : "softmax",
        source.code(), arrays.get(node), size(node), body.name("lo"), body.name("hi"));
    return true;
  }

  /**
   * {@code node = cross_entropy(z, y)} against the labels for the lane's samples as one call of the runtime's
   * {@code Losses}, when {@code node} is stored per sample and {@code z} is a row of each sample; {@code false}, and
   * nothing written, otherwise.
   */
  boolean crossEntropyCall(MethodBody body, Node node, Node prediction) {
    Rows scores = storedPerSample(node) ? rowsOf(body, prediction) : null;
    if (scores == null || scores.stride() == 0 || scores.length() != size(prediction) || size(node) != 1) {
      return false;
    }
    body.statement("$T.crossEntropy($L, $L, $N, $N, $N, $N)", LOSSES, scores.code(), size(prediction),
        body.read(MethodBody.Read.LABELS), arrays.get(node), body.name("lo"), body.name("hi"));
    return true;
  }

  /** The labels as one-hot rows of the lane's samples, {@code t = onehot(y)}, as one call of the runtime's {@code Losses}. */
  void oneHotCall(MethodBody body, Node label) {
    body.statement("$T.oneHot($N, $N, $N, $N, $L)", LOSSES, body.read(MethodBody.Read.LABELS), body.name("lo"),
        body.name("hi"), arrays.get(label), size(label));
  }

  /**
   * {@code g += (1/n) Σ_b v_b} for a value {@code v} that is a row of each sample, as the runtime's
   * {@code addBatchMean}; {@code false}, and nothing written, when {@code v} is not stored so.
   */
  boolean batchMeanCall(MethodBody body, Node node, String gradient) {
    Rows rows = plan.perSample(node) ? rowsOf(body, node) : null;
    if (rows == null || rows.stride() == 0 || rows.length() != size(node)) {
      return false;
    }
    body.statement("addBatchMean($N, $L, $L, $N, $N, $N)", gradient, size(node), rows.code(), body.name("lo"),
        body.name("hi"), body.read(MethodBody.Read.INV_N));
    return true;
  }

  /** Whether {@code node} has an array of its own with a row per sample. */
  private boolean storedPerSample(Node node) {
    return plan.storage(node) == Storage.ARRAY && plan.perSample(node);
  }
}
