package dev.nabla.maven;

import java.nio.file.Path;
import java.util.List;

/**
 * What a run did.
 *
 * @param generated specs turned into Java this time (relative to the source directory)
 * @param upToDate specs whose outputs were current and left alone
 * @param written files whose content changed (created or rewritten)
 * @param deleted files removed because their spec went away or now generates other files
 * @param errors the problems of the specs that failed (empty when all went well)
 */
public record GenerationResult(List<Path> generated, List<Path> upToDate, List<Path> written, List<Path> deleted,
    List<SpecError> errors) {

  public GenerationResult {
    generated = List.copyOf(generated);
    upToDate = List.copyOf(upToDate);
    written = List.copyOf(written);
    deleted = List.copyOf(deleted);
    errors = List.copyOf(errors);
  }
}
