package dev.nabla.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.nabla.interpret.Interpreter;
import dev.nabla.interpret.PointEvaluation;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Op;
import dev.nabla.symbolic.Shape;
import dev.nabla.symbolic.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@code nabla grad} and {@code nabla show}: parameter values and samples in, loss,
 * output and gradients out. Matrices are lists of rows, vectors lists, scalars numbers, images
 * {@code [C, H, W]} and kernels nested as their shapes (C lists of H rows of W numbers); a
 * minibatch is a list of samples under {@code "batch"}.
 *
 * <pre>
 * {"params": {"W1": [[…], …], "b1": […]}, "inputs": {"X": […]}, "label": 3}
 * {"params": {…}, "batch": [{"inputs": {"x": […]}, "target": […]}, …]}
 * </pre>
 */
final class ValuesJson {
  private ValuesJson() {}

  /** Parameter values and samples, checked against the network's shapes. */
  record Values(Map<Node, Tensor> parameters, List<PointEvaluation.Sample> samples, boolean isBatch) {}

  /** The values in a file, checked against the network; a file that cannot be read is bad input. */
  static Values read(java.nio.file.Path file, Network network) {
    String text = NetworkSource.readText(file, "values file", "a values JSON file");
    return read(text, network, file.toString());
  }

  static Values read(String json, Network network, String fileName) {
    JsonObject root;
    try {
      JsonElement element = JsonParser.parseString(json);
      if (!element.isJsonObject()) {
        throw UserError.badInput(fileName + ": expected a JSON object with \"params\" and \"inputs\" or \"batch\"");
      }
      root = element.getAsJsonObject();
    } catch (JsonParseException e) {
      throw UserError.badInput(fileName + ": not valid JSON: " + rootCause(e));
    }
    JsonObject params = object(root, "params", fileName);
    Map<Node, Tensor> parameters = new IdentityHashMap<>();
    for (Node parameter : network.parameters()) {
      String name = Network.leafName(parameter);
      if (!params.has(name)) {
        throw UserError.badInput(fileName + ": params." + name + " is missing (" + parameter.shape() + ")");
      }
      parameters.put(parameter, tensor(params.get(name), parameter.shape(), fileName + ": params." + name));
    }
    for (String name : params.keySet()) {
      if (network.parameters().stream().noneMatch(p -> Network.leafName(p).equals(name))) {
        throw UserError.badInput(fileName + ": params." + name + " is not a parameter of " + network.name());
      }
    }
    List<PointEvaluation.Sample> samples = new ArrayList<>();
    if (root.has("batch")) {
      List<String> single = java.util.stream.Stream.of("inputs", "label", "target").filter(root::has).toList();
      if (!single.isEmpty()) {
        // Which one was meant cannot be told; using the batch silently would hide a mistake.
        throw UserError.badInput(fileName + ": has both a batch and a single sample (" + String.join(", ", single)
            + "); give the samples in \"batch\" only, or drop \"batch\"");
      }
      if (!root.get("batch").isJsonArray() || root.getAsJsonArray("batch").isEmpty()) {
        throw UserError.badInput(fileName + ": batch must be a non-empty list of samples");
      }
      JsonArray batch = root.getAsJsonArray("batch");
      for (int i = 0; i < batch.size(); i++) {
        if (!batch.get(i).isJsonObject()) {
          throw UserError.badInput(fileName + ": batch[" + i + "] must be an object with \"inputs\"");
        }
        samples.add(sample(batch.get(i).getAsJsonObject(), network, fileName + ": batch[" + i + "]."));
      }
      return new Values(parameters, samples, true);
    }
    samples.add(sample(root, network, fileName + ": "));
    return new Values(parameters, samples, false);
  }

  private static PointEvaluation.Sample sample(JsonObject sample, Network network, String where) {
    Map<Node, Tensor> leaves = new IdentityHashMap<>();
    JsonObject inputs = object(sample, "inputs", where.substring(0, where.length() - 2));
    for (Node input : network.inputs()) {
      String name = Network.leafName(input);
      if (!inputs.has(name)) {
        throw UserError.badInput(where + "inputs." + name + " is missing (" + input.shape() + ")");
      }
      leaves.put(input, tensor(inputs.get(name), input.shape(), where + "inputs." + name));
    }
    network.label().ifPresent(label -> {
      int classes = Math.toIntExact(label.shape().size());
      JsonElement value = sample.get("label");
      if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
        throw UserError.badInput(where + "label must be a class index in [0, " + classes + ")");
      }
      double index = value.getAsDouble();
      if (index != Math.rint(index) || index < 0 || index >= classes) {
        throw UserError.badInput(where + "label " + value + " is not a class index in [0, " + classes + ")");
      }
      leaves.put(label, Interpreter.oneHot((int) index, classes));
    });
    network.target().ifPresent(target -> {
      if (!sample.has("target")) {
        throw UserError.badInput(where + "target is missing (" + target.shape() + ")");
      }
      leaves.put(target, tensor(sample.get("target"), target.shape(), where + "target"));
    });
    return new PointEvaluation.Sample(leaves);
  }

  private static JsonObject object(JsonObject parent, String key, String where) {
    JsonElement value = parent.get(key);
    if (value == null || !value.isJsonObject()) {
      throw UserError.badInput(where + ": \"" + key + "\" must be an object");
    }
    return value.getAsJsonObject();
  }

  /** A tensor from a number, a list, or a list of rows; a vector also accepts [[v], …] or [[…]]. */
  static Tensor tensor(JsonElement json, Shape shape, String where) {
    int size = Math.toIntExact(shape.size());
    double[] data = new double[size];
    List<Double> flat = new ArrayList<>();
    flatten(json, flat, where, 0, Math.max(2, shape.rank()));
    if (shape.rank() > 2) {
      nested(json, shape, 0, where);
    }
    if (shape.isMatrix() && !shape.isRow()) {
      int rows = (int) shape.rows().size();
      int columns = (int) shape.columns().size();
      if (!json.isJsonArray() || json.getAsJsonArray().size() != rows) {
        throw UserError.badInput(where + ": expected " + rows + " rows of " + columns + " (" + shape + ")");
      }
      for (int r = 0; r < rows; r++) {
        JsonElement row = json.getAsJsonArray().get(r);
        if (!row.isJsonArray() || row.getAsJsonArray().size() != columns) {
          throw UserError.badInput(where + "[" + r + "]: expected a row of " + columns + " numbers (" + shape + ")");
        }
      }
    }
    if (flat.size() != size) {
      throw UserError.badInput(where + ": expected " + size + " number" + (size == 1 ? "" : "s") + " (" + shape + "), got " + flat.size());
    }
    for (int i = 0; i < size; i++) {
      data[i] = flat.get(i);
    }
    return new Tensor(shape, data);
  }

  /** An image or a kernel is nested as its shape: C lists of H rows of W numbers. */
  private static void nested(JsonElement json, Shape shape, int axis, String where) {
    long size = shape.dim(axis).size();
    if (!json.isJsonArray() || json.getAsJsonArray().size() != size) {
      String rest = shape.dims().subList(axis + 1, shape.rank()).stream().map(Object::toString)
          .collect(java.util.stream.Collectors.joining("×"));
      throw UserError.badInput(where + ": expected a list of " + size + (rest.isEmpty() ? " numbers" : " lists (" + rest + ")")
          + " (" + shape + ")");
    }
    if (axis + 1 < shape.rank()) {
      JsonArray list = json.getAsJsonArray();
      for (int i = 0; i < list.size(); i++) {
        nested(list.get(i), shape, axis + 1, where + "[" + i + "]");
      }
    }
  }

  private static void flatten(JsonElement json, List<Double> into, String where, int depth, int maxDepth) {
    if (depth > maxDepth) {
      throw UserError.badInput(where + ": nested deeper than " + (maxDepth == 2 ? "a matrix" : "its shape"));
    }
    if (json.isJsonArray()) {
      for (JsonElement element : json.getAsJsonArray()) {
        flatten(element, into, where, depth + 1, maxDepth);
      }
    } else if (json.isJsonPrimitive() && json.getAsJsonPrimitive().isNumber()) {
      double value = json.getAsDouble();
      if (!Double.isFinite(value)) {
        throw UserError.badInput(where + ": " + json + " is not a finite number");
      }
      into.add(value);
    } else {
      throw UserError.badInput(where + ": " + json + " is not a number");
    }
  }

  /** The JSON of a result: loss, output (a list of outputs for a batch) and the gradients by name. */
  static JsonObject write(PointEvaluation.Result result, boolean isBatch) {
    JsonObject out = new JsonObject();
    out.addProperty("loss", result.loss());
    if (isBatch) {
      JsonArray outputs = new JsonArray();
      result.outputs().forEach(output -> outputs.add(json(output)));
      out.add("output", outputs);
    } else {
      out.add("output", json(result.outputs().get(0)));
    }
    JsonObject gradients = new JsonObject();
    result.gradients().forEach((leaf, gradient) -> gradients.add(((Op.Leaf) leaf.op()).name(), json(gradient)));
    out.add("gradients", gradients);
    return out;
  }

  static JsonElement json(Tensor tensor) {
    Shape shape = tensor.shape();
    if (shape.isScalar()) {
      return new com.google.gson.JsonPrimitive(tensor.scalarValue());
    }
    if (shape.isVector() || shape.isRow()) {
      JsonArray values = new JsonArray();
      for (double value : tensor.data()) {
        values.add(value);
      }
      return values;
    }
    if (shape.rank() > 2) {
      return nest(tensor.data(), shape, 0, 0);
    }
    JsonArray rows = new JsonArray();
    for (int r = 0; r < tensor.rows(); r++) {
      JsonArray row = new JsonArray();
      for (int c = 0; c < tensor.columns(); c++) {
        row.add(tensor.get(r, c));
      }
      rows.add(row);
    }
    return rows;
  }

  /** Row-major data from {@code offset} as nested lists, one level per dimension from {@code axis}. */
  private static JsonArray nest(double[] data, Shape shape, int axis, int offset) {
    JsonArray list = new JsonArray();
    int size = Math.toIntExact(shape.dim(axis).size());
    int stride = 1;
    for (int k = axis + 1; k < shape.rank(); k++) {
      stride *= Math.toIntExact(shape.dim(k).size());
    }
    for (int i = 0; i < size; i++) {
      if (axis + 1 == shape.rank()) {
        list.add(data[offset + i]);
      } else {
        list.add(nest(data, shape, axis + 1, offset + i * stride));
      }
    }
    return list;
  }

  private static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}
