package dev.nabla.codegen;

import java.util.Locale;
import java.util.Map;
import javax.lang.model.SourceVersion;

/**
 * Turning a spec's names into safe Java: identifiers that are valid and ASCII, and comment text
 * that cannot end its comment or smuggle a unicode escape into the source.
 */
final class Identifiers {
  private Identifiers() {}

  /** Longest model name accepted: the class name is also a file name. */
  static final int MAX_CLASS_NAME = 200;

  private static final Map<Integer, String> GREEK = Map.ofEntries(
      Map.entry((int) 'α', "alpha"), Map.entry((int) 'β', "beta"), Map.entry((int) 'γ', "gamma"),
      Map.entry((int) 'δ', "delta"), Map.entry((int) 'ε', "epsilon"), Map.entry((int) 'ζ', "zeta"),
      Map.entry((int) 'η', "eta"), Map.entry((int) 'θ', "theta"), Map.entry((int) 'λ', "lambda"),
      Map.entry((int) 'μ', "mu"), Map.entry((int) 'π', "pi"), Map.entry((int) 'σ', "sigma"),
      Map.entry((int) 'τ', "tau"), Map.entry((int) 'φ', "phi"), Map.entry((int) 'ψ', "psi"),
      Map.entry((int) 'ω', "omega"), Map.entry((int) 'Δ', "Delta"), Map.entry((int) 'Σ', "Sigma"),
      Map.entry((int) 'Θ', "Theta"), Map.entry((int) 'Ω', "Omega"), Map.entry((int) 'Φ', "Phi"));

  /**
   * An ASCII Java identifier close to {@code name}: Greek letters spelled out, other characters
   * that Java does not allow or that are not ASCII replaced by {@code _} or their code point. It may
   * still be a keyword; the {@code NameAllocator} takes care of that.
   */
  static String toAscii(String name) {
    StringBuilder out = new StringBuilder();
    name.codePoints().forEach(c -> {
      if (c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '$')) {
        out.append((char) c);
      } else if (GREEK.containsKey(c)) {
        out.append(GREEK.get(c));
      } else if (Character.isLetterOrDigit(c)) {
        out.append('u').append(Integer.toHexString(c).toUpperCase(Locale.ROOT));
      } else {
        out.append('_');
      }
    });
    if (out.length() == 0 || !Character.isJavaIdentifierStart(out.charAt(0))) {
      out.insert(0, '_');
    }
    return out.toString();
  }

  /** Identifiers Java 17 allows for variables but not for types (JLS §3.8, TypeIdentifier). */
  static final java.util.Set<String> RESTRICTED = java.util.Set.of("record", "var", "yield", "sealed", "permits");

  /**
   * The model's class name, which must be a plain Java identifier: a name that could not be one is refused,
   * a restricted identifier gets a trailing {@code _}.
   */
  static String checkClassName(String name) {
    if (name == null || name.isEmpty()) {
      throw new UnsupportedSpecException("the model has no name: add a line such as 'model FashionMlp'");
    }
    if (name.length() > MAX_CLASS_NAME) {
      throw new UnsupportedSpecException("model name is " + name.length() + " characters long; a class name (and file name) takes at most " + MAX_CLASS_NAME);
    }
    if (!SourceVersion.isIdentifier(name) || !name.chars().allMatch(c -> c < 128)) {
      throw new UnsupportedSpecException("model name '" + comment(name) + "' is not a Java class name: use ASCII letters, digits and _ and start with a letter");
    }
    if (SourceVersion.isKeyword(name, SourceVersion.RELEASE_17) || name.equals("_")) {
      throw new UnsupportedSpecException("model name '" + name + "' is a Java keyword and cannot name a class");
    }
    // A restricted identifier (record, var, yield, sealed, permits) names no type: the class takes a _ after it.
    return RESTRICTED.contains(name) ? name + "_" : name;
  }

  /** A package name is dot-separated Java identifiers, none a keyword; {@code ""} is the default package. */
  static void checkPackage(String packageName) {
    if (packageName == null) {
      throw new IllegalArgumentException("the package name is missing (use \"\" for the default package)");
    }
    if (packageName.isEmpty()) {
      return;
    }
    if (packageName.equals("java") || packageName.startsWith("java.")) {
      throw new IllegalArgumentException("'" + comment(packageName) + "' is reserved for the JDK: no class may be defined in a java.* package");
    }
    jdkModuleOf(packageName).ifPresent(module -> {
      throw new IllegalArgumentException("'" + comment(packageName) + "' is a package of the JDK's module " + module
          + ": a class of another module cannot be compiled into it");
    });
    for (String part : packageName.split("\\.", -1)) {
      if (!SourceVersion.isIdentifier(part) || SourceVersion.isKeyword(part, SourceVersion.RELEASE_17) || part.equals("_")) {
        throw new IllegalArgumentException("'" + comment(packageName) + "' is not a valid Java package name: '"
            + comment(part) + "' is " + (part.isEmpty() ? "empty" : SourceVersion.isIdentifier(part) ? "a Java keyword" : "not a Java identifier"));
      }
    }
  }

  /** The JDK module that holds {@code packageName} (javax.swing, jdk.internal.misc), if one does. */
  private static java.util.Optional<String> jdkModuleOf(String packageName) {
    return java.util.Optional.ofNullable(JdkPackages.MODULES.get(packageName));
  }

  /** Every package of the JDK's modules, with its module: read once, when first needed. */
  private static final class JdkPackages {
    static final Map<String, String> MODULES = new java.util.HashMap<>();

    static {
      for (java.lang.module.ModuleReference module : java.lang.module.ModuleFinder.ofSystem().findAll()) {
        for (String name : module.descriptor().packages()) {
          MODULES.putIfAbsent(name, module.descriptor().name());
        }
      }
    }
  }

  /**
   * Text for a line comment or Javadoc: one line, no comment terminator, and every backslash doubled
   * so that {@code \}{@code u000a} is not read as a unicode escape (javac reads escapes inside comments).
   */
  static String comment(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n', '\r', '\u2028', '\u2029', '\u0085' -> out.append(' ');
        case '*' -> out.append(i + 1 < text.length() && text.charAt(i + 1) == '/' ? "* " : "*");
        default -> out.append(Character.isISOControl(c) ? ' ' : c);
      }
    }
    return out.toString();
  }

  /** Text inside Javadoc HTML: {@link #comment} plus HTML escapes, keeping line breaks if asked. */
  static String javadoc(String text, boolean keepLines) {
    StringBuilder out = new StringBuilder();
    String[] lines = text.split("\r\n|\r|\n", -1);
    for (int l = 0; l < lines.length; l++) {
      if (l > 0) {
        out.append(keepLines ? "\n" : " ");
      }
      String line = comment(lines[l]);
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        switch (c) {
          case '&' -> out.append("&amp;");
          case '<' -> out.append("&lt;");
          case '>' -> out.append("&gt;");
          case '@' -> out.append("&#64;");
          case '/' -> out.append(i > 0 && line.charAt(i - 1) == '*' ? "&#47;" : "/");
          case '{', '}' -> out.append(c == '{' ? "&#123;" : "&#125;");
          default -> out.append(c);
        }
      }
    }
    return out.toString();
  }
}
