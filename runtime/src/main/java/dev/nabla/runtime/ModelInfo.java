package dev.nabla.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * The description a generated model carries of itself: enough to check that a checkpoint or a data
 * set fits it, and to size buffers.
 *
 * @param name the spec's {@code model} name, which is also the generated class's simple name
 * @param specHash a stable hash of the spec's canonical form: checkpoints of another spec are refused
 * @param precision whether the generated arithmetic is {@code float} or {@code double}
 * @param inputSize values per sample (784 for a flattened Fashion-MNIST image)
 * @param outputSize values {@code predict} writes per sample
 * @param labels whether samples come with class labels or real-valued targets
 * @param labelSize number of classes, or values per target
 * @param parameters every parameter, in declaration order
 * @param activationsPerSample the values the forward and backward passes keep per batch row
 */
public record ModelInfo(
    String name,
    String specHash,
    Precision precision,
    int inputSize,
    int outputSize,
    Labels labels,
    int labelSize,
    List<Parameter> parameters,
    int activationsPerSample) {

  public enum Precision { FLOAT, DOUBLE }

  public enum Labels { CLASSES, TARGETS }

  /** A parameter's name as in the spec and its shape, row-major. */
  public record Parameter(String name, int[] shape) {
    public Parameter {
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    public int size() {
      int size = 1;
      for (int dim : shape) {
        size *= dim;
      }
      return size;
    }

    /** {@code 20×784}, as messages print shapes. */
    public String shapeText() {
      return shape.length == 0 ? "scalar" : String.join("×", Arrays.stream(shape).mapToObj(Integer::toString).toList());
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Parameter that && name.equals(that.name) && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return name + "[" + shapeText() + "]";
    }
  }

  public ModelInfo {
    parameters = List.copyOf(parameters);
  }

  /** The number of trainable values, all parameters together. */
  public long parameterCount() {
    return parameters.stream().mapToLong(Parameter::size).sum();
  }

  /** Bytes of memory for the parameters, their gradients and the activations of a batch of {@code batch} rows. */
  public long memoryBytes(int batch) {
    long bytesPerValue = precision == Precision.FLOAT ? Float.BYTES : Double.BYTES;
    return bytesPerValue * (2 * parameterCount() + (long) activationsPerSample * batch);
  }
}
