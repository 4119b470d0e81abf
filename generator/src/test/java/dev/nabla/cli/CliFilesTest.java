package dev.nabla.cli;

import static dev.nabla.cli.CliTest.assertCleanFailure;
import static dev.nabla.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.nabla.cli.CliTest.Run;
import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.Idx;
import dev.nabla.runtime.data.IdxData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files commands read: the values the README uses are shipped, and the wrong kind of file is named for what it is. */
class CliFilesTest {
  static final String EXERCISE4 = "../examples/exercise4.nabla";

  @TempDir
  Path directory;

  @Test
  void theShippedValuesFilesAreTheGoldenValuesOfPyTorch() throws IOException {
    var golden = Exercise4GoldenTest.golden();
    assertEquals(golden.getAsJsonObject("single").get("values"), JsonParser.parseString(Files.readString(Path.of("../examples/values.json"))));
    assertEquals(golden.getAsJsonObject("batch").get("values"),
        JsonParser.parseString(Files.readString(Path.of("../examples/values-batch.json"))));
  }

  @Test
  void theReadmesGradAndShowExamplesPrintWhatTheReadmeShows() throws IOException {
    for (String values : new String[] {"values.json", "values-batch.json"}) {
      for (String command : new String[] {"grad", "show"}) {
        String printed = "./nabla " + command + " examples/exercise4.nabla --values examples/" + values;
        List<String> readme = readmeOutput(printed);
        Run run = run(command, EXERCISE4, "--values", "../examples/" + values);
        assertEquals(0, run.exit(), run.err());
        List<String> actual = run.out().lines().toList();
        // The README cuts long outputs with "..."; every line it does show is the command's own.
        int shown = readme.indexOf("...") < 0 ? readme.size() : readme.indexOf("...");
        assertTrue(shown > 2, printed + ": " + readme);
        assertEquals(readme.subList(0, shown), actual.subList(0, Math.min(shown, actual.size())), printed);
        if (shown == readme.size()) {
          assertEquals(readme.size(), actual.size(), printed + " prints more than the README shows:\n" + run.out());
        }
      }
    }
  }

  @Test
  void showOfAMinibatchShowsEverySampleAndTheMeanLoss() {
    Run run = run("show", EXERCISE4, "--values", "../examples/values-batch.json");
    assertEquals(0, run.exit(), run.err());
    List<String> lines = run.out().lines().toList();
    assertEquals("minibatch of 3 samples:", lines.get(2));
    assertTrue(lines.get(3).startsWith("  x = [1, 1]        t = [1]  out = [0.617]"), lines.get(3));
    assertTrue(lines.get(4).startsWith("  x = [0.5, -0.25]  t = [0]"), lines.get(4));
    assertTrue(lines.get(5).startsWith("  x = [2, 0.75]"), lines.get(5));
    // The mean of the three losses is the minibatch's loss, as nabla grad computes it.
    double mean = JsonParser.parseString(run("grad", EXERCISE4, "--values", "../examples/values-batch.json").out())
        .getAsJsonObject().get("loss").getAsDouble();
    assertEquals(String.format(java.util.Locale.ROOT, "H = %.4g   (the mean over the minibatch)", mean), lines.get(6));
    assertEquals(7, lines.size(), run.out());
  }

  @Test
  void aMissingValuesFileIsNotFound() {
    Run run = run("grad", EXERCISE4, "--values", "values.json");
    assertCleanFailure(run, 2);
    assertEquals("nabla: values file not found: values.json\n", run.err());
    Run show = run("show", EXERCISE4, "--values", directory.toString());
    assertCleanFailure(show, 2);
    assertEquals("nabla: " + directory + " is a directory, not a values JSON file\n", show.err());
  }

  @Test
  void aCheckpointGivenAsASpecOrAsValuesIsNamedWithItsModel() throws Exception {
    Path checkpoint = directory.resolve("checkpoint.nckpt");
    Checkpoint saved = new Checkpoint("FashionMlp", "0".repeat(64), ModelInfo.Precision.FLOAT,
        List.of(new ModelInfo.Parameter("W1", new int[] {2})), List.of(new double[] {1, 2}), null);
    CheckpointFile.save(checkpoint, saved);
    for (String[] command : new String[][] {{"derive"}, {"parse"}, {"explain"}, {"check"}, {"graph"}, {"train"},
        {"generate", "-d", directory.toString()}}) {
      String[] args = java.util.Arrays.copyOf(command, command.length + 1);
      args[command.length] = checkpoint.toString();
      Run run = run(args);
      assertCleanFailure(run, 2);
      assertEquals("nabla: " + checkpoint + " is a nabla checkpoint (model FashionMlp), not a spec\n", run.err(), command[0]);
    }
    String readme = "nabla-out/checkpoint.nckpt";
    assertEquals(readmeOutput("./nabla derive " + readme),
        run("derive", checkpoint.toString()).err().replace(checkpoint.toString(), readme).lines().toList());
    // An old checkpoint named like a spec is still told apart by its bytes.
    Path old = Files.copy(checkpoint, directory.resolve("checkpoint.nabla"));
    assertEquals("nabla: " + old + " is a nabla checkpoint (model FashionMlp), not a spec\n", run("derive", old.toString()).err());
    Run values = run("grad", EXERCISE4, "--values", checkpoint.toString());
    assertCleanFailure(values, 2);
    assertEquals("nabla: " + checkpoint + " is a nabla checkpoint (model FashionMlp), not a values JSON file\n", values.err());
  }

  @Test
  void dataFilesAndOtherBinaryFilesAreNamedToo() throws IOException {
    Path images = directory.resolve("train-images-idx3-ubyte.gz");
    Idx.write(images, new IdxData(new int[] {2, 28, 28}, new byte[2 * 784]), true);
    Run run = run("derive", images.toString());
    assertCleanFailure(run, 2);
    assertEquals("nabla: " + images + " is a gzip-compressed IDX file (2×28×28 unsigned bytes), not a spec\n", run.err());
    Path picture = Files.write(directory.resolve("photo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
    assertEquals("nabla: " + picture + " is a binary file, not a spec\n", run("derive", picture.toString()).err());
  }

  @Test
  void resumingFromASpecSaysItIsASpec() throws IOException {
    Run run = run("train", "--resume", EXERCISE4, "--data", directory.resolve("nowhere").toString());
    assertCleanFailure(run, 2);
    assertTrue(run.err().contains("not a nabla checkpoint: it is a nabla spec (model Exercise4Net)"), run.err());
  }

  /** The lines of the README's fenced block that shows {@code $ command}, after that line, up to the next {@code $} or the fence. */
  static List<String> readmeOutput(String command) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("../README.md"));
    int at = lines.indexOf("$ " + command);
    assertTrue(at >= 0, "the README shows no `$ " + command + "`");
    int end = at + 1;
    while (end < lines.size() && !lines.get(end).startsWith("```") && !lines.get(end).startsWith("$ ")) {
      end++;
    }
    return lines.subList(at + 1, end);
  }
}
