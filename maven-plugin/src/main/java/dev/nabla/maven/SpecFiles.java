package dev.nabla.maven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the spec files under a source directory with Ant-style include and exclude patterns, as
 * Maven's own scanners do: {@code **} matches any number of directories (also none), {@code *} any
 * part of a name, {@code ?} one character; patterns use {@code /} on every system.
 */
public final class SpecFiles {

  /** What {@code includes} is when not configured. */
  public static final String DEFAULT_INCLUDE = "**/*.nabla";

  private final List<Pattern> includes;
  private final List<Pattern> excludes;

  public SpecFiles(List<String> includes, List<String> excludes) {
    List<String> effective = includes == null || includes.isEmpty() ? List.of(DEFAULT_INCLUDE) : includes;
    this.includes = effective.stream().map(SpecFiles::toRegex).toList();
    this.excludes = (excludes == null ? List.<String>of() : excludes).stream().map(SpecFiles::toRegex).toList();
  }

  /** The matching regular files under {@code root}, relative to it, sorted (so output is deterministic). */
  public List<Path> scan(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).map(root::relativize).filter(this::matches).forEach(found::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    found.sort(null);
    return List.copyOf(found);
  }

  /** Whether a path relative to the source directory is included and not excluded. */
  public boolean matches(Path relative) {
    String path = slashes(relative);
    return includes.stream().anyMatch(p -> p.matcher(path).matches())
        && excludes.stream().noneMatch(p -> p.matcher(path).matches());
  }

  static String slashes(Path relative) {
    return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
  }

  /** An Ant pattern as a regular expression; a pattern ending in {@code /} means everything below. */
  static Pattern toRegex(String antPattern) {
    String pattern = antPattern.strip().replace('\\', '/');
    if (pattern.endsWith("/")) {
      pattern += "**";
    }
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (pattern.startsWith("**/", i)) {
        regex.append("(?:.*/)?");
        i += 2;
      } else if (pattern.startsWith("**", i)) {
        regex.append(".*");
        i += 1;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
