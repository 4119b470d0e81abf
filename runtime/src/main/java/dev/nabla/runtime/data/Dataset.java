package dev.nabla.runtime.data;

import java.util.List;

/**
 * Samples in the layout generated models take: inputs as one contiguous row-major array
 * ({@code size × inputSize}), and either class labels or real-valued targets.
 *
 * <p>The arrays are shared, not copied: a training set is hundreds of megabytes.
 *
 * @param name what to call the set in messages ("train", "test")
 * @param x the inputs, {@code size * inputSize} values; sample {@code i} starts at {@code i * inputSize}
 * @param size the number of samples
 * @param inputSize values per sample
 * @param labels class indices in {@code [0, labelSize)}, or {@code null} for a set with targets
 * @param targets {@code size * labelSize} real-valued targets, or {@code null} for a set with labels
 * @param labelSize the number of classes, or values per target
 * @param classNames one name per class (empty for targets)
 */
public record Dataset(
    String name, float[] x, int size, int inputSize, int[] labels, float[] targets, int labelSize, List<String> classNames) {

  public Dataset {
    if ((labels == null) == (targets == null)) {
      throw new IllegalArgumentException(name + ": give either labels or targets");
    }
    if ((long) size * inputSize != x.length) {
      throw new IllegalArgumentException(name + ": " + size + " samples of " + inputSize + " values need "
          + (long) size * inputSize + " inputs, got " + x.length);
    }
    if (labels != null && labels.length != size) {
      throw new IllegalArgumentException(name + ": " + size + " samples but " + labels.length + " labels");
    }
    if (targets != null && (long) size * labelSize != targets.length) {
      throw new IllegalArgumentException(name + ": " + size + " samples of " + labelSize + " targets need "
          + (long) size * labelSize + " values, got " + targets.length);
    }
    classNames = List.copyOf(classNames);
  }

  /** A classification set; labels must lie in {@code [0, classNames.size())}. */
  public static Dataset ofClasses(String name, float[] x, int inputSize, int[] labels, List<String> classNames) {
    return new Dataset(name, x, labels.length, inputSize, labels, null, classNames.size(), classNames);
  }

  /** A regression set: {@code targetSize} real values per sample. */
  public static Dataset ofTargets(String name, float[] x, int inputSize, float[] targets, int targetSize) {
    return new Dataset(name, x, targets.length / targetSize, inputSize, null, targets, targetSize, List.of());
  }

  /** Whether the samples carry class labels (rather than targets). */
  public boolean hasClasses() {
    return labels != null;
  }

  /** A copy of sample {@code i}'s inputs ({@code inputSize} values): what {@code Models.predict(model, sample)} takes. */
  public float[] sample(int i) {
    checkIndex(i);
    return java.util.Arrays.copyOfRange(x, i * inputSize, (i + 1) * inputSize);
  }

  /** Sample {@code i}'s class index; {@link #classNames()}{@code .get(label(i))} names it. Only for a set with labels. */
  public int label(int i) {
    checkIndex(i);
    if (labels == null) {
      throw new IllegalStateException(name + " set has targets, not class labels: use target(" + i + ")");
    }
    return labels[i];
  }

  /** A copy of sample {@code i}'s targets ({@code labelSize} values). Only for a set with targets. */
  public float[] target(int i) {
    checkIndex(i);
    if (targets == null) {
      throw new IllegalStateException(name + " set has class labels, not targets: use label(" + i + ")");
    }
    return java.util.Arrays.copyOfRange(targets, i * labelSize, (i + 1) * labelSize);
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(name + " set has samples 0.." + (size - 1) + ", not " + i);
    }
  }

  /** The first {@code count} samples, sharing nothing with this set (copies). */
  public Dataset head(int count) {
    int n = Math.min(count, size);
    float[] headX = java.util.Arrays.copyOf(x, n * inputSize);
    return hasClasses()
        ? new Dataset(name, headX, n, inputSize, java.util.Arrays.copyOf(labels, n), null, labelSize, classNames)
        : new Dataset(name, headX, n, inputSize, null, java.util.Arrays.copyOf(targets, n * labelSize), labelSize, classNames);
  }
}
