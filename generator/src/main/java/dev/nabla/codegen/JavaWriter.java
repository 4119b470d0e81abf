package dev.nabla.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeSpec;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.grammar.ast.Statement;
import dev.nabla.symbolic.Binary;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Numbers;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Spatial;
import dev.nabla.symbolic.Structural;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes the Java class that trains a network: the only class that knows JavaPoet.
 *
 * <p>The class holds one flat row-major array per parameter, per gradient and per stored value;
 * values of one sample are batch-major (sample {@code b}'s vector of {@code m} at {@code [b m, (b+1) m)}).
 * Each value of the gradient graph is emitted once, forward and backward alike, as loops with constant
 * bounds whose innermost loop runs over contiguous memory; nothing is allocated per step.
 */
public final class JavaWriter extends PassWriter {
  private JavaWriter(Network network, Gradients gradients, CodegenOptions options) {
    super(network, gradients, options);
  }

  private static final int DEFAULT_MAX_BATCH = 64;

  /** The class that trains {@code network}, with the gradients derived for its parameters. */
  public static JavaFile write(Network network, Gradients gradients, CodegenOptions options) {
    return new JavaWriter(network, gradients, options).writeModel();
  }

  /** The class and, if {@code options.withTests()}, its gradient-check test. */
  public static List<JavaFile> writeAll(Network network, Gradients gradients, CodegenOptions options) {
    JavaWriter writer = new JavaWriter(network, gradients, options);
    List<JavaFile> files = new ArrayList<>();
    files.add(writer.writeModel());
    if (options.withTests()) {
      files.add(GradientTestWriter.write(writer.className, options, network));
    }
    return files;
  }

  /** SHA-256 of the spec's canonical text, in hex: what checkpoints are matched against. */
  public static String specHash(Network network) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(network.canonicalText().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  JavaFile writeModel() {
    boolean isFloat = options.precision() == Precision.FLOAT;
    ClassName self = ClassName.get(options.packageName(), className);
    // The passes first: the fields a class declares depend on what its passes read.
    PassMethods predict = predict();
    PassMethods output = outputAfterForward();
    PassMethods backward = pass(Pass.BACKWARD, plan.backwardNodes());
    PassMethods forward = pass(Pass.FORWARD, plan.forwardNodes());
    List<PassMethods> passes = List.of(forward, backward, predict, output);
    TypeSpec.Builder type = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .superclass(isFloat ? FLOAT_NETWORK : DOUBLE_NETWORK)
        .addJavadoc(classJavadoc());
    type.addField(FieldSpec.builder(String.class, "SPEC_HASH", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("SHA-256 of the spec's canonical text.\n")
        .initializer("$S", specHash(network)).build());
    type.addField(FieldSpec.builder(int.class, "DEFAULT_MAX_BATCH", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", DEFAULT_MAX_BATCH).build());
    type.addField(FieldSpec.builder(MODEL_INFO, "INFO", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(modelInfo()).build());
    for (Layer layer : layers.values()) {
      type.addField(FieldSpec.builder(layer.type(), layer.name(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .addJavadoc("$L\n", layer.description()).initializer("new $T($L)", layer.type(), layer.arguments()).build());
    }
    for (int p = 0; p < network.parameters().size(); p++) {
      Node parameter = network.parameters().get(p);
      type.addField(FieldSpec.builder(arrayType(), arrays.get(parameter), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("$L\n", Identifiers.javadoc(Network.leafName(parameter) + "[" + dimensions(parameter).replace(" * ", ", ")
              + "]" + position(parameter), false))
          .initializer("parameter($L)", p).build());
    }
    for (int p = 0; p < network.parameters().size(); p++) {
      Node parameter = network.parameters().get(p);
      type.addField(FieldSpec.builder(arrayType(), gradientArrays.get(parameter), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("$L\n", Identifiers.javadoc("∂C/∂" + Network.leafName(parameter) + ", this lane's", false))
          .initializer("gradient($L)", p).build());
    }
    if (!isFloat && passes.stream().anyMatch(PassMethods::readsInputs)) {
      type.addField(FieldSpec.builder(arrayType(), inputs, Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("The batch's inputs in double\n").initializer("inputs()").build());
    }
    List<Node> perSample = new ArrayList<>();
    if (oneHot) {
      perSample.add(label);
    }
    for (Node node : plan.arrays()) {
      if (plan.perSample(node)) {
        perSample.add(node);
      } else {
        type.addField(FieldSpec.builder(arrayType(), arrays.get(node), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("$L\n", Identifiers.javadoc(describe(node), false))
            .initializer("new $T[$L]", scalarType(), size(node)).build());
      }
    }
    for (Node node : perSample) {
      FieldSpec.Builder field = FieldSpec.builder(arrayType(), arrays.get(node), Modifier.PRIVATE, Modifier.FINAL);
      field.addJavadoc("$L\n", Identifiers.javadoc(node == label
          ? "onehot(" + Network.leafName(label) + "): the labels as one-hot rows, " + size(label) + " per sample"
          : node.op() instanceof Spatial.DropoutMask mask ? maskJavadoc(node, mask)
          : describe(node) + "; " + size(node) + " per sample", false));
      type.addField(field.initializer("perSample($L)", size(node)).build());
    }
    argmaxArrays.forEach((pooling, name) -> type.addField(FieldSpec.builder(int[].class, name, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L\n", Identifiers.javadoc("where the maximum of each window of " + arrays.get(pooling)
            + " is, for the backward pass; " + size(pooling) + " per sample", false))
        .initializer("perSampleIndices($L)", size(pooling)).build()));
    type.addMethods(constructors(self));
    type.addMethod(initialize());

    passes.forEach(pass -> type.addMethod(pass.method()));
    passes.forEach(pass -> type.addMethods(pass.parts()));
    type.addMethod(meanLoss());
    if (readsInputRows(forward, backward)) {
      type.addMethod(MethodSpec.methodBuilder("readsInputRows").addAnnotation(Override.class)
          .addModifiers(Modifier.PROTECTED).returns(boolean.class)
          .addJavadoc("The inputs enter the training passes only through products that take {@code xRows}: a shuffled batch"
              + " of a data set is read where it lies, sample {@code b}'s inputs at {@code x[xRows[b] * $L ..]}.\n",
              inputSize)
          .addStatement("return true").build());
    }
    for (Node parameter : network.parameters()) {
      if (!plan.perSample(plan.gradients().of(parameter))) {
        type.addMethod(notSummed());
        break;
      }
    }
    // A field hides a type of the same simple name (a parameter called Math or List): JavaPoet then writes the type qualified.
    type.alwaysQualify(type.build().fieldSpecs().stream().map(FieldSpec::name).toArray(String[]::new));
    return JavaFile.builder(options.packageName(), type.build())
        .addFileComment("Generated by nabla from $L. Do not edit: change the spec and generate again.",
            Identifiers.comment(network.source().name()))
        // java.lang's types imported by name: a class of the same package named Math or Float (another model) would
        // otherwise take their simple names, which a single-type import takes back.
        .indent("  ")
        .build();
  }

  /**
   * Whether the training passes read the inputs only through the rows of a shuffled batch (the products
   * {@code W x} and {@code δ xᵀ}), never in the batch's order: then the runtime hands them the batch where it lies.
   */
  private static boolean readsInputRows(PassMethods forward, PassMethods backward) {
    return (forward.readsInputRows() || backward.readsInputRows()) && !forward.readsInputsInOrder()
        && !backward.readsInputsInOrder();
  }

  /** What a dropout's mask holds, for its field. */
  String maskJavadoc(Node node, Spatial.DropoutMask mask) {
    String p = Numbers.format(mask.p());
    return arrays.get(node) + ": the mask of dropout(" + p + ", …)" + position(node) + ", drawn in training: 0 (probability " + p
        + ") or 1/(1 − " + p + ") per value; all ones in prediction. " + size(node) + " per sample";
  }

  /** The loss of the batch: the mean of the per-sample loss, or the loss itself when it is a value of the whole batch. */
  MethodSpec meanLoss() {
    Node loss = network.loss();
    String n = names.clone().newName("n");
    MethodSpec.Builder method = MethodSpec.methodBuilder("meanLoss").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED).returns(double.class).addParameter(int.class, n);
    if (!arrays.containsKey(loss)) {
      // A loss of constants alone (`loss = 3`): its value, folded; its gradients are all zero.
      return method.addStatement("return $L", Double.toString(Elements.folded(loss, 0))).build();
    }
    return (plan.perSample(loss) ? method.addStatement("return mean($N, $N)", arrays.get(loss), n)
        : method.addStatement("return $N[0]", arrays.get(loss))).build();
  }

  /** Which gradients the lanes add up: not those computed from the parameters alone, which every lane has whole. */
  MethodSpec notSummed() {
    String parameter = names.clone().newName("parameter");
    MethodSpec.Builder method = MethodSpec.methodBuilder("summedOverSamples").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED).returns(boolean.class).addParameter(int.class, parameter);
    List<String> summed = new ArrayList<>();
    for (int p = 0; p < network.parameters().size(); p++) {
      if (plan.perSample(plan.gradients().of(network.parameters().get(p)))) {
        summed.add(parameter + " == " + p);
      }
    }
    return method.addStatement("return $L", summed.isEmpty() ? "false" : String.join(" || ", summed)).build();
  }

  CodeBlock classJavadoc() {
    CodeBlock.Builder doc = CodeBlock.builder();
    doc.add("The network $L, trained by the gradients nabla derived from its spec.\n\n", className);
    doc.add("<pre>\n$L\n</pre>\n\n", Identifiers.javadoc(network.source().text().strip(), true));
    doc.add("<p>In one line: {@code H = $L}", Identifiers.javadoc(oneLine(network.loss()), false));
    if (network.output() != firstOperand(network.loss())) {
      doc.add(", predicting {@code $L}", Identifiers.javadoc(oneLine(network.output()), false));
    }
    doc.add(".\n\n");
    int activations = activationsPerSample();
    long bytes = options.precision() == Precision.FLOAT ? 4 : 8;
    doc.add("<p>Arithmetic in {@code $L}. $L parameters; $L values kept per sample, so a batch of {@code maxBatch} samples\n"
        + "takes $L × ($L + $L × maxBatch) bytes of arrays. Batches are row-major: sample {@code b}'s input is\n"
        + "{@code x[b * $L .. (b + 1) * $L)}. Not thread-safe: the model owns the buffers of its passes. $L\n\n",
        ex.type(), parameterCount(), activations, bytes, 2 * parameterCount(), activations, inputSize, inputSize,
        minLaneBatch() == Integer.MAX_VALUE ? "Its loss is not per sample, so a batch is never split over threads."
            : "The runtime splits a batch of\nat least " + minLaneBatch() + " samples per thread over the model's threads and runs the products on its fastest kernels.");
    doc.add("<p>Generated by nabla; do not edit.\n");
    return doc.build();
  }

  CodeBlock modelInfo() {
    CodeBlock.Builder parameters = CodeBlock.builder();
    for (int p = 0; p < network.parameters().size(); p++) {
      Node parameter = network.parameters().get(p);
      Shape shape = parameter.shape();
      String dims = String.join(", ", shape.dims().stream().map(dim -> Long.toString(dim.size())).toList());
      parameters.add(p > 0 ? ",\n" : "").add("new $T.Parameter($S, new int[] {$L})", MODEL_INFO, Network.leafName(parameter), dims);
    }
    String labels = label != null ? "CLASSES" : "TARGETS";
    int labelSize = label != null ? size(label) : target != null ? size(target) : 0;
    return CodeBlock.builder()
        .add("new $T(\n$>$>$S,\n$N,\n$T.Precision.$L,\n$L,\n$L,\n$T.Labels.$L,\n$L,\n$T.of(\n$>$L$<),\n$L)$<$<",
            MODEL_INFO, network.name(), "SPEC_HASH", MODEL_INFO, options.precision().name(), inputSize, size(network.output()),
            MODEL_INFO, labels, labelSize, LIST, parameters.build(), activationsPerSample())
        .build();
  }

  /**
   * The constructors keep their parameters' names ({@code maxBatch}, {@code threads}: what a user reads), which may hide a
   * field of the same name: they read no field but the class's constants, named before any of the spec's.
   */
  List<MethodSpec> constructors(ClassName self) {
    int minLaneBatch = minLaneBatch();
    List<MethodSpec> methods = new ArrayList<>();
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model for batches of up to {@link #DEFAULT_MAX_BATCH} samples.\n")
        .addStatement("this(DEFAULT_MAX_BATCH)").build());
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model whose buffers hold batches of up to {@code maxBatch} samples, with the default number of threads:\n"
            + "the system property {@code nabla.threads}, else {@code min(2, availableProcessors())}.\n")
        .addParameter(int.class, "maxBatch")
        .addStatement("this(maxBatch, defaultThreads())").build());
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc(minLaneBatch == Integer.MAX_VALUE
            ? CodeBlock.of("A model whose buffers hold batches of up to {@code maxBatch} samples; its loss is not per sample, so\n"
                + "it runs on the calling thread alone whatever {@code threads} says.\n")
            : CodeBlock.of("A model whose buffers hold batches of up to {@code maxBatch} samples, run on up to {@code threads} threads\n"
                + "(1: the calling thread only). A batch of at least $L samples per thread is split into that many lanes of\n"
                + "contiguous samples; their gradients are summed in lane order, so results are reproducible for a thread count.\n",
            minLaneBatch))
        .addParameter(int.class, "maxBatch").addParameter(int.class, "threads")
        .addStatement("super(INFO, maxBatch, threads, $L)", minLaneBatch == Integer.MAX_VALUE
            ? CodeBlock.of("$T.MAX_VALUE", Integer.class) : minLaneBatch)
        .build());
    methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE)
        .addJavadoc("A lane of {@code owner}: its parameters and per-sample values, gradients and scratch of its own.\n")
        .addParameter(self, "owner").addStatement("super(owner)").build());
    methods.add(MethodSpec.methodBuilder("newLane").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
        .returns(self).addStatement("return new $T(this)", self).build());
    return methods;
  }

  MethodSpec initialize() {
    NameAllocator locals = names.clone();
    String seed = locals.newName("seed");
    String randomName = locals.newName("random");
    String i = locals.newName("i");
    MethodSpec.Builder method = MethodSpec.methodBuilder("initialize").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(long.class, seed);
    boolean random = false;
    CodeBlock.Builder body = CodeBlock.builder();
    for (Node parameter : network.parameters()) {
      String array = arrays.get(parameter);
      Statement.Init init = network.initializers().get(parameter);
      String kind = init == null ? "linear" : init.kind();
      List<Double> args = init == null ? List.of() : init.arguments();
      int fanIn = fanIn(parameter);
      int fanOut = parameter.shape().isMatrix() ? rows(parameter)
          : parameter.shape().isKernel() ? size(parameter) / (int) parameter.shape().dim(1).size() : size(parameter);
      switch (kind) {
        case "zeros", "ones", "constant" -> {
          double value = kind.equals("zeros") ? 0 : kind.equals("ones") ? 1 : argument(args, 0, kind);
          body.add("// $L: $L\n", Identifiers.comment(Network.leafName(parameter)), kind + (kind.equals("constant") ? "(" + Numbers.format(value) + ")" : ""));
          body.addStatement("$T.fill($N, $L)", ARRAYS, array, constant(value, parameter).code());
        }
        case "normal" -> {
          random = true;
          double mean = argument(args, 0, kind);
          double deviation = argument(args, 1, kind);
          body.add("// $L: normal($L, $L)\n", Identifiers.comment(Network.leafName(parameter)), Numbers.format(mean), Numbers.format(deviation));
          body.beginControlFlow("for (int $N = 0; $N < $N.length; $N++)", i, i, array, i);
          body.addStatement("$N[$N] = $L($L + $L * $N.nextGaussian())", array, i, ex.isFloat() ? "(float) " : "", mean, deviation,
              randomName);
          body.endControlFlow();
        }
        case "uniform" -> {
          random = true;
          double low = argument(args, 0, kind);
          double high = argument(args, 1, kind);
          body.add("// $L: uniform($L, $L)\n", Identifiers.comment(Network.leafName(parameter)), Numbers.format(low), Numbers.format(high));
          body.beginControlFlow("for (int $N = 0; $N < $N.length; $N++)", i, i, array, i);
          body.addStatement("$N[$N] = $L($L + $L * $N.nextDouble())", array, i, ex.isFloat() ? "(float) " : "", low, high - low,
              randomName);
          body.endControlFlow();
        }
        case "xavier" -> {
          random = true;
          body.add("// $L: xavier (Glorot) uniform, ±√(6 / (fan_in + fan_out))\n", Identifiers.comment(Network.leafName(parameter)));
          body.addStatement("$T.uniform($N, $T.sqrt(6.0 / ($L + $L)), $N)", INITIALIZERS, array, Expressions.MATH, fanIn, fanOut,
              randomName);
        }
        case "kaiming" -> {
          random = true;
          body.add("// $L: kaiming (He) uniform for relu, ±√(6 / fan_in)\n", Identifiers.comment(Network.leafName(parameter)));
          body.addStatement("$T.uniform($N, $T.sqrt(6.0 / $L), $N)", INITIALIZERS, array, Expressions.MATH, fanIn, randomName);
        }
        case "linear" -> {
          random = true;
          body.add("// $L: PyTorch's nn.Linear default, U(−1/√fan_in, 1/√fan_in)\n", Identifiers.comment(Network.leafName(parameter)));
          body.addStatement("$T.uniform($N, $T.linearBound($L), $N)", INITIALIZERS, array, INITIALIZERS, fanIn, randomName);
        }
        default -> throw new UnsupportedSpecException("unknown initialization '" + Identifiers.comment(kind) + "' for "
            + Identifiers.comment(Network.leafName(parameter)) + ": use zeros, ones, constant, normal, uniform, linear, xavier or kaiming");
      }
    }
    method.addJavadoc("Draws the parameters in declaration order from a {@link $T} seeded with {@code seed}.\n", SPLITTABLE_RANDOM);
    if (random) {
      method.addStatement("$T $N = new $T($N)", SPLITTABLE_RANDOM, randomName, SPLITTABLE_RANDOM, seed);
    } else {
      method.addStatement("// every parameter is a constant: the seed does not matter");
    }
    return method.addCode(body.build()).build();
  }

  static double argument(List<Double> args, int index, String kind) {
    if (index >= args.size()) {
      throw new UnsupportedSpecException("init " + kind + " needs " + (index + 1) + " argument" + (index == 0 ? "" : "s"));
    }
    return args.get(index);
  }

  /**
   * Columns of a weight matrix, {@code C·KH·KW} of a convolution's kernel (as PyTorch's {@code nn.Conv2d}); for a
   * bias, the fan-in of the weight whose product it is added to.
   */
  int fanIn(Node parameter) {
    if (parameter.shape().isMatrix()) {
      return columns(parameter);
    }
    if (parameter.shape().isKernel()) {
      return size(parameter) / (int) parameter.shape().dim(0).size();
    }
    for (Node node : network.graph().nodes()) {
      if (node.is(Binary.ADD) && node.inputs().contains(parameter)) {
        for (Node operand : node.inputs()) {
          if (operand.op() instanceof Spatial.Conv2d && operand.input(0).op() instanceof Op.Leaf leaf
              && leaf.kind() == Op.Leaf.Kind.PARAM) {
            return fanIn(operand.input(0));
          }
          if (operand.is(Structural.MATMUL) && operand.input(0).op() instanceof Op.Leaf leaf
              && leaf.kind() == Op.Leaf.Kind.PARAM && operand.input(0).shape().isMatrix()) {
            return columns(operand.input(0));
          }
        }
      }
    }
    return size(parameter);
  }
}
