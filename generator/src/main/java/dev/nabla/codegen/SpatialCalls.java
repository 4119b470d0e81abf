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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image operations as calls into the runtime's layer objects ({@code dev.nabla.runtime.kernels.Conv2d} and
 * {@code Pool2d}, one constant of the class per layer shape) and its dropout: a convolution with its bias per channel
 * folded in, its two gradients (the bias's gradient folded into the kernel's when both read the same δ), max and
 * average pooling with theirs, and dropout, whose masks (and max pooling's argmax) are kept per sample for the
 * backward pass. A flatten is read in place ({@link Plan.Storage#VIEW}) and written only where it is an output.
 */
abstract class SpatialCalls extends KernelCalls {
  static final ClassName CONV2D = ClassName.get("dev.nabla.runtime.kernels", "Conv2d");
  static final ClassName POOL2D = ClassName.get("dev.nabla.runtime.kernels", "Pool2d");

  /** A layer constant of the class: {@code private static final Conv2d CONV1 = new Conv2d(...)}. */
  record Layer(String name, ClassName type, String arguments, String description) {}

  /** The layer constants by their constructor's arguments, in the order the passes first use them. */
  final Map<String, Layer> layers = new LinkedHashMap<>();

  /** Max pooling's per-sample argmax arrays, by the pooling node. */
  final Map<Node, String> argmaxArrays = new LinkedHashMap<>();

  /** The bias gradients {@code Σ_{p,q} δ} written by the kernel-gradient call that reads the same δ, by that call's node. */
  private Map<Node, Node> fusedBiasGradients;

  SpatialCalls(Network network, Gradients gradients, CodegenOptions options) {
    super(network, gradients, options);
  }

  /** The statement of an image operation's value, stored in its own per-sample array. */
  void spatial(MethodBody body, Node node, Spatial op) {
    if (op instanceof Spatial.Conv2d) {
      convolution(body, node, node, null);
    } else if (op instanceof Spatial.Conv2dInputGradient gradient) {
      Node kernel = node.input(0);
      Rows delta = rows(body, node.input(1), node);
      body.statement("$N.inputGradient(workspace(), $N, $L, $L, $L)", convLayer(kernel.shape(), gradient.input(), gradient.stride(),
          gradient.padding()), flat(kernel, node), delta.code(), range(body, node), target(node));
    } else if (op instanceof Spatial.MaxPool pool) {
      Rows x = rows(body, node.input(0), node);
      body.statement("$N.maxForward($L, $L, $L, $N)", poolLayer(node.input(0).shape(), pool.window(), pool.stride()), x.code(),
          range(body, node), target(node), argmax(node));
    } else if (op instanceof Spatial.MaxPoolGradient pool) {
      Rows delta = rows(body, node.input(1), node);
      body.statement("$N.maxGradient($L, $N, $L, $L)", poolLayer(node.input(0).shape(), pool.window(), pool.stride()), delta.code(),
          argmax(pooling(node, pool)), range(body, node), target(node));
    } else if (op instanceof Spatial.AvgPool pool) {
      Rows x = rows(body, node.input(0), node);
      body.statement("$N.averageForward($L, $L, $L)", poolLayer(node.input(0).shape(), pool.window(), pool.stride()), x.code(),
          range(body, node), target(node));
    } else if (op instanceof Spatial.AvgPoolGradient pool) {
      Rows delta = rows(body, node.input(0), node);
      body.statement("$N.averageGradient($L, $L, $L)", poolLayer(node.shape(), pool.window(), pool.stride()), delta.code(),
          range(body, node), target(node));
    } else if (op instanceof Spatial.Dropout dropout) {
      if (body.pass.predicts()) {
        copy(body, node); // the identity in prediction, whatever the mode
      } else {
        Rows x = rows(body, node.input(0), node);
        body.statement("dropout($L, $L, $L, $L, $L, $N)", dev.nabla.symbolic.Numbers.format(dropout.p()), x.code(), size(node),
            range(body, node), target(node), arrays.get(node.input(1)));
      }
    } else if (op instanceof Spatial.ChannelSum) {
      channelSum(body, node, null);
    } else if (op instanceof Spatial.Flatten || op instanceof Spatial.Unflatten) {
      copy(body, node);
    } else {
      throw new UnsupportedSpecException("nabla cannot yet generate Java for " + describe(node) + " (" + op.name()
          + " whose value is needed on its own); write the network without it", node.span());
    }
  }

  /**
   * {@code node = conv2d(K, X) (+ c)}: the layer's forward call, the bias per channel folded in when it is a
   * parameter (the plan's {@link Plan.Kernel#CONV}).
   */
  void convolution(MethodBody body, Node node, Node conv, Node bias) {
    Spatial.Conv2d op = (Spatial.Conv2d) conv.op();
    Node kernel = conv.input(0);
    Rows x = rows(body, conv.input(1), node);
    body.statement("$N.forward(workspace(), $N, $L, $L, $L, $L)", convLayer(kernel.shape(), conv.input(1).shape(), op.stride(),
        op.padding()), flat(kernel, node), bias == null ? "null" : arrays.get(bias), x.code(), range(body, node), target(node));
  }

  /** Whether {@code node} is a parameter gradient the plan adds to its array: one of the image operations'. */
  static boolean isSpatialGradient(Node node) {
    return node.op() instanceof Spatial.Conv2dKernelGradient || node.op() instanceof Spatial.ChannelSum;
  }

  /** Whether {@code node}, a bias's gradient, is written by the kernel-gradient call of the same δ. */
  boolean isFusedBiasGradient(Node node) {
    return fusedBiasGradients().containsValue(node);
  }

  /** Adds the batch mean of the image operation's gradient {@code node} to {@code parameter}'s gradient. */
  void accumulateSpatial(MethodBody body, Node node, Node parameter) {
    if (node.op() instanceof Spatial.ChannelSum) {
      channelSum(body, node, gradientArrays.get(parameter));
      return;
    }
    Spatial.Conv2dKernelGradient op = (Spatial.Conv2dKernelGradient) node.op();
    Node image = node.input(1);
    Rows delta = rows(body, node.input(0), node);
    Rows x = rows(body, image, node);
    Node bias = fusedBiasGradients().get(node);
    String biasGradient = "null";
    if (bias != null) {
      Node biasParameter = plan.gradientOf().get(bias).get(0);
      biasGradient = gradientArrays.get(biasParameter);
      body.comment(biasGradient + " = ∂C/∂" + Network.leafName(biasParameter) + " = (1/n) Σ_b " + formula(bias, false)
          + position(biasParameter) + ", in the same call");
    }
    // A gradient of the parameters alone is computed once, whole; one per sample is the batch mean.
    boolean perSample = plan.perSample(node);
    body.statement("$N.kernelGradient(workspace(), $N, $L, $L, $L, $L, $L)", convLayer(op.kernel(), image.shape(), op.stride(),
        op.padding()), gradientArrays.get(parameter), biasGradient, x.code(), delta.code(), range(body, node),
        perSample ? body.read(MethodBody.Read.INV_N) : ex.literal(1).code());
  }

  /**
   * {@code Σ_{p,q} δ_{o,p,q}} per channel: stored per sample, or (into {@code gradient}) the bias's gradient averaged
   * over the batch.
   */
  private void channelSum(MethodBody body, Node node, String gradient) {
    Node delta = node.input(0);
    int channels = size(node);
    int pixels = size(delta) / channels;
    String b = body.batch(plan.perSample(delta), true);
    boolean loop = body.loop("i", channels);
    String i = body.index("i", channels);
    String sum = body.name("sum");
    body.statement("$L $N = $L", ex.type(), sum, ex.literal(0).code());
    boolean inner = body.loop("j", pixels);
    body.statement("$N += $L", sum, elem(body, delta, b, Expressions.index(Expressions.times(i, pixels), body.index("j", pixels))).code());
    body.end(inner);
    if (gradient != null && plan.perSample(delta)) {
      body.statement("$N[$L] += $N * $N", gradient, i, body.read(MethodBody.Read.INV_N), sum);
    } else if (gradient != null) {
      body.statement("$N[$L] += $N", gradient, i, sum);
    } else {
      body.statement("$L = $N", arrayTarget(node).at(b, i), sum);
    }
    body.end(loop);
    body.endBatch();
  }

  /** {@code node = its operand}, element by element: a flatten that is an output, dropout in prediction. */
  private void copy(MethodBody body, Node node) {
    Target target = arrayTarget(node);
    String b = body.batch(plan.perSample(node));
    String i = body.index("i", size(node));
    boolean loop = body.loop("i", size(node));
    body.statement("$L = $L", target.at(b, i), elem(body, node.input(0), b, i).code());
    body.end(loop);
    body.endBatch();
  }

  /** The operand's rows per sample, which the kernels read; an operand that is not one is refused with the place. */
  private Rows rows(MethodBody body, Node operand, Node user) {
    Rows rows = rowsOf(body, operand);
    if (rows == null) {
      throw new UnsupportedSpecException("nabla generates " + user.op().name() + " for an operand that differs from sample to"
          + " sample, stored or an input; " + reference(operand) + " is not one", user.span().isKnown() ? user.span() : operand.span());
    }
    return rows;
  }

  /** A kernel's flat array: a parameter, or a value of the parameters alone. */
  private String flat(Node kernel, Node user) {
    Storage storage = plan.storage(kernel);
    boolean shared = (storage == Storage.LEAF && kernel.op() instanceof Op.Leaf leaf && leaf.kind() == Op.Leaf.Kind.PARAM)
        || (storage == Storage.ARRAY && !plan.perSample(kernel));
    if (!shared) {
      throw new UnsupportedSpecException("nabla generates convolutions by a kernel that is a parameter (or computed from"
          + " parameters alone), not by " + reference(kernel), user.span());
    }
    return arrays.get(kernel);
  }

  /** {@code array, 0, size}: where a kernel writes the value of {@code node}, per sample or (stride 0) once. */
  private CodeBlock target(Node node) {
    return CodeBlock.of("$N, 0, $L", arrays.get(node), plan.perSample(node) ? size(node) : 0);
  }

  /** The samples a kernel runs over: the lane's, or one for a value of the parameters alone. */
  private CodeBlock range(MethodBody body, Node node) {
    return plan.perSample(node) ? CodeBlock.of("$N, $N", body.name("lo"), body.name("hi")) : CodeBlock.of("0, 1");
  }

  /** The forward max pooling whose argmax routes the gradient {@code node}: the pooling of the same image and window. */
  private Node pooling(Node node, Spatial.MaxPoolGradient op) {
    for (Node candidate : network.graph().nodes()) {
      if (candidate.op() instanceof Spatial.MaxPool pool && pool.window() == op.window() && pool.stride() == op.stride()
          && candidate.input(0) == node.input(0) && plan.storage(candidate) == Storage.ARRAY) {
        return candidate;
      }
    }
    throw new UnsupportedSpecException("the gradient of a max pooling needs the pooling itself in the forward pass", node.span());
  }

  private String argmax(Node pooling) {
    return argmaxArrays.computeIfAbsent(pooling, key -> allocate("argmax" + capitalize(arrays.get(key))));
  }

  /** The constant of a convolution layer: kernels {@code [O, C, KH, KW]} over images {@code [C, H, W]}. */
  String convLayer(Shape kernel, Shape image, int stride, int padding) {
    String arguments = image.dim(0).size() + ", " + image.dim(1).size() + ", " + image.dim(2).size() + ", " + kernel.dim(0).size()
        + ", " + kernel.dim(2).size() + ", " + kernel.dim(3).size() + ", " + stride + ", " + padding;
    return layer("conv", CONV2D, arguments, () -> String.format(java.util.Locale.ROOT,
        "The convolution of %s images by %s kernels, stride %d, padding %d: %s out.", shape(image), shape(kernel), stride, padding,
        dims(kernel.dim(0).size(), window(image.dim(1).size(), kernel.dim(2).size(), stride, padding),
            window(image.dim(2).size(), kernel.dim(3).size(), stride, padding))));
  }

  /** The constant of a pooling layer over images {@code [C, H, W]}. */
  String poolLayer(Shape image, int window, int stride) {
    String arguments = image.dim(0).size() + ", " + image.dim(1).size() + ", " + image.dim(2).size() + ", " + window + ", " + stride;
    return layer("pool", POOL2D, arguments, () -> String.format(java.util.Locale.ROOT,
        "Pooling of %s images in %d×%d windows, stride %d: %s out.", shape(image), window, window, stride,
        dims(image.dim(0).size(), window(image.dim(1).size(), window, stride, 0), window(image.dim(2).size(), window, stride, 0))));
  }

  private String layer(String kind, ClassName type, String arguments, java.util.function.Supplier<String> description) {
    String key = type.simpleName() + "(" + arguments + ")";
    Layer layer = layers.get(key);
    if (layer == null) {
      long count = layers.values().stream().filter(l -> l.type().equals(type)).count();
      layer = new Layer(allocate(kind.toUpperCase(java.util.Locale.ROOT) + (count + 1)), type, arguments, description.get());
      layers.put(key, layer);
    }
    return layer.name();
  }

  private static long window(long in, long kernel, int stride, int padding) {
    return (in + 2L * padding - kernel) / stride + 1;
  }

  private static String shape(Shape shape) {
    return dims(shape.dims().stream().mapToLong(dim -> dim.size()).toArray());
  }

  private static String dims(long... sizes) {
    StringBuilder text = new StringBuilder();
    for (long size : sizes) {
      text.append(text.length() > 0 ? "×" : "").append(size);
    }
    return text.toString();
  }

  /** Each bias gradient {@code Σ_{p,q} δ} with the kernel gradient that reads the same δ, which then writes both. */
  private Map<Node, Node> fusedBiasGradients() {
    if (fusedBiasGradients == null) {
      fusedBiasGradients = new IdentityHashMap<>();
      List<Node> nodes = network.graph().nodes();
      for (Node sum : nodes) {
        if (!(sum.op() instanceof Spatial.ChannelSum) || plan.storage(sum) != Storage.GRADIENT) {
          continue;
        }
        for (Node kernel : nodes) {
          if (kernel.op() instanceof Spatial.Conv2dKernelGradient && plan.storage(kernel) == Storage.GRADIENT
              && kernel.input(0) == sum.input(0) && !fusedBiasGradients.containsKey(kernel)) {
            fusedBiasGradients.put(kernel, sum);
            break;
          }
        }
      }
    }
    return fusedBiasGradients;
  }
}
