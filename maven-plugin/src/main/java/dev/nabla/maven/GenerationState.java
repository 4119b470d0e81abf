package dev.nabla.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the last run generated: for each spec (by its path relative to the source directory) the hash
 * of its content and the files it produced, and a fingerprint of everything else that shapes the output
 * (the plugin's version, the precision, the package, the output directories). A spec is up to date
 * when its hash and the fingerprint are unchanged and its files are still there.
 *
 * <p>Stored as a small text file, one tab-separated line per spec; a file that cannot be read is
 * treated as absent, which regenerates everything.
 *
 * @param fingerprint the settings the outputs were generated with
 * @param specs spec path (with {@code /}) → what it generated
 */
public record GenerationState(String fingerprint, Map<String, Entry> specs) {

  private static final String HEADER = "# nabla-maven-plugin: what each spec generated. Delete this file to regenerate everything.";
  /** The hash of a spec whose last generation failed: it never equals a real hash. */
  static final String FAILED = "failed";

  /**
   * One spec's outputs.
   *
   * @param hash SHA-256 of the spec's bytes, or {@link #FAILED}
   * @param outputs absolute paths of the files generated from it
   */
  public record Entry(String hash, List<Path> outputs) {
    public Entry {
      outputs = List.copyOf(outputs);
    }
  }

  public GenerationState {
    specs = java.util.Collections.unmodifiableMap(new TreeMap<>(specs));
  }

  public static GenerationState empty() {
    return new GenerationState("", Map.of());
  }

  /** The state stored in {@code file}, or empty when there is none or it is unreadable. */
  public static Optional<GenerationState> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
    String fingerprint = null;
    Map<String, Entry> specs = new LinkedHashMap<>();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      if (fields[0].equals("fingerprint") && fields.length == 2) {
        fingerprint = fields[1];
      } else if (fields[0].equals("spec") && fields.length >= 3) {
        List<Path> outputs = new ArrayList<>();
        for (int i = 3; i < fields.length; i++) {
          outputs.add(Path.of(fields[i]));
        }
        specs.put(fields[1], new Entry(fields[2], outputs));
      } else {
        return Optional.empty();
      }
    }
    return fingerprint == null ? Optional.empty() : Optional.of(new GenerationState(fingerprint, specs));
  }

  /** Writes the state to {@code file} through a temporary file, so that a crash leaves the old one or the new one. */
  public void write(Path file) throws IOException {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    text.append("fingerprint\t").append(oneLine(fingerprint)).append('\n');
    for (Map.Entry<String, Entry> spec : specs.entrySet()) {
      text.append("spec\t").append(oneLine(spec.getKey())).append('\t').append(spec.getValue().hash());
      for (Path output : spec.getValue().outputs()) {
        text.append('\t').append(oneLine(output.toString()));
      }
      text.append('\n');
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, text, StandardCharsets.UTF_8);
    try {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String oneLine(String text) {
    return text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }
}
