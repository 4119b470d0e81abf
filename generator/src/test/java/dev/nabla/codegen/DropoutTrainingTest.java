package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.codegen.CodegenOptions.Precision;
import dev.nabla.runtime.Trainable;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A generated convolutional class with dropout in its two modes: training draws the masks of the run's seed and the
 * step, the same in the forward and backward passes, whatever the thread count, and {@code trainStep} moves on to the
 * next step's; prediction is the identity. The gradient agreement with the interpreter (prediction's masks of ones)
 * is in {@link GradientAgreementTest}; here the training masks are checked against finite differences of the class's
 * own loss under the same masks.
 */
class DropoutTrainingTest {
  private static final String SPEC = """
      model DropCnn
      input  photo[2, 6, 6]
      label  kind : 3
      param  K[4, 2, 3, 3]
      param  c[4]
      param  W[3, 36]
      param  b[3]
      A = relu(conv2d(K, photo, padding=1) + c)
      P = maxpool(A, 2)
      H = dropout(0.5, flatten(P))
      scores = W H + b
      loss = cross_entropy(scores, kind)
      """;
  private static final int BATCH = 64;
  private static ClassLoader doubles;
  private static ClassLoader floats;

  @BeforeAll
  static void compile() {
    doubles = InMemoryCompiler.compile(List.of(Networks.java(Networks.parse("DropCnn.nabla", SPEC), Precision.DOUBLE)));
    floats = InMemoryCompiler.compile(List.of(Networks.java(Networks.parse("DropCnn.nabla", SPEC), Precision.FLOAT)));
  }

  private static Trainable model(ClassLoader loader, int threads) {
    try {
      Trainable model = (Trainable) loader.loadClass(Networks.PACKAGE + ".DropCnn").getConstructor(int.class, int.class)
          .newInstance(BATCH, threads);
      model.initialize(3);
      return model;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static final float[] X = new float[BATCH * 72];
  private static final int[] LABELS = new int[BATCH];

  static {
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < X.length; i++) {
      X[i] = (float) random.nextDouble();
    }
    for (int b = 0; b < BATCH; b++) {
      LABELS[b] = random.nextInt(3);
    }
  }

  @Test
  void trainingDrawsTheMasksOfItsSeedAndStepAndPredictionIsTheIdentity() {
    Trainable model = model(doubles, 1);
    double predicting = model.loss(X, LABELS, BATCH);
    float[] plain = new float[BATCH * 3];
    model.predict(X, BATCH, plain);

    model.training(7, 0);
    double first = model.loss(X, LABELS, BATCH);
    double again = model.loss(X, LABELS, BATCH);
    model.training(7, 1);
    double nextStep = model.loss(X, LABELS, BATCH);
    model.training(8, 0);
    double otherSeed = model.loss(X, LABELS, BATCH);
    float[] whileTraining = new float[BATCH * 3];
    model.predict(X, BATCH, whileTraining);

    assertEquals(first, again, "the same seed and step draw the same masks");
    assertNotEquals(predicting, first, "training drops values");
    assertNotEquals(first, nextStep, "each step has masks of its own");
    assertNotEquals(first, otherSeed, "each seed has masks of its own");
    assertArrayEquals(plain, whileTraining, "predict is the identity even while the model trains");
    model.predicting();
    assertEquals(predicting, model.loss(X, LABELS, BATCH), "back in prediction mode dropout is the identity again");
  }

  @Test
  void trainStepMovesOnToTheNextStepsMasks() {
    Trainable model = model(floats, 1);
    model.training(7, 41);
    model.trainStep(X, LABELS, BATCH, 0.01f);
    assertEquals(42, model.trainingStep());
    model.computeGradients(X, LABELS, BATCH);
    assertEquals(42, model.trainingStep(), "computing gradients alone is no step: the optimizer's step is the trainer's");
  }

  /** The backward pass multiplies by the very masks of the forward pass: the gradient is that of the loss they give. */
  @Test
  void trainingGradientsAreTheDerivativesOfTheLossUnderTheSameMasks() {
    Trainable model = model(doubles, 1);
    model.training(11, 5);
    model.computeGradients(X, LABELS, BATCH);
    double step = 1e-6;
    for (String name : List.of("K", "c", "W", "b")) {
      double[] gradient = model.gradient(name);
      double[] values = model.parameter(name);
      double largest = 0;
      for (double g : gradient) {
        largest = Math.max(largest, Math.abs(g));
      }
      assertTrue(largest > 0, name + "'s gradient is not all zero");
      for (int i = 0; i < values.length; i += Math.max(1, values.length / 7)) {
        double[] shifted = values.clone();
        shifted[i] = values[i] + step;
        model.setParameter(name, shifted);
        double up = model.loss(X, LABELS, BATCH);
        shifted[i] = values[i] - step;
        model.setParameter(name, shifted);
        double down = model.loss(X, LABELS, BATCH);
        model.setParameter(name, values);
        double difference = (up - down) / (2 * step);
        assertEquals(difference, gradient[i], 1e-6 * Math.max(largest, 1e-3), "∂C/∂" + name + "[" + i + "]");
      }
    }
  }

  /** Masks depend on the sample's place in the batch, not on the lane that draws them. */
  @Test
  void theMasksDoNotDependOnTheThreadCount() {
    Trainable one = model(floats, 1);
    Trainable two = model(floats, 2);
    one.training(5, 3);
    two.training(5, 3);
    assertEquals(one.loss(X, LABELS, BATCH), two.loss(X, LABELS, BATCH));
  }
}
