package dev.nabla.runtime.checkpoint;

import dev.nabla.runtime.Model;
import dev.nabla.runtime.ModelInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A model's parameters at one moment, with what identifies the model and, for a training run,
 * where the run stands. {@link CheckpointFile} reads and writes it.
 *
 * @param modelName the model's name ({@link ModelInfo#name()})
 * @param specHash the hash of the spec the model was generated from
 * @param precision whether values are stored as float or double
 * @param parameters names and shapes, in the model's order
 * @param values each parameter's values, row-major, same order
 * @param training where the training run stands, or {@code null} for parameters alone
 */
public record Checkpoint(
    String modelName,
    String specHash,
    ModelInfo.Precision precision,
    List<ModelInfo.Parameter> parameters,
    List<double[]> values,
    TrainingState training) {

  public Checkpoint {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(specHash, "specHash");
    Objects.requireNonNull(precision, "precision");
    parameters = List.copyOf(parameters);
    if (values.size() != parameters.size()) {
      throw new IllegalArgumentException(parameters.size() + " parameters but " + values.size() + " value arrays");
    }
    List<double[]> copies = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).length != parameters.get(i).size()) {
        throw new IllegalArgumentException(parameters.get(i) + " holds " + parameters.get(i).size() + " values, got "
            + values.get(i).length);
      }
      copies.add(values.get(i).clone());
    }
    values = List.copyOf(copies);
  }

  /** The model's current parameters, with {@code training} (may be {@code null}). */
  public static Checkpoint of(Model model, TrainingState training) {
    ModelInfo info = model.info();
    List<double[]> values = new ArrayList<>();
    for (ModelInfo.Parameter parameter : info.parameters()) {
      values.add(model.parameter(parameter.name()));
    }
    return new Checkpoint(info.name(), info.specHash(), info.precision(), info.parameters(), values, training);
  }

  @Override
  public List<double[]> values() {
    List<double[]> copies = new ArrayList<>();
    for (double[] value : values) {
      copies.add(value.clone());
    }
    return copies;
  }

  /** The values of the parameter {@code name}, a copy. */
  public double[] values(String name) {
    for (int i = 0; i < parameters.size(); i++) {
      if (parameters.get(i).name().equals(name)) {
        return values.get(i).clone();
      }
    }
    throw new IllegalArgumentException("no parameter '" + name + "' in checkpoint of " + modelName);
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof Checkpoint that) || !modelName.equals(that.modelName) || !specHash.equals(that.specHash)
        || precision != that.precision || !parameters.equals(that.parameters)
        || !Objects.equals(training, that.training)) {
      return false;
    }
    for (int i = 0; i < values.size(); i++) {
      if (!Arrays.equals(values.get(i), that.values.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(modelName, specHash, parameters);
  }

  @Override
  public String toString() {
    return "Checkpoint[" + modelName + " (" + specHash + "), " + parameters + (training == null ? "" : ", " + training) + "]";
  }
}
