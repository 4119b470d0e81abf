package dev.nabla.cli;

import com.google.gson.GsonBuilder;
import dev.nabla.interpret.PointEvaluation;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import dev.nabla.symbolic.Networks;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nabla grad}: loss, output and every gradient at given values (the lesson's exercise 4c–e). */
@Command(name = "grad", mixinStandardHelpOptions = true,
    description = {"Evaluate the loss, the output and every gradient at given values (JSON in, JSON out).",
        "Double precision, by the interpreter.",
        "Values in: {\"params\": {\"W1\": [[…], …], \"b1\": […]}, \"inputs\": {\"X\": […]}, \"label\": 3 | \"target\": […]},",
        "or a minibatch as \"batch\": [{\"inputs\": {…}, \"label\": …}, …] (loss and gradients then averaged).",
        "Out: {\"loss\": …, \"output\": …, \"gradients\": {\"W1\": [[…]], …}}; matrices are lists of rows."},
    footer = {"", "Examples:", "  nabla grad examples/exercise4.nabla --values examples/values.json",
        "  nabla grad examples/exercise4.nabla --values examples/values-batch.json"})
final class GradCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE|EXPR", description = "A .nabla spec file (or a one-liner with --dim sizes).")
  String input;

  @Option(names = "--values", required = true, paramLabel = "VALUES.json", description = "Parameter values and the sample(s).")
  Path values;

  @Option(names = "--dim", paramLabel = "NAME=AxB", description = "Sizes of a one-liner's names (repeatable).")
  List<String> dims = new java.util.ArrayList<>();

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Network network = Networks.requireSizes(NetworkSource.load(input, Optional.empty(), dims));
    ValuesJson.Values read = ValuesJson.read(values, network);
    Gradients gradients = Differentiator.parameters(network);
    PointEvaluation.Result result = PointEvaluation.evaluate(gradients, read.parameters(), read.samples());
    spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(ValuesJson.write(result, read.isBatch())));
    spec.commandLine().getOut().flush();
    return Nabla.OK;
  }
}
