package dev.nabla.fuzz;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.nabla.cli.Nabla;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Node;
import dev.nabla.symbolic.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A spec through the commands a user runs, as the user runs them (the CLI's own entry point):
 * {@code derive} in three formats, {@code explain}, {@code graph}, {@code grad} at the fuzzer's point
 * (its loss compared with the interpreter's), and for some specs {@code check}, {@code generate
 * --with-tests} and {@code show}. Any exit but 0, and any "internal error", is a problem.
 */
final class CommandPaths {
  private CommandPaths() {}

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var command = Nabla.commandLine();
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    return new Run(command.execute(args), out.toString(), err.toString());
  }

  /** The problems found running {@code spec}'s commands; {@code everything} adds the ones that compile a class. */
  static List<String> check(Differential.Case spec, Network network, Differential.Point point, double expectedLoss, boolean everything) {
    List<String> problems = new ArrayList<>();
    Path directory;
    try {
      directory = Files.createTempDirectory("nabla-fuzz");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try {
      Path file = directory.resolve("spec.nabla");
      Files.writeString(file, spec.text());
      List<String[]> commands = new ArrayList<>();
      for (String format : new String[] {"unicode", "latex", "index"}) {
        commands.add(new String[] {"derive", file.toString(), "--format", format});
      }
      commands.add(new String[] {"explain", file.toString()});
      commands.add(new String[] {"graph", file.toString()});
      Path values = directory.resolve("values.json");
      Files.writeString(values, valuesJson(network, point));
      commands.add(new String[] {"grad", file.toString(), "--values", values.toString()});
      if (everything) {
        commands.add(new String[] {"show", file.toString(), "--values", values.toString()});
        commands.add(new String[] {"check", file.toString()});
        commands.add(new String[] {"generate", file.toString(), "-d", directory.resolve("out").toString(), "--with-tests"});
      }
      for (String[] command : commands) {
        Run run = run(command);
        if (run.exit() != 0 || run.err().contains("internal error")) {
          problems.add(String.format(Locale.ROOT, "nabla %s exits %d: %s%s", String.join(" ", command).replace(directory + "/", ""),
              run.exit(), run.err().strip(), run.exit() == 1 ? "\n" + run.out() : ""));
        } else if (command[0].equals("grad")) {
          double loss = JsonParser.parseString(run.out()).getAsJsonObject().get("loss").getAsDouble();
          if (!(Math.abs(loss - expectedLoss) <= 1e-9 * Math.max(1, Math.abs(expectedLoss)))) {
            problems.add("nabla grad: loss " + loss + ", the interpreter's " + expectedLoss);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      deleteAll(directory);
    }
    return problems;
  }

  /** The point's parameters and its first sample, as {@code nabla grad} reads them. */
  private static String valuesJson(Network network, Differential.Point point) {
    JsonObject root = new JsonObject();
    JsonObject params = new JsonObject();
    for (Node parameter : network.parameters()) {
      params.add(Network.leafName(parameter), json(point.parameters.get(parameter)));
    }
    root.add("params", params);
    JsonObject inputs = new JsonObject();
    Map<Node, Tensor> sample = point.sampleLeaves(0);
    for (Node input : network.inputs()) {
      inputs.add(Network.leafName(input), json(sample.get(input)));
    }
    root.add("inputs", inputs);
    network.label().ifPresent(label -> root.addProperty("label", point.labels[0]));
    network.target().ifPresent(target -> root.add("target", json(sample.get(target))));
    return root.toString();
  }

  private static com.google.gson.JsonElement json(Tensor tensor) {
    if (tensor.shape().isScalar()) {
      return new com.google.gson.JsonPrimitive(tensor.get(0));
    }
    if (tensor.shape().rank() > 2) {
      return nested(tensor, 0, 0); // images and kernels as nested lists, as nabla grad reads them
    }
    if (tensor.shape().isVector()) {
      JsonArray row = new JsonArray();
      for (int i = 0; i < tensor.size(); i++) {
        row.add(tensor.get(i));
      }
      return row;
    }
    int rows = (int) tensor.shape().rows().size();
    int columns = (int) tensor.shape().columns().size();
    JsonArray matrix = new JsonArray();
    for (int r = 0; r < rows; r++) {
      JsonArray row = new JsonArray();
      for (int c = 0; c < columns; c++) {
        row.add(tensor.get(r * columns + c));
      }
      matrix.add(row);
    }
    return matrix;
  }

  /** The values from {@code offset} of dimension {@code dim} and below, as lists within lists. */
  private static JsonArray nested(Tensor tensor, int dim, int offset) {
    int rank = tensor.shape().rank();
    int count = (int) tensor.shape().dim(dim).size();
    int stride = 1;
    for (int d = dim + 1; d < rank; d++) {
      stride *= (int) tensor.shape().dim(d).size();
    }
    JsonArray list = new JsonArray();
    for (int i = 0; i < count; i++) {
      if (dim == rank - 1) {
        list.add(tensor.get(offset + i));
      } else {
        list.add(nested(tensor, dim + 1, offset + i * stride));
      }
    }
    return list;
  }

  private static void deleteAll(Path directory) {
    try (var paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is no failure of the spec
    }
  }
}
