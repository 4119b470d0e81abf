package dev.nabla.cli;

import dev.nabla.grammar.check.Suggestions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command line picocli cannot parse: one line saying what is wrong, a "did you mean" when an unknown
 * option or command is near a real one (a swap of two letters is one edit: {@code --fromat} → {@code --format}),
 * and where the help is, instead of the whole usage; exit 2.
 */
final class UsageErrors {
  private UsageErrors() {}

  static int handle(ParameterException exception, String[] args) {
    CommandLine commandLine = exception.getCommandLine();
    PrintWriter err = commandLine.getErr();
    String name = commandLine.getCommandSpec().qualifiedName();
    if (exception instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      // An expression may start with a minus, so a misspelt option can stand among the positional words
      // (see Nabla.rejectUnknownLongOptions): report it rather than the word that happened to come first.
      CommandSpec spec = commandLine.getCommandSpec();
      String argument = Arrays.stream(args)
          .filter(word -> word.matches("--\\p{L}.*") && spec.findOption(word.split("=", 2)[0]) == null)
          .findFirst().orElse(unmatched.getUnmatched().get(0));
      boolean option = argument.startsWith("-");
      String word = option ? argument.split("=", 2)[0] : argument;
      String what = option ? "unknown option '" + word + "'" : unknownArgument(commandLine, word);
      err.println("nabla: " + what + nearest(commandLine.getCommandSpec(), word, option)
          .map(near -> "; did you mean '" + near + "'?").orElse(""));
    } else {
      err.println("nabla: " + exception.getMessage());
    }
    err.println("Try '" + name + " --help' for " + (commandLine.getCommandSpec().subcommands().isEmpty()
        ? "its options and examples." : "the commands."));
    err.flush();
    return Nabla.BAD_INPUT;
  }

  private static String unknownArgument(CommandLine commandLine, String word) {
    return commandLine.getCommandSpec().subcommands().isEmpty()
        ? "unexpected argument '" + word + "'"
        : "unknown command '" + word + "'";
  }

  /** The option (or, for a command that has commands, the command) nearest to {@code word}. */
  private static Optional<String> nearest(CommandSpec spec, String word, boolean option) {
    if (word.length() <= 2) {
      return Optional.empty(); // "-z" is one edit from every short option: no suggestion means anything
    }
    List<String> candidates = new ArrayList<>();
    if (option) {
      spec.options().forEach(o -> candidates.addAll(List.of(o.names())));
    } else {
      candidates.addAll(spec.subcommands().keySet());
    }
    return Suggestions.closest(word, candidates);
  }
}
