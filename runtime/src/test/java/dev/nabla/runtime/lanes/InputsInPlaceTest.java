package dev.nabla.runtime.lanes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.Minibatch;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A batch of consecutive samples of a data set (an evaluation's batch of the test set), and a shuffled step's batch
 * for a model that reads its inputs by row, is read where it lies, its labels alone copied by the lanes: the same bits
 * as the batch copied first, and the rows still there for {@link Minibatch#x()} afterwards.
 */
class InputsInPlaceTest {
  private static final int SAMPLES = 100;
  private static final int FROM = 30;
  private static final int COUNT = 50;

  private static Dataset data() {
    SplittableRandom random = new SplittableRandom(9);
    float[] x = new float[SAMPLES * SoftmaxRegression.INPUTS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    int[] labels = random.ints(SAMPLES, 0, SoftmaxRegression.CLASSES).toArray();
    return Dataset.ofClasses("test", x, SoftmaxRegression.INPUTS, labels, List.of("a", "b", "c", "d", "e"));
  }

  private static float[] rows(Dataset data) {
    return Arrays.copyOfRange(data.x(), FROM * SoftmaxRegression.INPUTS, (FROM + COUNT) * SoftmaxRegression.INPUTS);
  }

  private static int[] labels(Dataset data) {
    return Arrays.copyOfRange(data.labels(), FROM, FROM + COUNT);
  }

  @Test
  void anEvaluationOfConsecutiveSamplesIsTheEvaluationOfTheirCopy() {
    Dataset data = data();
    for (int threads : new int[] {1, 2}) {
      SoftmaxRegression model = new SoftmaxRegression(64, threads);
      model.initialize(3);
      Minibatch batch = Minibatch.forData(data, 64);
      batch.select(data, null, FROM, COUNT);
      float[] inPlace = new float[COUNT * SoftmaxRegression.CLASSES];
      double loss = batch.evaluate(model, inPlace);

      float[] copied = new float[COUNT * SoftmaxRegression.CLASSES];
      assertEquals(model.evaluate(rows(data), labels(data), COUNT, copied), loss, threads + " threads");
      assertArrayEquals(copied, inPlace, threads + " threads");
      assertArrayEquals(labels(data), Arrays.copyOf(batch.labels(), COUNT), "the labels the lanes copied");
      assertArrayEquals(rows(data), Arrays.copyOf(batch.x(), COUNT * SoftmaxRegression.INPUTS),
          "the inputs, copied when asked for");
    }
  }

  @Test
  void aStepOnConsecutiveSamplesIsTheStepOnTheirCopy() {
    Dataset data = data();
    SoftmaxRegression inPlace = new SoftmaxRegression(64, 2);
    SoftmaxRegression copied = new SoftmaxRegression(64, 2);
    inPlace.initialize(4);
    copied.initialize(4);
    Minibatch batch = Minibatch.forData(data, 64);
    for (int step = 0; step < 3; step++) {
      batch.select(data, null, FROM, COUNT);
      assertEquals(copied.trainStep(rows(data), labels(data), COUNT, 0.1f), batch.trainStep(inPlace, 0.1f));
    }
    assertArrayEquals(copied.parameter("W"), inPlace.parameter("W"));
    assertArrayEquals(copied.parameter("b"), inPlace.parameter("b"));
  }

  @Test
  void aShuffledStepReadByRowIsTheStepOnItsCopy() {
    Dataset data = data();
    int[] order = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      order[i] = (i * 37) % SAMPLES;
    }
    for (int threads : new int[] {1, 2}) {
      SoftmaxRegression inPlace = new SoftmaxRegression(64, threads);
      SoftmaxRegression copied = new SoftmaxRegression(64, threads);
      inPlace.initialize(5);
      copied.initialize(5);
      Minibatch batch = Minibatch.forData(data, 64);
      for (int step = 0; step < 3; step++) {
        int from = 7 + 20 * step;
        float[] rows = new float[COUNT * SoftmaxRegression.INPUTS];
        int[] labels = new int[COUNT];
        for (int i = 0; i < COUNT; i++) {
          int sample = order[from + i];
          System.arraycopy(data.x(), sample * SoftmaxRegression.INPUTS, rows, i * SoftmaxRegression.INPUTS,
              SoftmaxRegression.INPUTS);
          labels[i] = data.labels()[sample];
        }
        batch.select(data, order, from, COUNT);
        assertEquals(copied.trainStep(rows, labels, COUNT, 0.1f), batch.trainStep(inPlace, 0.1f), threads + " threads");
        assertArrayEquals(labels, Arrays.copyOf(batch.labels(), COUNT), "the labels the lanes copied");
        // Shuffled again before x() is read, as the trainer does each epoch: the batch keeps the rows it was given.
        Arrays.fill(order, 0);
        assertArrayEquals(rows, Arrays.copyOf(batch.x(), COUNT * SoftmaxRegression.INPUTS),
            "the inputs, copied when asked for");
        for (int i = 0; i < SAMPLES; i++) {
          order[i] = (i * 37) % SAMPLES;
        }
      }
      assertArrayEquals(copied.parameter("W"), inPlace.parameter("W"), threads + " threads");
      assertArrayEquals(copied.parameter("b"), inPlace.parameter("b"), threads + " threads");
    }
  }
}
