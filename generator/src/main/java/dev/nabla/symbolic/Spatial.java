package dev.nabla.symbolic;

import java.util.List;

/**
 * The operations on images {@code [C, H, W]}: convolution with its two gradients, pooling with its
 * gradients, flatten and its inverse, and dropout. Each record holds the geometry that is not in
 * the operands' shapes (stride, padding, window), so that the code writer reads the layer's sizes
 * off the nodes' shapes and the rest off the record. The loops of the double-precision evaluation
 * live in {@link SpatialLoops}.
 *
 * <p>Conventions, as PyTorch's: {@code conv2d(K, X)} is a cross-correlation (no kernel flip) of
 * {@code K[O, C, KH, KW]} with {@code X[C, H, W]} padded with zeros; pooling windows have no padding
 * and must tile the input; a max-pooling window's gradient goes to its first maximum (row-major).
 */
public sealed interface Spatial extends Op {

  /** {@code " stride=2 padding=1"}, leaving out the defaults (1 and 0): how graphs label a convolution. */
  static String geometry(int stride, int padding) {
    return (stride == 1 ? "" : " stride=" + stride) + (padding == 0 ? "" : " padding=" + padding);
  }

  /**
   * {@code Y = conv2d(K, X, stride=s, padding=p)}: {@code y_{o,p,q} = Σ_{c,i,j} k_{o,c,i,j} · x_{c,
   * s·p+i−pad, s·q+j−pad}}. Operands: the kernel, then the image.
   */
  record Conv2d(int stride, int padding) implements Spatial {
    @Override
    public String toString() {
      return name() + Spatial.geometry(stride, padding);
    }

    @Override
    public String name() {
      return "conv2d";
    }

    @Override
    public int arity() {
      return 2;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return solver.convolution(inputs.get(0), inputs.get(1), stride, padding);
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return SpatialLoops.convolve(inputs.get(0), inputs.get(1), stride, padding, shape);
    }

    /** ∂H/∂K is the correlation of X with δ; ∂H/∂X the transposed convolution of δ with K. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      Node kernel = node.input(0);
      Node image = node.input(1);
      return input == 0
          ? graph.spatial(new Conv2dKernelGradient(stride, padding, kernel.shape()), adjoint, image)
          : graph.spatial(new Conv2dInputGradient(stride, padding, image.shape()), kernel, adjoint);
    }
  }

  /**
   * {@code ∂H/∂X} of a convolution: the transposed convolution of {@code δ[O, OH, OW]} with {@code
   * K}, that is the convolution of the dilated, padded δ with the flipped kernel: {@code ∂H/∂x_{c,h,w}
   * = Σ_{o,i,j} k_{o,c,i,j} · δ_{o,(h+pad−i)/s,(w+pad−j)/s}} over the terms whose index is whole and
   * inside δ. Operands: the kernel, then δ; {@code input} is the image's shape (which δ alone does not
   * determine when the stride does not tile it).
   */
  record Conv2dInputGradient(int stride, int padding, Shape input) implements Spatial {
    @Override
    public String toString() {
      return name() + Spatial.geometry(stride, padding);
    }

    @Override
    public String name() {
      return "conv2d_transpose";
    }

    @Override
    public int arity() {
      return 2;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      solver.unify(solver.convolution(inputs.get(0), input, stride, padding), inputs.get(1));
      return input;
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return SpatialLoops.convolveTransposed(inputs.get(0), inputs.get(1), stride, padding, shape);
    }

    /** Linear in both: its adjoint in δ is the convolution, in K the kernel gradient. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      Node kernel = node.input(0);
      Node delta = node.input(1);
      return input == 0
          ? graph.spatial(new Conv2dKernelGradient(stride, padding, kernel.shape()), delta, adjoint)
          : graph.spatial(new Conv2d(stride, padding), kernel, adjoint);
    }
  }

  /**
   * {@code ∂H/∂K} of a convolution: {@code ∂H/∂k_{o,c,i,j} = Σ_{p,q} δ_{o,p,q} · x_{c, s·p+i−pad,
   * s·q+j−pad}}, the correlation of the padded input with δ. Operands: δ, then the image; {@code
   * kernel} is the kernel's shape.
   */
  record Conv2dKernelGradient(int stride, int padding, Shape kernel) implements Spatial {
    @Override
    public String toString() {
      return name() + Spatial.geometry(stride, padding);
    }

    @Override
    public String name() {
      return "conv2d_kernel_gradient";
    }

    @Override
    public int arity() {
      return 2;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      solver.unify(solver.convolution(kernel, inputs.get(1), stride, padding), inputs.get(0));
      return kernel;
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return SpatialLoops.kernelGradient(inputs.get(0), inputs.get(1), stride, padding, shape);
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      Node delta = node.input(0);
      Node image = node.input(1);
      return input == 0
          ? graph.spatial(new Conv2d(stride, padding), adjoint, image)
          : graph.spatial(new Conv2dInputGradient(stride, padding, image.shape()), adjoint, delta);
    }
  }

  /**
   * The sum over height and width of each channel, {@code [O, H, W] → [O]}: the gradient of a bias
   * per channel, {@code ∂H/∂c_o = Σ_{p,q} δ_{o,p,q}}.
   */
  record ChannelSum() implements Spatial {
    @Override
    public String toString() {
      return name();
    }

    @Override
    public String name() {
      return "channel_sum";
    }

    @Override
    public int arity() {
      return 1;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return Shape.vector(solver.expectRank(inputs.get(0), 3, "a sum per channel").dim(0));
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      Tensor image = inputs.get(0);
      int channels = Math.toIntExact(shape.size());
      int pixels = image.size() / channels;
      double[] out = new double[channels];
      for (int c = 0; c < channels; c++) {
        for (int i = 0; i < pixels; i++) {
          out[c] += image.get(c * pixels + i);
        }
      }
      return new Tensor(shape, out);
    }

    /** Each channel's adjoint spread over its pixels: {@code 0 + g}, the bias broadcast. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.add(graph.zero(node.input(0).shape()), adjoint);
    }
  }

  /** {@code maxpool(X, k, stride=s)}: {@code y_{c,p,q} = max_{i,j < k} x_{c, s·p+i, s·q+j}}. */
  record MaxPool(int window, int stride) implements Spatial {
    @Override
    public String toString() {
      return name() + " " + window + (stride == window ? "" : " stride=" + stride);
    }

    @Override
    public String name() {
      return "maxpool";
    }

    @Override
    public int arity() {
      return 1;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return solver.pooling(inputs.get(0), window, stride);
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return SpatialLoops.maxPool(inputs.get(0), window, stride, shape);
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.spatial(new MaxPoolGradient(window, stride), node.input(0), adjoint);
    }
  }

  /**
   * The gradient of max pooling, δ routed by the indicator of each window's maximum: {@code
   * ∂H/∂x_{c,h,w} = Σ_{p,q} δ_{c,p,q} · 1{(h, w) = argmax of window (p, q)}}. Operands: the pooled
   * image X (which says where the maxima are), then δ.
   */
  record MaxPoolGradient(int window, int stride) implements Spatial {
    @Override
    public String toString() {
      return name() + " " + window + (stride == window ? "" : " stride=" + stride);
    }

    @Override
    public String name() {
      return "maxpool_gradient";
    }

    @Override
    public int arity() {
      return 2;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      solver.unify(solver.pooling(inputs.get(0), window, stride), inputs.get(1));
      return solver.resolve(inputs.get(0));
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return SpatialLoops.maxPoolGradient(inputs.get(0), inputs.get(1), window, stride);
    }

    /** Piecewise constant in X (no gradient); linear in δ, whose adjoint reads the routed entries back. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return input == 0 ? null : graph.spatial(new MaxPoolGather(window, stride), node.input(0), adjoint);
    }
  }

  /**
   * The adjoint of {@link MaxPoolGradient} in δ, which a second derivative through max pooling
   * needs: each window's entry of G at the window's maximum, {@code y_{c,p,q} = Σ_{h,w} g_{c,h,w} ·
   * 1{(h, w) = argmax of window (p, q)}}. Operands: the pooled image X, then G of X's shape.
   */
  record MaxPoolGather(int window, int stride) implements Spatial {
    @Override
    public String toString() {
      return name() + " " + window + (stride == window ? "" : " stride=" + stride);
    }

    @Override
    public String name() {
      return "maxpool_gather";
    }

    @Override
    public int arity() {
      return 2;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      solver.unify(inputs.get(0), inputs.get(1));
      return solver.pooling(inputs.get(0), window, stride);
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return SpatialLoops.maxPoolGather(inputs.get(0), inputs.get(1), window, stride, shape);
    }

    /** Piecewise constant in X, as the routing is; in G its adjoint is the routing itself. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return input == 0 ? null : graph.spatial(new MaxPoolGradient(window, stride), node.input(0), adjoint);
    }
  }

  /** {@code avgpool(X, k, stride=s)}: {@code y_{c,p,q} = (1/k²) Σ_{i,j < k} x_{c, s·p+i, s·q+j}}. */
  record AvgPool(int window, int stride) implements Spatial {
    @Override
    public String toString() {
      return name() + " " + window + (stride == window ? "" : " stride=" + stride);
    }

    @Override
    public String name() {
      return "avgpool";
    }

    @Override
    public int arity() {
      return 1;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return solver.pooling(inputs.get(0), window, stride);
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return SpatialLoops.averagePool(inputs.get(0), window, stride, shape);
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.spatial(new AvgPoolGradient(window, stride), adjoint);
    }
  }

  /**
   * The gradient of average pooling: each δ spread evenly over its window, {@code ∂H/∂x_{c,h,w} =
   * (1/k²) Σ_{p,q : (h,w) in window (p,q)} δ_{c,p,q}}. The windows tile the input, so δ's shape
   * determines the input's: {@code (OH − 1)·s + k}.
   */
  record AvgPoolGradient(int window, int stride) implements Spatial {
    @Override
    public String toString() {
      return name() + " " + window + (stride == window ? "" : " stride=" + stride);
    }

    @Override
    public String name() {
      return "avgpool_gradient";
    }

    @Override
    public int arity() {
      return 1;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      Shape delta = solver.expectRank(inputs.get(0), 3, "the gradient of average pooling");
      return new Shape(List.of(delta.dim(0), spread(delta.dim(1)), spread(delta.dim(2))));
    }

    private Dim spread(Dim pooled) throws ShapeException {
      if (pooled instanceof Dim.Window w && w.kernel().equals(Dim.of(window)) && w.stride() == stride && w.padding() == 0) {
        return w.in();
      }
      if (!pooled.isKnown()) {
        throw new ShapeException("cannot spread a pooled size " + pooled + " back over its windows");
      }
      return Dim.of((pooled.size() - 1) * stride + window);
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return SpatialLoops.averagePoolGradient(inputs.get(0), window, stride, shape);
    }

    /** Spreading by 1/k² is the transpose of averaging. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.spatial(new AvgPool(window, stride), adjoint);
    }
  }

  /** {@code flatten(X)}: the image {@code [C, H, W]} as a vector of {@code C·H·W}, row-major; no data moves. */
  record Flatten() implements Spatial {
    @Override
    public String toString() {
      return name();
    }

    @Override
    public String name() {
      return "flatten";
    }

    @Override
    public int arity() {
      return 1;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return solver.flatten(inputs.get(0));
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return new Tensor(shape, inputs.get(0).data());
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.spatial(new Unflatten(node.input(0).shape()), adjoint);
    }
  }

  /** A vector read as the image {@code to}: the inverse of flatten, which its gradient needs. */
  record Unflatten(Shape to) implements Spatial {
    @Override
    public String toString() {
      return name() + " to " + to;
    }

    @Override
    public String name() {
      return "unflatten";
    }

    @Override
    public int arity() {
      return 1;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      solver.unify(solver.flatten(to), inputs.get(0));
      return to;
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      return new Tensor(shape, inputs.get(0).data());
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return graph.spatial(new Flatten(), adjoint);
    }
  }

  /**
   * {@code dropout(p, x)} = {@code x ⊙ m}, with the mask {@code m} a {@link DropoutMask} node (its
   * second operand). Inverted dropout, as PyTorch's: in training {@code m} holds 0 with probability
   * {@code p} and {@code 1/(1 − p)} otherwise, so that no rescaling is needed in prediction, where
   * {@code m} is all ones and dropout the identity. {@code ∂H/∂x = δ ⊙ m}, the same mask.
   */
  record Dropout(double p) implements Spatial {
    @Override
    public String toString() {
      return name() + " p=" + Numbers.format(p);
    }

    @Override
    public String name() {
      return "dropout";
    }

    @Override
    public int arity() {
      return 2;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) throws ShapeException {
      return solver.unify(inputs.get(0), inputs.get(1));
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      Tensor x = inputs.get(0);
      Tensor mask = inputs.get(1);
      double[] out = new double[x.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = x.get(i) * mask.get(i);
      }
      return new Tensor(shape, out);
    }

    /** The mask is not differentiated: it is drawn, not computed. */
    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return input == 0 ? graph.mul(adjoint, node.input(1)) : null;
    }
  }

  /**
   * The mask of the {@code index}-th dropout of a spec (in text order), shaped as its operand, which
   * is its only input (for the shape; the value does not depend on it). Its value is bound by who
   * evaluates: {@link #evaluate} gives prediction's all-ones mask; {@link #sample} a training mask.
   */
  record DropoutMask(double p, int index) implements Spatial {
    @Override
    public String toString() {
      return "dropout mask " + name();
    }

    @Override
    public String name() {
      return "m" + (index + 1);
    }

    @Override
    public int arity() {
      return 1;
    }

    @Override
    public Shape shape(List<Shape> inputs, ShapeSolver solver) {
      return solver.resolve(inputs.get(0));
    }

    @Override
    public Tensor evaluate(List<Tensor> inputs, Shape shape) {
      double[] ones = new double[Math.toIntExact(shape.size())];
      java.util.Arrays.fill(ones, 1);
      return new Tensor(shape, ones);
    }

    /**
     * A training mask, reproducible from {@code seed}: each element is 0 with probability {@code p}
     * and {@code 1/(1 − p)} otherwise, drawn from a generator seeded by {@code seed} and this
     * dropout's index.
     */
    public Tensor sample(long seed, Shape shape) {
      java.util.SplittableRandom random = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
      double[] mask = new double[Math.toIntExact(shape.size())];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = random.nextDouble() < p ? 0 : 1 / (1 - p);
      }
      return new Tensor(shape, mask);
    }

    @Override
    public Node vjp(Graph graph, Node node, int input, Node adjoint) {
      return null;
    }
  }
}
