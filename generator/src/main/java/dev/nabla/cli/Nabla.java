package dev.nabla.cli;

import dev.nabla.grammar.diagnostic.DiagnosticException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code nabla} command: derives, prints, generates and trains networks written as math. */
@Command(
    name = "nabla",
    mixinStandardHelpOptions = true,
    versionProvider = Nabla.Version.class,
    description = "Turns a neural network written as math into the gradients a person would write and Java code that trains it.",
    subcommands = {ParseCommand.class, DeriveCommand.class, JacobianCommand.class, GenerateCommand.class, TrainCommand.class, GradCommand.class, CheckCommand.class, GraphCommand.class, ExplainCommand.class, ShowCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:failure (training diverged, a check failed, an internal error)", "2:bad input or usage"},
    footer = {"", "Examples:",
        "  nabla derive 'softmax(W2 relu(W1 X + b1) + b2)'",
        "  nabla train --epochs 5",
        "  nabla parse examples/fashion_mlp.nabla"})
public final class Nabla implements Runnable {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int BAD_INPUT = 2;

  @Option(names = "--verbose", description = "Show stack traces of internal errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int exitCode = commandLine().execute(args);
    StopOnInterrupt.commandFinished();
    System.exit(exitCode);
  }

  /** The command line with nabla's error handling: diagnostics and messages, never a stack trace. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Nabla());
    commandLine.setExecutionExceptionHandler(Nabla::handle);
    // picocli hands exceptions to the handler but lets an Error through: a stack overflow or a failed
    // assertion is a bug all the same, and is reported the same way.
    CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
    commandLine.setExecutionStrategy(parseResult -> {
      try {
        return run.execute(parseResult);
      } catch (OutOfMemoryError | StackOverflowError | AssertionError | LinkageError e) {
        return report(e, commandLine, parseResult);
      }
    });
    return commandLine;
  }

  private static int handle(Exception exception, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (exception instanceof DiagnosticException diagnostics) {
      err.print(Colours.diagnostics(diagnostics.formatted()));
      err.flush();
      return BAD_INPUT;
    }
    if (exception instanceof dev.nabla.print.FormulaPrinter.TooLargeException tooLarge) {
      err.println("nabla: " + tooLarge.getMessage());
      err.flush();
      return BAD_INPUT;
    }
    if (exception instanceof UserError userError) {
      err.println("nabla: " + userError.getMessage());
      err.flush();
      return userError.exitCode();
    }
    return report(exception instanceof CommandLine.ExecutionException && exception.getCause() != null ? exception.getCause() : exception,
        commandLine, parseResult);
  }

  private static int report(Throwable failure, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (failure instanceof OutOfMemoryError) {
      err.println("nabla: out of memory (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB): give Java more, e.g."
          + " NABLA_JAVA_OPTS=-Xmx8g ./nabla ..., or use a smaller --batch");
      err.flush();
      return FAILURE;
    }
    reportBug(failure, "nabla " + String.join(" ", parseResult.originalArgs()), parseResult.hasMatchedOption("--verbose"), err);
    return FAILURE;
  }

  /**
   * Everything a user can get wrong is a diagnostic or a {@link UserError}; whatever else reaches here
   * is a bug in nabla, reported as one, in one place for every command.
   */
  static void reportBug(Throwable failure, String during, boolean verbose, PrintWriter err) {
    err.println("nabla: " + dev.nabla.failure.BugReport.describe(failure, during));
    if (verbose) {
      failure.printStackTrace(err);
    } else {
      err.println("  (--verbose prints the whole stack trace)");
    }
    err.flush();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar's manifest, or the development version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Nabla.class.getPackage().getImplementationVersion();
      return new String[] {"nabla " + (version != null ? version : "0.1.0-SNAPSHOT"),
          "Java " + System.getProperty("java.version")};
    }
  }
}
