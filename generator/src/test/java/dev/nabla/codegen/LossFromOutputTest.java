package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.nabla.runtime.Trainable;
import dev.nabla.symbolic.Network;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A classifier whose output is the log-softmax of the scores its cross-entropy takes (the lesson's {@code out =
 * logsoftmax(z)}, {@code loss = nll(out, y)}) has its forward pass compute the output and read the loss off it,
 * {@code −out[label]}, so that an evaluation takes the scores' log-sum-exp once. The same network with the loss
 * written before the output keeps the cross-entropy of the scores; both give the same bits.
 */
class LossFromOutputTest {
  private static final String LAYERS = """
      input  image[12]
      label  garment : 5
      param  W_in[7, 12]
      param  b_in[7]
      param  W_out[5, 7]
      param  b_out[5]
      hidden = tanh(W_in image + b_in)
      scores = W_out hidden + b_out
      """;

  /** The output named as a user names it, no {@code out} line: the output is what the loss is given. */
  private static final String FROM_OUTPUT = "model FromOutput\n" + LAYERS + """
      logProbs = logsoftmax(scores)
      loss = nll(logProbs, garment)
      """;

  /** The loss on the scores first, the output after it. */
  private static final String FROM_SCORES = "model FromScores\n" + LAYERS + """
      loss = cross_entropy(scores, garment)
      out = logsoftmax(scores)
      """;

  private static final int N = 37;

  @ParameterizedTest
  @EnumSource(CodegenOptions.Precision.class)
  void theLossReadOffTheOutputIsTheCrossEntropyToTheBit(CodegenOptions.Precision precision) {
    Network fromOutput = Networks.parse("FromOutput.nabla", FROM_OUTPUT);
    Network fromScores = Networks.parse("FromScores.nabla", FROM_SCORES);
    JavaFile fused = Networks.java(fromOutput, precision, CodegenOptions.Backend.VECTOR);
    JavaFile plain = Networks.java(fromScores, precision, CodegenOptions.Backend.VECTOR);
    String fusedSource = fused.toString();
    assertTrue(fusedSource.contains("= -logProbs["), fusedSource);
    assertFalse(fusedSource.contains("Losses.crossEntropy"), fusedSource);
    assertTrue(plain.toString().contains("Losses.crossEntropy"), plain.toString());

    ClassLoader loader = InMemoryCompiler.compile(List.of(fused, plain));
    Trainable a = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + ".FromOutput", N, Trainable.class);
    Trainable b = InMemoryCompiler.instantiate(loader, Networks.PACKAGE + ".FromScores", N, Trainable.class);
    a.initialize(5);
    b.initialize(5);
    SplittableRandom random = new SplittableRandom(11);
    float[] x = new float[N * 12];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-2, 2);
    }
    int[] labels = random.ints(N, 0, 5).toArray();

    float[] outputA = new float[N * 5];
    float[] outputB = new float[N * 5];
    assertEquals(b.evaluate(x, labels, N, outputB), a.evaluate(x, labels, N, outputA));
    assertArrayEquals(outputB, outputA);
    float[] predictedA = new float[N * 5];
    a.predict(x, N, predictedA);
    assertArrayEquals(outputA, predictedA, "predict gives what the evaluation gave");

    assertEquals(b.computeGradients(x, labels, N), a.computeGradients(x, labels, N));
    for (String parameter : List.of("W_in", "b_in", "W_out", "b_out")) {
      assertArrayEquals(b.gradient(parameter), a.gradient(parameter), parameter);
    }
  }
}
