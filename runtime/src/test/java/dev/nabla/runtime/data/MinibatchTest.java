package dev.nabla.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A minibatch filled at once, or selected and copied a range of rows at a time (by a model's lanes). */
class MinibatchTest {
  private static final Dataset SHIRTS = Dataset.ofClasses("train", new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 2,
      new int[] {2, 0, 1, 1}, List.of("shirt", "coat", "bag"));
  private static final Dataset PRICES = Dataset.ofTargets("prices", new float[] {1, 2, 3, 4}, 1, new float[] {
      10, 11, 20, 21, 30, 31, 40, 41}, 2);

  @Test
  void rowsCopiedInPiecesAreTheBatchFilledAtOnce() {
    int[] order = {3, 1, 0, 2};
    Minibatch filled = Minibatch.forData(SHIRTS, 3);
    filled.fill(SHIRTS, order, 1, 3);
    Minibatch pieces = Minibatch.forData(SHIRTS, 3);
    pieces.select(SHIRTS, order, 1, 3);
    pieces.copy(2, 3);
    pieces.copy(0, 2);
    assertArrayEquals(new float[] {2, 3, 0, 1, 4, 5}, filled.x());
    assertArrayEquals(filled.x(), pieces.x());
    assertArrayEquals(new int[] {0, 2, 1}, pieces.labels());
    assertEquals(3, pieces.size());
  }

  @Test
  void consecutiveRowsAndTargetsToo() {
    Minibatch pieces = Minibatch.forData(PRICES, 2);
    pieces.select(PRICES, null, 2, 2);
    pieces.copy(1, 2);
    pieces.copy(0, 1);
    assertArrayEquals(new float[] {3, 4}, pieces.x());
    assertArrayEquals(new float[] {30, 31, 40, 41}, pieces.targets());
  }

  @Test
  void aBatchSelectedAndReadBeforeAModelRanIsCopiedThen() {
    Minibatch batch = Minibatch.forData(SHIRTS, 2);
    batch.select(SHIRTS, null, 1, 2);
    assertArrayEquals(new int[] {0, 1}, batch.labels());
    assertArrayEquals(new float[] {2, 3, 4, 5}, batch.x());
  }

  @Test
  void aSelectionThatDoesNotFitIsRefused() {
    Minibatch batch = Minibatch.forData(SHIRTS, 2);
    assertEquals("batch of 3 does not fit a buffer of 2",
        assertThrows(IllegalArgumentException.class, () -> batch.select(SHIRTS, null, 0, 3)).getMessage());
    assertEquals("the prices set's samples do not fit this buffer",
        assertThrows(IllegalArgumentException.class, () -> batch.select(PRICES, null, 0, 1)).getMessage());
  }

  @Test
  void aRangePastTheDataIsRefusedBeforeAModelReadsIt() {
    Minibatch batch = Minibatch.forData(SHIRTS, 2);
    assertEquals("samples 3 to 5 of the train set: it has 4",
        assertThrows(IllegalArgumentException.class, () -> batch.select(SHIRTS, null, 3, 2)).getMessage());
    assertEquals("samples 1 to 3 of the train set's order: it has 2",
        assertThrows(IllegalArgumentException.class, () -> batch.select(SHIRTS, new int[] {0, 1}, 1, 2)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> batch.select(SHIRTS, null, -1, 1));
  }

  @Test
  void anOrderNamingASampleTheDataHasNotIsRefusedBeforeAModelReadsItsRow() {
    Minibatch batch = Minibatch.forData(SHIRTS, 2);
    assertEquals("sample 7 of the train set's order, at 1: it has 4",
        assertThrows(IllegalArgumentException.class, () -> batch.select(SHIRTS, new int[] {0, 7}, 0, 2)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> batch.select(SHIRTS, new int[] {-1, 2}, 0, 2));
  }
}
