package dev.nabla.runtime.data;

/**
 * Shifts and scales inputs to mean 0 and standard deviation 1, with one mean and one deviation
 * over all pixels, measured on the training set only (so that the test set tells the truth).
 *
 * @param mean the training inputs' mean
 * @param std their standard deviation
 */
public record Standardization(double mean, double std) {

  public Standardization {
    if (!(std > 0) || !Double.isFinite(mean)) {
      throw new IllegalArgumentException("standardization needs a finite mean and a positive deviation, got mean "
          + mean + ", std " + std);
    }
  }

  /** The mean and deviation of every input value of {@code train}. */
  public static Standardization fit(Dataset train) {
    float[] x = train.x();
    double sum = 0;
    for (float v : x) {
      sum += v;
    }
    double mean = sum / x.length;
    double squares = 0;
    for (float v : x) {
      double d = v - mean;
      squares += d * d;
    }
    return new Standardization(mean, Math.sqrt(squares / x.length));
  }

  /** Replaces each input {@code v} of {@code data} by {@code (v - mean) / std}, in place (no copy of a large array). */
  public void applyInPlace(Dataset data) {
    float[] x = data.x();
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) ((x[i] - mean) / std);
    }
  }
}
