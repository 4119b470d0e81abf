package dev.nabla.maven;

import java.util.List;

/** Some specs could not be turned into Java; carries every error of every spec. */
public final class SpecFailureException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<SpecError> errors;

  public SpecFailureException(List<SpecError> errors) {
    super(summary(errors));
    this.errors = List.copyOf(errors);
  }

  public List<SpecError> errors() {
    return errors;
  }

  private static String summary(List<SpecError> errors) {
    long files = errors.stream().map(SpecError::file).distinct().count();
    return errors.size() + (errors.size() == 1 ? " error" : " errors") + " in " + files
        + (files == 1 ? " nabla spec" : " nabla specs") + "; the first: " + (errors.isEmpty() ? "none" : errors.get(0).headline());
  }
}
