package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The compiler directives that {@code ./nabla} gives the JVM for {@code train} and {@code check}. The launcher
 * hides the JVM's own output (the line it prints on reading the file), so a file the JVM cannot read would end
 * every run with "Could not create the Java Virtual Machine" and no reason: this reads it as the launcher does.
 */
class LauncherDirectivesTest {
  private static final Path DIRECTIVES = Path.of("launcher", "compiler-directives.json");

  @Test
  void theJvmReadsTheFileAsOneDirective() throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(java.toString(), "-XX:+UnlockDiagnosticVMOptions",
        "-XX:CompilerDirectivesFile=" + DIRECTIVES.toAbsolutePath(), "-version")
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), output);
    assertTrue(output.contains("1 compiler directives added"), output);
  }

  @Test
  void theKernelsTheTrainerAndTheGeneratedClassesKeepC2() throws IOException {
    Matcher quoted = Pattern.compile("\"([^\"]+)\"").matcher(Files.readString(DIRECTIVES));
    List<String> patterns = quoted.results().map(m -> m.group(1)).toList();
    assertTrue(patterns.contains("com/sun/tools/javac/*.*"), patterns.toString());
    for (String pattern : patterns) {
      for (String hot : List.of("dev/nabla/runtime/", "dev/nabla/generated/", "jdk/incubator/vector/", "java/lang/")) {
        assertFalse(hot.startsWith(pattern.replace("*.*", "")) || pattern.startsWith(hot),
            pattern + " would keep C2 from " + hot);
      }
    }
  }
}
