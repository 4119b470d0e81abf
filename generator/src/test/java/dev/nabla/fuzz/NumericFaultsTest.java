package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.palantir.javapoet.JavaFile;
import dev.nabla.codegen.CodegenOptions;
import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.codegen.InMemoryCompiler;
import dev.nabla.codegen.JavaWriter;
import dev.nabla.interpret.Interpreter;
import dev.nabla.interpret.PointEvaluation;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Logits of ±1e4, ±1e3 and ±50 through softmax, logsoftmax, cross_entropy, sigmoid and bce (with
 * and without the stability rewrites): the interpreter and the generated double and float classes
 * give finite losses and gradients equal to closed forms computed stably in double precision.
 *
 * <p>The logits are {@code z = W X + b} with {@code W = s·I}, {@code b = 0} and inputs in
 * {@code {−1, −0.5, 0, 0.5, 1}}, so every value is exact in float and the closed form is exact too:
 * {@code ∂C/∂b = mean_b ∂H/∂z}, {@code ∂C/∂W = mean_b ∂H/∂z xᵀ}.
 */
class NumericFaultsTest {
  private static final int K = 3;
  private static final float[] X = {1, -1, 0, -1, 0.5f, 1};
  private static final int[] LABELS = {1, 0};
  private static final float[] TARGETS = {1, 0, 0.25f, 0, 0.75f, 1};

  /** A head on the logits: the spec's last two lines, and H and ∂H/∂z in closed form. */
  private record Head(String name, boolean classes, String lines, Reference reference) {}

  private interface Reference {
    /** Returns H; writes ∂H/∂z to {@code dz}. */
    double apply(double[] z, double[] t, double[] dz);
  }

  private static double logSumExp(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : z) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  private static double[] softmax(double[] z) {
    double lse = logSumExp(z);
    double[] p = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.exp(z[i] - lse);
    }
    return p;
  }

  private static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  private static double softplus(double z) {
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  }

  private static final Reference CROSS_ENTROPY = (z, t, dz) -> {
    double[] p = softmax(z);
    double picked = 0;
    for (int i = 0; i < K; i++) {
      dz[i] = p[i] - t[i];
      picked += t[i] * z[i];
    }
    return logSumExp(z) - picked;
  };

  private static final List<Head> HEADS = List.of(
      new Head("CrossEntropy", true, "out = W X + b\nloss = cross_entropy(out, y)", CROSS_ENTROPY),
      new Head("NllLogSoftmax", true, "out = logsoftmax(W X + b)\nloss = nll(out, y)", CROSS_ENTROPY),
      new Head("LogOfSoftmax", true, "out = softmax(W X + b)\nloss = -sum(onehot(y) * log(out))", CROSS_ENTROPY),
      new Head("BceOfSigmoid", false, "out = sigmoid(W X + b)\nloss = bce(out, t)", (z, t, dz) -> {
        double loss = 0;
        for (int i = 0; i < K; i++) {
          loss += (softplus(z[i]) - t[i] * z[i]) / K;
          dz[i] = (sigmoid(z[i]) - t[i]) / K;
        }
        return loss;
      }),
      new Head("BceClamped", false, "out = 0.1 + 0.8 * sigmoid(W X + b)\nloss = bce(out, t)", (z, t, dz) -> {
        double loss = 0;
        for (int i = 0; i < K; i++) {
          double p = 0.1 + 0.8 * sigmoid(z[i]);
          loss -= (t[i] * Math.log(p) + (1 - t[i]) * Math.log1p(-p)) / K;
          dz[i] = (p - t[i]) / (p * (1 - p)) / K * 0.8 * sigmoid(z[i]) * sigmoid(-z[i]);
        }
        return loss;
      }),
      new Head("MseOfSigmoid", false, "out = sigmoid(W X + b)\nloss = mse(out, t)", (z, t, dz) -> {
        double loss = 0;
        for (int i = 0; i < K; i++) {
          double d = sigmoid(z[i]) - t[i];
          loss += d * d / K;
          dz[i] = 2 * d / K * sigmoid(z[i]) * sigmoid(-z[i]);
        }
        return loss;
      }),
      new Head("MseOfSoftmax", false, "out = softmax(W X + b)\nloss = mse(out, t)", (z, t, dz) -> {
        double[] p = softmax(z);
        double loss = 0;
        double dot = 0;
        double[] g = new double[K];
        for (int i = 0; i < K; i++) {
          loss += (p[i] - t[i]) * (p[i] - t[i]) / K;
          g[i] = 2 * (p[i] - t[i]) / K;
          dot += g[i] * p[i];
        }
        for (int i = 0; i < K; i++) {
          dz[i] = p[i] * (g[i] - dot);
        }
        return loss;
      }),
      new Head("MseOfLogSoftmax", false, "out = logsoftmax(W X + b)\nloss = mse(out, t)", (z, t, dz) -> {
        double[] p = softmax(z);
        double lse = logSumExp(z);
        double loss = 0;
        double sum = 0;
        double[] g = new double[K];
        for (int i = 0; i < K; i++) {
          double d = z[i] - lse - t[i];
          loss += d * d / K;
          g[i] = 2 * d / K;
          sum += g[i];
        }
        for (int i = 0; i < K; i++) {
          dz[i] = g[i] - p[i] * sum;
        }
        return loss;
      }));

  private static String spec(Head head, int scaleIndex) {
    return "model " + head.name() + scaleIndex + "\ninput X[" + K + "]\n"
        + (head.classes() ? "label y : " + K : "target t[" + K + "]") + "\nparam W[" + K + ", " + K + "]\nparam b[" + K + "]\n"
        + head.lines() + "\n";
  }

  @Test
  void hugeLogitsGiveFiniteExactLossesAndGradients() {
    double[] scales = {1e4, 1e3, 50};
    List<Network> networks = new ArrayList<>();
    List<JavaFile> files = new ArrayList<>();
    Map<Network, Head> heads = new LinkedHashMap<>();
    Map<Network, Double> scaleOf = new IdentityHashMap<>();
    for (int s = 0; s < scales.length; s++) {
      for (Head head : HEADS) {
        Network network = Differential.network(new Differential.Case(head.name() + ".nabla", spec(head, s)));
        Gradients gradients = Differentiator.parameters(network);
        files.add(JavaWriter.write(network, gradients, new CodegenOptions("dev.nabla.faults.d", Precision.DOUBLE, false)));
        files.add(JavaWriter.write(network, gradients, new CodegenOptions("dev.nabla.faults.f", Precision.FLOAT, false)));
        networks.add(network);
        heads.put(network, head);
        scaleOf.put(network, scales[s]);
      }
    }
    ClassLoader loader = InMemoryCompiler.compile(files);
    List<String> problems = new ArrayList<>();
    for (Network network : networks) {
      Head head = heads.get(network);
      double scale = scaleOf.get(network);
      int n = LABELS.length;
      // the reference
      double[] weights = new double[K * K];
      for (int i = 0; i < K; i++) {
        weights[i * K + i] = scale;
      }
      double loss = 0;
      double[] dW = new double[K * K];
      double[] db = new double[K];
      for (int sample = 0; sample < n; sample++) {
        double[] z = new double[K];
        double[] t = new double[K];
        for (int i = 0; i < K; i++) {
          z[i] = scale * X[sample * K + i];
          t[i] = head.classes() ? (i == LABELS[sample] ? 1 : 0) : TARGETS[sample * K + i];
        }
        double[] dz = new double[K];
        loss += head.reference().apply(z, t, dz) / n;
        for (int i = 0; i < K; i++) {
          db[i] += dz[i] / n;
          for (int j = 0; j < K; j++) {
            dW[i * K + j] += dz[i] * X[sample * K + j] / n;
          }
        }
      }
      String what = head.name() + " at ±" + scale;
      // the interpreter
      Map<Node, Tensor> parameters = new IdentityHashMap<>();
      parameters.put(network.leaf("W").orElseThrow(), new Tensor(Shape.of(K, K), weights));
      parameters.put(network.leaf("b").orElseThrow(), new Tensor(Shape.of(K), new double[K]));
      List<PointEvaluation.Sample> samples = new ArrayList<>();
      for (int sample = 0; sample < n; sample++) {
        Map<Node, Tensor> leaves = new HashMap<>();
        double[] x = new double[K];
        double[] t = new double[K];
        for (int i = 0; i < K; i++) {
          x[i] = X[sample * K + i];
          t[i] = TARGETS[sample * K + i];
        }
        leaves.put(network.inputs().get(0), new Tensor(Shape.of(K), x));
        final int index = sample;
        network.label().ifPresent(label -> leaves.put(label, Interpreter.oneHot(LABELS[index], K)));
        network.target().ifPresent(target -> leaves.put(target, new Tensor(Shape.of(K), t)));
        samples.add(new PointEvaluation.Sample(leaves));
      }
      PointEvaluation.Result interpreted = PointEvaluation.evaluate(Differentiator.parameters(network), parameters, samples);
      compare(problems, what + ", interpreter", 1e-12, loss, interpreted.loss(),
          db, interpreted.gradients().get(network.leaf("b").orElseThrow()).data(),
          dW, interpreted.gradients().get(network.leaf("W").orElseThrow()).data());
      // the generated classes
      for (Precision precision : Precision.values()) {
        String pkg = precision == Precision.DOUBLE ? "dev.nabla.faults.d." : "dev.nabla.faults.f.";
        Trainable model = InMemoryCompiler.instantiate(loader, pkg + network.name(), n, Trainable.class);
        model.setParameter("W", weights);
        model.setParameter("b", new double[K]);
        double generated = head.classes() ? model.computeGradients(X, LABELS, n) : model.computeGradients(X, TARGETS, n);
        compare(problems, what + ", generated " + precision.name().toLowerCase(Locale.ROOT),
            precision == Precision.DOUBLE ? 1e-12 : 1e-5, loss, generated, db, model.gradient("b"), dW, model.gradient("W"));
      }
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " disagreement(s) with the closed forms:\n" + String.join("\n", problems));
    }
  }

  /** Everything finite and within {@code tolerance · max(1, |reference|)}. */
  private static void compare(List<String> problems, String what, double tolerance, double loss, double actualLoss,
      double[] db, double[] actualDb, double[] dW, double[] actualDw) {
    check(problems, what + " loss", tolerance, new double[] {loss}, new double[] {actualLoss});
    check(problems, what + " ∂C/∂b", tolerance, db, actualDb);
    check(problems, what + " ∂C/∂W", tolerance, dW, actualDw);
  }

  private static void check(List<String> problems, String what, double tolerance, double[] expected, double[] actual) {
    for (int i = 0; i < expected.length; i++) {
      boolean ok = Double.isFinite(actual[i])
          && Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i]));
      if (!ok) {
        problems.add(String.format(Locale.ROOT, "%s[%d] = %s, closed form %s", what, i, actual[i], expected[i]));
        return;
      }
    }
  }

  @Test
  void theClosedFormsAreFiniteThemselves() {
    double[] dz = new double[K];
    for (Head head : HEADS) {
      double loss = head.reference().apply(new double[] {1e4, -1e4, 0}, new double[] {0, 1, 0}, dz);
      assertTrue(Double.isFinite(loss) && java.util.Arrays.stream(dz).allMatch(Double::isFinite), head.name());
    }
  }
}
