package dev.nabla.cli;

import dev.nabla.print.DotWriter;
import dev.nabla.runtime.io.AtomicFile;
import dev.nabla.symbolic.Network;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nabla graph}: the network drawn schematically (the lesson's exercise 4a). */
@Command(name = "graph", mixinStandardHelpOptions = true,
    description = {"Draw the network schematically (DOT, SVG or PNG).",
        "DOT on standard output, or a .dot, .svg or .png file with -o (SVG and PNG are rendered by Graphviz's dot:",
        "apt-get install graphviz)."},
    footer = {"", "Examples:", "  nabla graph examples/exercise4.nabla -o exercise4.svg",
        "  nabla graph 'softmax(W2 relu(W1 X + b1) + b2)' | dot -Tpng > net.png"})
final class GraphCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXPR|FILE", description = "A network expression, or a .nabla spec file.")
  String input;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "out.dot, out.svg or out.png.")
  Path output;

  @Option(names = "--dim", paramLabel = "NAME=AxB", description = "Sizes of a one-liner's names (repeatable).")
  List<String> dims = new ArrayList<>();

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Network network = NetworkSource.load(input, Optional.empty(), dims);
    String dot = DotWriter.write(network);
    var out = spec.commandLine().getOut();
    if (output == null) {
      out.print(dot);
      out.flush();
      return Nabla.OK;
    }
    String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".dot") || name.endsWith(".gv")) {
      writeAtomically(output, dot.getBytes(StandardCharsets.UTF_8));
    } else if (name.endsWith(".svg") || name.endsWith(".png")) {
      writeAtomically(output, render(dot, name.substring(name.lastIndexOf('.') + 1)));
    } else {
      throw UserError.badInput("-o " + output + ": the file must end in .dot, .svg or .png");
    }
    out.println("wrote " + output);
    out.flush();
    return Nabla.OK;
  }

  private static byte[] render(String dot, String format) {
    Process process;
    try {
      process = new ProcessBuilder("dot", "-T" + format).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw UserError.failure("rendering ." + format + " needs Graphviz's dot, which was not found (apt-get install graphviz);"
          + " -o net.dot writes the DOT text without it");
    }
    try {
      process.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      byte[] image = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw UserError.failure("dot -T" + format + " failed");
      }
      return image;
    } catch (IOException e) {
      throw UserError.failure("dot -T" + format + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw UserError.failure("interrupted while rendering");
    }
  }

  static void writeAtomically(Path target, byte[] content) {
    try {
      Path directory = target.toAbsolutePath().getParent();
      Files.createDirectories(directory);
      AtomicFile.write(target, content);
    } catch (IOException e) {
      throw UserError.failure("cannot write " + target + ": " + e.getMessage());
    }
  }
}
