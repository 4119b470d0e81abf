package dev.nabla.cli;

import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.runtime.io.FileKind;
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
      throw UserError.badInput(Files.isDirectory(path) ? argument + " is a directory, not a spec" : "no such spec file: " + argument);
    }
    checkIsText(path, "a spec");
    try {
      return SourceFile.read(path);
    } catch (IOException e) {
      throw UserError.badInput("cannot read " + argument + ": " + reason(e));
    }
  }

  /**
   * The text of a file a command reads ({@code what}: "values file"), or a one-line error: not found, a directory,
   * or the wrong kind of file ({@code expected}: "a values JSON file") with what it is instead.
   */
  static String readText(Path file, String what, String expected) {
    if (Files.isDirectory(file)) {
      throw UserError.badInput(file + " is a directory, not " + expected);
    }
    if (!Files.exists(file)) {
      throw UserError.badInput(what + " not found: " + file);
    }
    checkIsText(file, expected);
    try {
      return Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.nio.charset.MalformedInputException e) {
      throw UserError.badInput(file + " is not UTF-8 text, not " + expected);
    } catch (IOException e) {
      throw UserError.badInput("cannot read " + file + ": " + reason(e));
    }
  }

  /** Refuses a checkpoint, an IDX or gzip file, or other binary data where text is wanted, saying what the file is. */
  private static void checkIsText(Path file, String expected) {
    String kind = FileKind.describeBinary(file);
    if (kind != null) {
      throw UserError.badInput(file + " is " + kind + ", not " + expected);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
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
