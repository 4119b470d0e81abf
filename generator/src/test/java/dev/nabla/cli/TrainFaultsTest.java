package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.data.FashionMnist;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupted and failed work on the real data, through a real {@code nabla train} process: Ctrl-C
 * saves a checkpoint that resumes to exactly the parameters of an uninterrupted run, and a
 * checkpoint that cannot be written leaves the previous one intact and says so.
 */
class TrainFaultsTest {
  @TempDir
  Path directory;

  private static Path data() {
    Path data = FashionMnist.resolveDirectory(null);
    assumeTrue(FashionMnist.isInstalled(data), "Fashion-MNIST is not installed at " + data
        + " (apt-get install dataset-fashion-mnist, or set NABLA_DATA): these tests train on the real data");
    return data;
  }

  /**
   * A {@code nabla} process. It starts through {@code env --default-signal=INT} because a process
   * started in the background (as a build may be) inherits an ignored SIGINT, and a JVM that starts
   * with SIGINT ignored never runs its shutdown hooks on Ctrl-C; a terminal's foreground job is as here.
   */
  private static ProcessBuilder nabla(String... args) {
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Nabla.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
  }

  private static String runToEnd(ProcessBuilder builder) throws IOException, InterruptedException {
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, process.exitValue(), out);
    return out;
  }

  @Test
  void ctrlCSavesACheckpointAndResumingReachesTheSameParameters() throws Exception {
    Path data = data();
    Path straight = directory.resolve("straight");
    // Three epochs, interrupted after the first: an epoch takes half a second here, so the interrupt
    // still lands before the last one even when the machine is busy.
    runToEnd(nabla("train", "--epochs", "3", "--data", data.toString(), "--out", straight.toString()));

    Path interrupted = directory.resolve("interrupted");
    Process process = nabla("train", "--epochs", "3", "--data", data.toString(), "--out", interrupted.toString()).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
        if (line.startsWith("epoch 1/3")) {
          // SIGINT, as Ctrl-C sends it, while epoch 2 runs.
          new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        }
      }
    }
    assertTrue(process.waitFor(2, TimeUnit.MINUTES));
    String output = String.join("\n", lines);
    assertTrue(output.contains("stopped; checkpoint saved to"), output);
    assertTrue(!output.contains("epoch 3/3"), "the interrupt came before the last epoch: " + output);

    Path checkpoint = interrupted.resolve(CheckpointFile.DEFAULT_NAME);
    runToEnd(nabla("train", "--epochs", "3", "--data", data.toString(), "--out", interrupted.toString(),
        "--resume", checkpoint.toString()));

    Checkpoint expected = CheckpointFile.load(straight.resolve(CheckpointFile.DEFAULT_NAME));
    Checkpoint resumed = CheckpointFile.load(checkpoint);
    for (int i = 0; i < expected.values().size(); i++) {
      assertArrayEquals(expected.values().get(i), resumed.values().get(i), "parameter " + i + " after resuming");
    }
  }

  /** A full disk (a 400 KiB tmpfs, root only): the second run's checkpoint cannot be written beside the first. */
  @Test
  void aCheckpointThatCannotBeWrittenKeepsThePreviousOne() throws Exception {
    Path data = data();
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
    Path small = Files.createDirectories(directory.resolve("small"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", small.toString())
        .redirectErrorStream(true).start();
    assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here: " + new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    try {
      // The lesson's model's checkpoint (parameters and momentum) is about 190 KiB and the report about
      // 120 KiB: one run fits, a second checkpoint beside the first (the atomic write's temporary file) does not.
      Path checkpoint = small.resolve(CheckpointFile.DEFAULT_NAME);
      runToEnd(nabla("train", "--epochs", "1", "--data", data.toString(), "--out", small.toString()));
      byte[] before = Files.readAllBytes(checkpoint);

      Process second = nabla("train", "--epochs", "1", "--seed", "2", "--data", data.toString(), "--out", small.toString())
          .redirectError(ProcessBuilder.Redirect.PIPE).start();
      second.getInputStream().readAllBytes();
      String err = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(second.waitFor(5, TimeUnit.MINUTES));
      assertEquals(1, second.exitValue(), err);
      assertTrue(err.contains("cannot be written (") && err.contains("the previous checkpoint there is unchanged"), err);
      assertArrayEquals(before, Files.readAllBytes(checkpoint));
      File[] left = small.toFile().listFiles((dir, name) -> !name.equals(CheckpointFile.DEFAULT_NAME) && !name.endsWith(".png") && !name.endsWith(".csv"));
      assertEquals(0, left.length, "no temporary file is left behind");
    } finally {
      new ProcessBuilder("umount", small.toString()).start().waitFor();
    }
  }
}
