package dev.nabla.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One sample at a time out of a set's shared arrays. */
class DatasetTest {

  private static final Dataset SHIRTS = Dataset.ofClasses("test", new float[] {0, 1, 2, 3, 4, 5}, 2, new int[] {2, 0, 1},
      List.of("shirt", "coat", "bag"));
  private static final Dataset PRICES = Dataset.ofTargets("prices", new float[] {1, 2, 3, 4}, 1, new float[] {
      10, 11, 20, 21, 30, 31, 40, 41}, 2);

  @Test
  void sampleLabelAndTargetOfOneSample() {
    assertArrayEquals(new float[] {4, 5}, SHIRTS.sample(2));
    assertEquals("bag", SHIRTS.classNames().get(SHIRTS.label(0)));
    assertArrayEquals(new float[] {3}, PRICES.sample(2));
    assertArrayEquals(new float[] {30, 31}, PRICES.target(2));
  }

  @Test
  void aSampleIsACopy() {
    float[] sample = SHIRTS.sample(1);
    sample[0] = 99;
    assertArrayEquals(new float[] {2, 3}, SHIRTS.sample(1));
  }

  @Test
  void outOfRangeAndTheWrongKindOfAnswerAreRefusedWithWhatThereIs() {
    assertEquals("test set has samples 0..2, not 3",
        assertThrows(IndexOutOfBoundsException.class, () -> SHIRTS.sample(3)).getMessage());
    assertEquals("test set has class labels, not targets: use label(0)",
        assertThrows(IllegalStateException.class, () -> SHIRTS.target(0)).getMessage());
    assertEquals("prices set has targets, not class labels: use target(1)",
        assertThrows(IllegalStateException.class, () -> PRICES.label(1)).getMessage());
  }
}
