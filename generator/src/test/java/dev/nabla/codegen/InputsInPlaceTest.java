package dev.nabla.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.palantir.javapoet.JavaFile;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.Minibatch;
import dev.nabla.symbolic.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A generated class evaluates and trains on consecutive samples of a data set where they lie (an evaluation's batch of
 * the test set: the passes read sample b's inputs at {@code x[xOffset + b · inputSize]}), and a float class of dense
 * layers trains on a shuffled batch where it lies (at {@code x[xRows[b] · inputSize]}), with the same bits as on the
 * samples copied out first: dense layers, convolutions and pooling (whose shuffled batches the runtime copies), in
 * float and in double, on one thread and two.
 */
class InputsInPlaceTest {
  private static final List<String> SPECS = List.of("FashionMlp", "TinyCnn", "Blocks");
  private static final int SAMPLES = 90;
  private static final int FROM = 23;
  private static final int COUNT = 41;

  @ParameterizedTest
  @EnumSource(CodegenOptions.Precision.class)
  void consecutiveSamplesReadWhereTheyLieGiveWhatTheirCopyGives(CodegenOptions.Precision precision) {
    List<JavaFile> files = new ArrayList<>();
    for (String spec : SPECS) {
      files.add(Networks.java(Networks.resource(spec), precision, CodegenOptions.Backend.VECTOR));
    }
    ClassLoader loader = InMemoryCompiler.compile(files);
    for (String spec : SPECS) {
      Network network = Networks.resource(spec);
      for (int threads : new int[] {1, 2}) {
        check(loader, network, threads);
      }
    }
  }

  private static void check(ClassLoader loader, Network network, int threads) {
    Trainable inPlace = Networks.instantiate(loader, network.name(), COUNT, threads);
    Trainable copied = Networks.instantiate(loader, network.name(), COUNT, threads);
    inPlace.initialize(6);
    copied.initialize(6);
    int inputs = inPlace.info().inputSize();
    int classes = inPlace.info().labelSize();
    SplittableRandom random = new SplittableRandom(inputs);
    float[] x = new float[SAMPLES * inputs];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    Dataset data = Dataset.ofClasses("test", x, inputs, random.ints(SAMPLES, 0, classes).toArray(),
        IntStream.range(0, classes).mapToObj(Integer::toString).toList());
    float[] rows = Arrays.copyOfRange(x, FROM * inputs, (FROM + COUNT) * inputs);
    int[] labels = Arrays.copyOfRange(data.labels(), FROM, FROM + COUNT);
    String where = network.name() + " on " + threads + " threads";

    Minibatch batch = Minibatch.forData(data, COUNT);
    batch.select(data, null, FROM, COUNT);
    float[] outputInPlace = new float[COUNT * inPlace.info().outputSize()];
    float[] outputCopied = new float[COUNT * inPlace.info().outputSize()];
    assertEquals(copied.evaluate(rows, labels, COUNT, outputCopied), batch.evaluate(inPlace, outputInPlace), where);
    assertArrayEquals(outputCopied, outputInPlace, where);

    batch.select(data, null, FROM, COUNT);
    assertEquals(copied.trainStep(rows, labels, COUNT, 0.05f), batch.trainStep(inPlace, 0.05f), where);
    sameParameters(copied, inPlace, where);

    // A shuffled step, as the trainer takes one: samples order[FROM ..] of the data set.
    int[] order = IntStream.range(0, SAMPLES).map(i -> (i * 31 + 7) % SAMPLES).toArray();
    float[] shuffled = new float[COUNT * inputs];
    int[] shuffledLabels = new int[COUNT];
    for (int i = 0; i < COUNT; i++) {
      System.arraycopy(x, order[FROM + i] * inputs, shuffled, i * inputs, inputs);
      shuffledLabels[i] = data.labels()[order[FROM + i]];
    }
    batch.select(data, order, FROM, COUNT);
    assertEquals(copied.trainStep(shuffled, shuffledLabels, COUNT, 0.05f), batch.trainStep(inPlace, 0.05f),
        where + ", shuffled");
    sameParameters(copied, inPlace, where + ", shuffled");
    assertArrayEquals(shuffled, Arrays.copyOf(batch.x(), COUNT * inputs), where + ": the inputs, copied when asked for");
  }

  private static void sameParameters(Trainable expected, Trainable actual, String where) {
    for (var parameter : actual.info().parameters()) {
      assertArrayEquals(expected.parameter(parameter.name()), actual.parameter(parameter.name()),
          where + ", " + parameter.name());
    }
  }
}
