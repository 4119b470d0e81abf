package dev.nabla.cli;

import dev.nabla.grammar.diagnostic.DiagnosticException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
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
public final class Nabla implements Callable<Integer> {
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
    commandLine.setParameterExceptionHandler(UsageErrors::handle);
    // '-x^2' is an expression, not an unknown option; '--fromat' is still a misspelt option (below).
    commandLine.setUnmatchedOptionsArePositionalParams(true);
    // picocli hands exceptions to the handler but lets an Error through: a stack overflow or a failed
    // assertion is a bug all the same, and is reported the same way.
    CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
    commandLine.setExecutionStrategy(parseResult -> {
      rejectUnknownLongOptions(parseResult);
      try {
        return run.execute(parseResult);
      } catch (OutOfMemoryError | StackOverflowError | AssertionError | LinkageError e) {
        return report(e, commandLine, parseResult);
      }
    });
    return commandLine;
  }

  /**
   * With unmatched options taken as positional parameters (so that an expression may start with a minus), a
   * word like {@code --epoch} would reach a command as an expression or a file name. No expression starts
   * with two minus signs and a letter, so such a word is reported as the unknown option it is.
   */
  private static void rejectUnknownLongOptions(CommandLine.ParseResult parseResult) {
    CommandLine.ParseResult leaf = parseResult;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    for (CommandLine.Model.PositionalParamSpec positional : leaf.matchedPositionals()) {
      for (String value : positional.originalStringValues()) {
        if (value.matches("--\\p{L}.*")) {
          throw new CommandLine.UnmatchedArgumentException(leaf.commandSpec().commandLine(), List.of(value));
        }
      }
    }
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
    reportBug(failure, "nabla " + String.join(" ", parseResult.originalArgs()), verbose(parseResult), err);
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

  /** {@code nabla} alone is a usage error: the usage goes to stderr and the exit code is 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().flush();
    return BAD_INPUT;
  }

  /** Whether {@code --verbose} was given, before the command or after it (each command inherits the option). */
  static boolean verbose(CommandLine.ParseResult parseResult) {
    for (CommandLine.ParseResult level = parseResult; level != null; level = level.subcommand()) {
      if (level.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
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
