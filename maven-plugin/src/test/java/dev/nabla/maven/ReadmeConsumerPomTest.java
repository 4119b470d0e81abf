package dev.nabla.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's consumer pom.xml and spec are the invoker project src/it/readme-consumer, byte for byte,
 * so that the text a user copies is the one the build proves; and the versions it names are this build's.
 */
class ReadmeConsumerPomTest {
  static final Path PROJECT = Path.of("src/it/readme-consumer");

  @Test
  void theReadmesPomIsTheInvokerProjectsPom() throws IOException {
    String pom = Files.readString(PROJECT.resolve("pom.xml"));
    assertTrue(readmeBlocks("xml").contains(pom),
        "README.md must show src/it/readme-consumer/pom.xml exactly, in an ```xml block; it is:\n" + pom);
  }

  @Test
  void theReadmesSpecIsTheInvokerProjectsSpec() throws IOException {
    String spec = Files.readString(PROJECT.resolve("src/main/nabla/com/acme/shirts.nabla"));
    assertTrue(readmeBlocks("").contains(spec), "README.md must show src/it/readme-consumer's shirts.nabla exactly");
  }

  @Test
  void thePomNamesTheVersionsThisBuildMakesAndTheOldestMavenItSupports() throws IOException {
    String pom = Files.readString(PROJECT.resolve("pom.xml"));
    String nabla = System.getProperty("nabla.version");
    String junit = System.getProperty("junit.version");
    assertTrue(nabla != null && junit != null, "run through Maven: surefire passes the versions");
    assertEquals(List.of(nabla, nabla), versionsOf(pom, "dev.nabla"), "nabla-runtime and nabla-maven-plugin");
    assertEquals(List.of(junit), versionsOf(pom, "org.junit.jupiter"));
    String plugin = Files.readString(Path.of("pom.xml"));
    assertTrue(plugin.contains("<prerequisites>\n    <maven>3.6.3</maven>\n  </prerequisites>"), "the plugin's prerequisites");
    assertTrue(Files.readString(Path.of("../README.md")).contains("It needs Maven 3.6.3 or later"), "the README says so");
  }

  /** The versions given to the artifacts of {@code groupId}, in the order they appear. */
  private static List<String> versionsOf(String pom, String groupId) {
    Matcher matcher = Pattern.compile("<groupId>" + Pattern.quote(groupId)
        + "</groupId>\\s*<artifactId>[^<]+</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    List<String> versions = new ArrayList<>();
    while (matcher.find()) {
      versions.add(matcher.group(1));
    }
    return versions;
  }

  /** The contents of the README's fenced blocks of {@code language} ("" for none), each ending in a newline. */
  static List<String> readmeBlocks(String language) throws IOException {
    List<String> blocks = new ArrayList<>();
    StringBuilder block = null;
    String opened = null;
    for (String line : Files.readAllLines(Path.of("../README.md"))) {
      if (block == null && line.startsWith("```")) {
        block = new StringBuilder();
        opened = line.substring(3);
      } else if (block != null && line.equals("```")) {
        if (opened.equals(language)) {
          blocks.add(block.toString());
        }
        block = null;
      } else if (block != null) {
        block.append(line).append('\n');
      }
    }
    return blocks;
  }
}
