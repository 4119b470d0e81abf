package dev.nabla.cli;

import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.symbolic.Lowering;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a command's EXPR|FILE argument names: a spec file when such a file exists, else a one-liner. */
final class NetworkSource {
  private NetworkSource() {}

  static boolean isFile(String argument) {
    return argument.endsWith(".nabla") || (!argument.contains("(") && !argument.contains(" ") && Files.isRegularFile(Path.of(argument)));
  }

  static SourceFile read(String argument) {
    Path path = Path.of(argument);
    if (!Files.isRegularFile(path)) {
      throw UserError.badInput("no such spec file: " + argument);
    }
    try {
      return SourceFile.read(path);
    } catch (IOException e) {
      throw UserError.badInput("cannot read " + argument + ": " + e.getMessage());
    }
  }

  static Network load(String argument, Optional<Lowering.LossChoice> loss, List<String> dims) {
    if (isFile(argument)) {
      if (!dims.isEmpty()) {
        throw UserError.badInput("--dim is for one-liners; " + argument + " declares its own sizes");
      }
      return Networks.fromSpec(read(argument));
    }
    Map<String, List<Long>> sizes = parseDims(dims);
    Network network = Networks.fromExpression(SourceFile.ofExpression(argument), loss, sizes);
    for (String name : sizes.keySet()) {
      if (network.leaf(name).isEmpty()) {
        throw UserError.badInput("--dim " + name + ": " + argument + " has no name " + name + "; its names are "
            + network.graph().nodes().stream().filter(node -> node.isLeaf()).map(Network::leafName).toList());
      }
    }
    return network;
  }

  /** {@code W1=20x784}, {@code X=784}: the sizes of a one-liner's names. */
  static Map<String, List<Long>> parseDims(List<String> dims) {
    Map<String, List<Long>> sizes = new LinkedHashMap<>();
    for (String dim : dims) {
      String[] parts = dim.split("=", 2);
      if (parts.length != 2 || parts[0].isBlank()) {
        throw UserError.badInput("--dim takes NAME=SIZES such as W1=20x784, not '" + dim + "'");
      }
      try {
        List<Long> values = java.util.Arrays.stream(parts[1].split("[x×,]")).map(String::strip).map(Long::parseLong).toList();
        if (values.isEmpty() || values.size() > 2 || values.stream().anyMatch(v -> v < 1 || v > Integer.MAX_VALUE)) {
          throw new NumberFormatException();
        }
        sizes.put(parts[0].strip(), values);
      } catch (NumberFormatException e) {
        throw UserError.badInput("--dim " + dim + ": sizes are one or two positive whole numbers, as in 20x784");
      }
    }
    return sizes;
  }
}
