package dev.nabla.cli;

import static dev.nabla.cli.CliTest.assertCleanFailure;
import static dev.nabla.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.CliTest.Run;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line behaves the same way for every command: options, usage errors, suggestions. */
class CliUsageTest {

  @Test
  void bareNablaPrintsTheUsageToStderrAndIsAUsageError() {
    Run run = run();
    assertEquals(2, run.exit());
    assertEquals("", run.out());
    assertTrue(run.err().startsWith("Usage: nabla "), run.err());
    assertTrue(run.err().contains("derive"), run.err());
  }

  @Test
  void helpIsStillSuccess() {
    Run run = run("--help");
    assertEquals(0, run.exit());
    assertTrue(run.out().startsWith("Usage: nabla "), run.out());
  }

  @Test
  void aMisspeltOptionGetsADidYouMeanAndNotTheWholeUsage() {
    Run format = run("derive", "relu(W x)", "--fromat", "latex");
    assertCleanFailure(format, 2);
    assertEquals("nabla: unknown option '--fromat'; did you mean '--format'?\nTry 'nabla derive --help' for its options and examples.\n",
        format.err());
    Run epoch = run("train", "--epoch", "3");
    assertCleanFailure(epoch, 2);
    assertEquals("nabla: unknown option '--epoch'; did you mean '--epochs'?\nTry 'nabla train --help' for its options and examples.\n",
        epoch.err());
    Run valued = run("train", "--optimiser=adam");
    assertTrue(valued.err().startsWith("nabla: unknown option '--optimiser'; did you mean '--optimizer'?"), valued.err());
  }

  @Test
  void theReadmesMisspeltOptionExampleIsWhatNablaPrints() throws java.io.IOException {
    Run run = run("derive", CliTest.SPEC, "--fromat", "latex");
    assertEquals(CliFilesTest.readmeOutput("./nabla derive examples/fashion_mlp.nabla --fromat latex"), run.err().lines().toList());
  }

  @Test
  void aMisspeltCommandGetsADidYouMeanAndAnUnknownOneJustTheHelpHint() {
    Run near = run("deriv", "x");
    assertCleanFailure(near, 2);
    assertEquals("nabla: unknown command 'deriv'; did you mean 'derive'?\nTry 'nabla --help' for the commands.\n", near.err());
    Run far = run("frobnicate");
    assertCleanFailure(far, 2);
    assertEquals("nabla: unknown command 'frobnicate'\nTry 'nabla --help' for the commands.\n", far.err());
  }

  @Test
  void otherUsageErrorsAreOneLineAndTheHelpHint() {
    Run run = run("derive");
    assertCleanFailure(run, 2);
    List<String> lines = run.err().lines().toList();
    assertEquals(2, lines.size(), run.err());
    assertTrue(lines.get(0).startsWith("nabla: Missing required parameter"), run.err());
    assertEquals("Try 'nabla derive --help' for its options and examples.", lines.get(1));
  }

  @Test
  void everyCommandsHelpListsVerboseAndTakesItAfterTheCommand() {
    CommandLine root = Nabla.commandLine();
    for (String name : root.getSubcommands().keySet()) {
      Run help = run(name, "--help");
      assertEquals(0, help.exit(), name);
      assertTrue(help.out().contains("--verbose"), name + " --help:\n" + help.out());
    }
    assertEquals(0, run("derive", "relu(W x)", "--verbose").exit());
    assertEquals(0, run("--verbose", "derive", "relu(W x)").exit());
  }

  @Test
  void verboseAfterTheCommandShowsTheStackTraceOfAnInternalError() {
    for (String[] args : new String[][] {{"boom", "--verbose"}, {"--verbose", "boom"}}) {
      Run run = runWithBrokenCommand(args);
      assertEquals(1, run.exit());
      assertTrue(run.err().startsWith("nabla: internal error: a bug in nabla, not a problem with your input"), run.err());
      assertTrue(run.err().contains("java.lang.IllegalStateException: broken on purpose"), run.err());
      assertTrue(run.err().contains("\tat "), String.join(" ", args) + ":\n" + run.err());
    }
    Run quiet = runWithBrokenCommand("boom");
    assertFalse(quiet.err().contains("\tat "), quiet.err());
    assertTrue(quiet.err().contains("--verbose prints the whole stack trace"), quiet.err());
  }

  @CommandLine.Command(name = "boom")
  static final class Broken implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("broken on purpose");
    }
  }

  private static Run runWithBrokenCommand(String... args) {
    CommandLine command = Nabla.commandLine();
    command.addSubcommand(new Broken());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int exit = command.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }
}
