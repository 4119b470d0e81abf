package dev.nabla.cli;

import dev.nabla.grammar.SpecParser;
import dev.nabla.grammar.ParseResult;
import dev.nabla.grammar.ast.Expr;
import dev.nabla.grammar.ast.ExprPrinter;
import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.ast.SpecPrinter;
import dev.nabla.grammar.diagnostic.DiagnosticFormatter;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec.Target;

/** {@code nabla parse}: the canonical, fully parenthesized form, or the diagnostics. */
@Command(name = "parse", mixinStandardHelpOptions = true,
    description = "Print an expression or spec in canonical, fully parenthesized form, or its errors.",
    footer = {"", "Examples:", "  nabla parse 'softmax(W2 relu(W1 X + b1) + b2)'", "  nabla parse net.nabla"})
final class ParseCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXPR|FILE", description = "A network expression, or a .nabla spec file.")
  String input;

  @picocli.CommandLine.Spec(Target.SELF)
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try {
      return parse(spec.commandLine().getOut(), spec.commandLine().getErr());
    } finally {
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().flush();
    }
  }

  private int parse(java.io.PrintWriter out, java.io.PrintWriter err) {
    if (NetworkSource.isFile(input)) {
      ParseResult<Spec> result = SpecParser.parseSpec(NetworkSource.read(input));
      err.print(Colours.diagnostics(DiagnosticFormatter.format(result.diagnostics())));
      if (result.hasErrors()) {
        return Nabla.BAD_INPUT;
      }
      out.print(SpecPrinter.print(result.value().orElseThrow()));
      return Nabla.OK;
    }
    ParseResult<Expr> result = SpecParser.parseExpression(SourceFile.ofExpression(input));
    err.print(Colours.diagnostics(DiagnosticFormatter.format(result.diagnostics())));
    if (result.hasErrors()) {
      return Nabla.BAD_INPUT;
    }
    out.println(ExprPrinter.print(result.value().orElseThrow()));
    return Nabla.OK;
  }
}
