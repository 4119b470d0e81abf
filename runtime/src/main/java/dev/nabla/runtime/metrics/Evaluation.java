package dev.nabla.runtime.metrics;

import java.util.Arrays;

/**
 * How a model does on a data set: mean loss and, for classifiers, accuracy overall, per class and
 * as a confusion matrix.
 *
 * @param loss the mean loss over all samples
 * @param accuracy the share classified right; NaN for a model with targets
 * @param perClassAccuracy for each true class, the share of its samples classified right (NaN for a class with none)
 * @param confusion {@code confusion[truth][predicted]} counts; empty for a model with targets
 */
public record Evaluation(double loss, double accuracy, double[] perClassAccuracy, int[][] confusion) {

  public Evaluation {
    perClassAccuracy = perClassAccuracy.clone();
    confusion = deepCopy(confusion);
  }

  @Override
  public double[] perClassAccuracy() {
    return perClassAccuracy.clone();
  }

  @Override
  public int[][] confusion() {
    return deepCopy(confusion);
  }

  /** Builds an evaluation from a confusion matrix. */
  public static Evaluation fromConfusion(double loss, int[][] confusion) {
    long right = 0;
    long total = 0;
    double[] perClass = new double[confusion.length];
    for (int truth = 0; truth < confusion.length; truth++) {
      long ofClass = 0;
      for (int count : confusion[truth]) {
        ofClass += count;
      }
      perClass[truth] = ofClass == 0 ? Double.NaN : (double) confusion[truth][truth] / ofClass;
      right += confusion[truth][truth];
      total += ofClass;
    }
    return new Evaluation(loss, total == 0 ? Double.NaN : (double) right / total, perClass, confusion);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Evaluation that
        && Double.compare(loss, that.loss) == 0
        && Double.compare(accuracy, that.accuracy) == 0
        && Arrays.equals(perClassAccuracy, that.perClassAccuracy)
        && Arrays.deepEquals(confusion, that.confusion);
  }

  @Override
  public int hashCode() {
    return Double.hashCode(loss) * 31 + Arrays.deepHashCode(confusion);
  }

  @Override
  public String toString() {
    return "Evaluation[loss=" + loss + ", accuracy=" + accuracy + ", perClassAccuracy="
        + Arrays.toString(perClassAccuracy) + ", confusion=" + Arrays.deepToString(confusion) + "]";
  }

  private static int[][] deepCopy(int[][] matrix) {
    int[][] copy = new int[matrix.length][];
    for (int i = 0; i < matrix.length; i++) {
      copy[i] = matrix[i].clone();
    }
    return copy;
  }
}
